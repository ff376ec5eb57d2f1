#include "daemon/http/json_response.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace liaison::http {

response make_text_response(status s, std::string_view content_type, std::string body,
                            const request& req) {
  response res{s, req.version()};
  res.set(boost::beast::http::field::content_type, content_type);
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response make_json_response(status s, const boost::json::value& body, const request& req) {
  return make_text_response(s, "application/json", boost::json::serialize(body), req);
}

response make_json_response(status s, const boost::json::object& body, const request& req) {
  return make_text_response(s, "application/json", boost::json::serialize(body), req);
}

}  // namespace liaison::http
