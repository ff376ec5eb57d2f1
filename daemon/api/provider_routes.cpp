#include <boost/beast/http/field.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>

#include "channels/twilio.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/inbound_sms.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

// application/x-www-form-urlencoded, decoded by Boost.URL (a form body is a query string).
std::optional<channels::form_fields> parse_form(std::string_view body) {
  auto params = boost::urls::parse_query(body);
  if (!params) {
    return std::nullopt;
  }
  // HTML forms write a space as '+'.
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  channels::form_fields fields;
  for (const auto& param : *params) {
    fields.emplace_back(param.key.decode(form_encoding), param.value.decode(form_encoding));
  }
  return fields;
}

std::string field(const channels::form_fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

http::response twiml(const http::request& req, const std::string& reply) {
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  body += reply.empty()
              ? "<Response/>"
              : "<Response><Message>" + channels::xml_escape(reply) + "</Message></Response>";
  return http::make_text_response(http::status::ok, "text/xml; charset=utf-8", std::move(body),
                                  req);
}

}  // namespace

void add_provider_routes(http::router& routes, const config::liaison_config& cfg,
                         services::inbound_sms_service& inbound) {
  std::string auth_token;
  for (const auto& p : cfg.providers) {
    if (p.kind == config::provider_kind::twilio && p.secrets.contains("auth_token")) {
      auth_token = p.secrets.at("auth_token");
      break;
    }
  }
  const std::string public_url = cfg.http.public_url;

  // Twilio's inbound SMS webhook: authenticated by X-Twilio-Signature, not by an API key.
  routes.add(
      http::verb::post, "/v1/providers/twilio/sms", http::access_rule::anyone(),
      [auth_token, public_url, &inbound](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (auth_token.empty()) {
          co_return http::make_problem_response(
              http::not_found_problem("no Twilio provider is configured"), req.version(),
              req.keep_alive());
        }
        const auto fields = parse_form(req.body());
        const std::string url = public_url + std::string(req.target());
        if (!fields || !channels::verify_twilio_signature(auth_token, url, *fields,
                                                          req["X-Twilio-Signature"])) {
          co_return http::make_problem_response({http::status::forbidden,
                                                 "urn:liaison:problem:bad-signature",
                                                 "Bad signature",
                                                 "X-Twilio-Signature does not match this request",
                                                 {}},
                                                req.version(), false);
        }
        auto reply = co_await inbound.handle(field(*fields, "From"), field(*fields, "Body"));
        if (!reply) {
          // Twilio retries on 5xx; the opt-out must not be lost.
          co_return http::make_problem_response({http::status::service_unavailable,
                                                 {},
                                                 "Directory unavailable",
                                                 "the reply could not be processed; retry",
                                                 {}},
                                                req.version(), req.keep_alive());
        }
        co_return twiml(req, *reply);
      });
}

}  // namespace liaison::api
