// Escaping text for XML and HTML (TwiML, email HTML parts): the one place markup is escaped.
#pragma once

#include <string>
#include <string_view>

namespace liaison::channels {

// Escapes & < > " ' for element content and attribute values; valid for XML and HTML5 alike.
std::string xml_escape(std::string_view text);

}  // namespace liaison::channels
