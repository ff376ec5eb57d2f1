#include "daemon/services/json_input.hpp"

#include <boost/json/error.hpp>
#include <boost/json/stream_parser.hpp>

namespace liaison::services {

json_parse_result parse_json_body(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(body.data(), body.size(), ec);
  if (!ec && consumed < body.size()) {
    return {std::nullopt, "malformed JSON at byte " + std::to_string(consumed) +
                              ": unexpected data after the JSON value"};
  }
  if (!ec) {
    parser.finish(ec);
  }
  if (ec) {
    const std::string why =
        ec == boost::json::error::too_deep
            ? "nested deeper than " + std::to_string(options.max_depth) + " levels (too deep)"
            : ec.message();
    return {std::nullopt, "malformed JSON at byte " + std::to_string(consumed) + ": " + why};
  }
  return {parser.release(), {}};
}

}  // namespace liaison::services
