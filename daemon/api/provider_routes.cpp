#include <boost/beast/http/field.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>

#include "channels/twilio.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/inbound_sms.hpp"
#include "queue/delivery_queue.hpp"

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

// The form of a request Twilio signed, or why not (an answer to send back).
struct twilio_request {
  std::optional<channels::form_fields> fields;
  std::optional<http::response> refusal;
};

twilio_request verify_twilio(const http::request& req, const std::string& auth_token,
                             const std::string& public_url) {
  if (auth_token.empty()) {
    return {std::nullopt,
            http::make_problem_response(http::not_found_problem("no Twilio provider is configured"),
                                        req.version(), req.keep_alive())};
  }
  auto fields = parse_form(req.body());
  const std::string url = public_url + std::string(req.target());
  if (!fields ||
      !channels::verify_twilio_signature(auth_token, url, *fields, req["X-Twilio-Signature"])) {
    return {std::nullopt,
            http::make_problem_response({http::status::forbidden,
                                         "urn:liaison:problem:bad-signature",
                                         "Bad signature",
                                         "X-Twilio-Signature does not match this request",
                                         {}},
                                        req.version(), false)};
  }
  return {std::move(fields), std::nullopt};
}

// A query parameter of the request target ("delivery_id" of a status callback URL).
std::string query_parameter(const http::request& req, std::string_view name) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) {
    return {};
  }
  for (const auto& param : target->params()) {
    if (param.key == name) {
      return param.value;
    }
  }
  return {};
}

http::response retry_later(const http::request& req, const char* what) {
  return http::make_problem_response(
      {http::status::service_unavailable, {}, "Unavailable", what, {}}, req.version(),
      req.keep_alive());
}

}  // namespace

void add_provider_routes(http::router& routes, const config::liaison_config& cfg,
                         services::inbound_sms_service& inbound, queue::delivery_queue& queue,
                         services::directory_store& directory) {
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
        auto verified = verify_twilio(req, auth_token, public_url);
        if (verified.refusal) {
          co_return std::move(*verified.refusal);
        }
        const auto& fields = verified.fields;
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

  // Twilio's status callbacks: a message or call we handed over was delivered, or not.
  routes.add(http::verb::post, "/v1/providers/twilio/status", http::access_rule::anyone(),
             [auth_token, public_url, &queue,
              &directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto verified = verify_twilio(req, auth_token, public_url);
               if (verified.refusal) {
                 co_return std::move(*verified.refusal);
               }
               const auto report = channels::interpret_twilio_status(*verified.fields);
               if (report.recipient_opted_out) {
                 // The carrier says this number texted STOP: never text it again (as a 21610
                 // answer).
                 const auto to = field(*verified.fields, "To");
                 if (auto stored = co_await directory.set_opted_out(config::channel::sms, to, true);
                     !stored) {
                   co_return retry_later(req, "the opt-out could not be stored; retry");
                 }
               }
               const auto delivery_id = query_parameter(req, "delivery_id");
               if (!report.final_state.empty() && !delivery_id.empty()) {
                 queue::record_fields fields = {{"provider_status", report.status}};
                 if (!report.error_code.empty()) {
                   fields["provider_error"] = report.error_code;
                 }
                 auto recorded =
                     co_await queue.record_provider_report(delivery_id, report.final_state, fields);
                 if (!recorded) {
                   co_return retry_later(req, "the status could not be recorded; retry");
                 }
               }
               http::response res{http::status::no_content, req.version()};
               res.keep_alive(req.keep_alive());
               res.prepare_payload();
               co_return res;
             });
}

}  // namespace liaison::api
