// Escaping text for XML and HTML (TwiML, email HTML parts, text sent to machine translation as
// HTML): the one place markup is escaped.
#pragma once

#include <string>
#include <string_view>

namespace liaison {

// Escapes & < > " ' for element content and attribute values; valid for XML and HTML5 alike.
std::string xml_escape(std::string_view text);

}  // namespace liaison
