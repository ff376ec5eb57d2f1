#include "daemon/services/json_input.hpp"

#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/stream_parser.hpp>

namespace liaison::services {

json_parse_result parse_json_body(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = 32;
  // The parser's own stack starts in this buffer, and the document's values are carved out of
  // one arena that the returned value owns: a request body costs two allocations, not one per
  // object, array and long string.
  unsigned char parser_stack[1024];
  boost::json::stream_parser parser({}, options, parser_stack, sizeof parser_stack);
  parser.reset(boost::json::make_shared_resource<boost::json::monotonic_resource>());
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
