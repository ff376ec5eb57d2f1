// Escaping text for XML and HTML (TwiML, email HTML parts, text sent to machine translation as
// HTML): the one place markup is escaped.
#pragma once

#include <string>
#include <string_view>

namespace liaison {

// Where the escaped text goes.
enum class markup_place {
  anywhere,      // element content or an attribute value: & < > " ' escaped
  element_text,  // element content only: & < > escaped, quotes left as they are (text sent to
                 // a translation service reads more naturally without &apos;)
};

// Escapes text for XML and HTML5 alike; control characters XML 1.0 forbids become spaces.
std::string xml_escape(std::string_view text, markup_place place = markup_place::anywhere);

}  // namespace liaison
