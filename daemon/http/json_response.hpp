// A JSON answer to `req` (application/json, keep-alive as the request asked).
#pragma once

#include <boost/json/fwd.hpp>

#include "daemon/http/message.hpp"

namespace liaison::http {

response make_json_response(status s, const boost::json::value& body, const request& req);
response make_text_response(status s, std::string content_type, std::string body,
                            const request& req);

}  // namespace liaison::http
