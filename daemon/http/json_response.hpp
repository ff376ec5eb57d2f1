// A JSON answer to `req` (application/json, keep-alive as the request asked).
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "daemon/http/message.hpp"

namespace liaison::http {

response make_json_response(status s, const boost::json::value& body, const request& req);
// The same for an object, which would otherwise be copied into a value to be serialized.
response make_json_response(status s, const boost::json::object& body, const request& req);
response make_text_response(status s, std::string_view content_type, std::string body,
                            const request& req);

}  // namespace liaison::http
