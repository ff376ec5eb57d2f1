#include "daemon/api/intake.hpp"

#include <boost/beast/http/field.hpp>

#include "daemon/http/problem.hpp"
#include "support/crypto.hpp"

namespace liaison::api {

bool is_json(const http::request& req) {
  const auto type = req[boost::beast::http::field::content_type];
  return type.starts_with("application/json") || type.ends_with("+json");
}

http::response not_json(const http::request& req, std::string_view what) {
  return http::make_problem_response({http::status::unsupported_media_type,
                                      {},
                                      "Unsupported media type",
                                      "send the " + std::string(what) + " as application/json",
                                      {}},
                                     req.version(), req.keep_alive());
}

std::optional<services::idempotency_request> idempotency_of(const http::request_context& ctx) {
  const auto header = ctx.req["Idempotency-Key"];
  if (header.empty()) {
    return std::nullopt;
  }
  const auto request_line =
      std::string(ctx.req.method_string()) + " " + std::string(ctx.req.target()) + "\n";
  return services::idempotency_request{ctx.caller->key_name, std::string(header),
                                       sha256_hex(request_line + std::string(ctx.req.body()))};
}

std::optional<http::response> check_idempotency_key(const http::request& req) {
  if (req.count("Idempotency-Key") == 0 ||
      services::valid_idempotency_key(req["Idempotency-Key"])) {
    return std::nullopt;
  }
  return http::make_problem_response(
      {http::status::bad_request,
       "urn:liaison:problem:invalid-idempotency-key",
       "Invalid Idempotency-Key",
       "an Idempotency-Key is 1 to 255 visible ASCII characters (a UUID is a good choice)",
       {}},
      req.version(), req.keep_alive());
}

http::response idempotency_key_reused(const http::request& req, std::string_view earlier_id) {
  return http::make_problem_response(
      {http::status::unprocessable_entity,
       "urn:liaison:problem:idempotency-key-reused",
       "Idempotency-Key reused",
       "this Idempotency-Key was already used for a different request (" + std::string(earlier_id) +
           "); use a new key for a new request",
       {}},
      req.version(), req.keep_alive());
}

http::response redis_unavailable(const http::request& req) {
  return http::make_problem_response({http::status::service_unavailable,
                                      "urn:liaison:problem:redis-unavailable",
                                      "Redis unavailable",
                                      "Redis could not be reached; nothing was changed",
                                      {}},
                                     req.version(), req.keep_alive());
}

http::response malformed_json(const http::request& req, std::string detail) {
  return http::make_problem_response({http::status::bad_request,
                                      "urn:liaison:problem:malformed-json",
                                      "Malformed JSON",
                                      std::move(detail),
                                      {}},
                                     req.version(), req.keep_alive());
}

}  // namespace liaison::api
