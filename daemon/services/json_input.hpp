// Parsing a request body as JSON with a precise complaint when it is not: the byte offset and
// what the parser expected, for a 400 problem+json.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace liaison::services {

struct json_parse_result {
  std::optional<boost::json::value> value;
  std::string error;  // e.g. "malformed JSON at byte 17: syntax error"
};

// Depth is bounded so hostile nesting cannot exhaust the stack.
json_parse_result parse_json_body(std::string_view body);

}  // namespace liaison::services
