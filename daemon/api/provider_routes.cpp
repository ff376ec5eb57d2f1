#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>

#include "channels/kannel.hpp"
#include "channels/sendgrid.hpp"
#include "channels/twilio.hpp"
#include "channels/webhook.hpp"
#include "daemon/api/callback_input.hpp"
#include "daemon/api/provider_metrics.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/inbound_sms.hpp"
#include "daemon/services/voice_keypad.hpp"
#include "i18n/sms_encoding.hpp"
#include "i18n/utf8.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

http::response twiml(const http::request& req, const std::string& reply) {
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  body += reply.empty() ? "<Response/>"
                        : "<Response><Message>" + xml_escape(reply) + "</Message></Response>";
  return http::make_text_response(http::status::ok, "text/xml; charset=utf-8", std::move(body),
                                  req);
}

// The form of a request Twilio signed, or why not (an answer to send back).
struct twilio_request {
  std::optional<channels::form_fields> fields;
  std::optional<http::response> refusal;
};

http::response bad_signature(const http::request& req, channels::callback_verdict verdict,
                             std::string_view what) {
  std::string detail(what);
  detail += verdict == channels::callback_verdict::stale
                ? ": its signed timestamp is too far from now (a replay?)"
                : " does not match this request";
  return http::make_problem_response(
      {http::status::forbidden, "urn:liaison:problem:bad-signature", "Bad signature", detail, {}},
      req.version(), false);
}

http::response malformed(const http::request& req, const char* what) {
  return http::make_problem_response({http::status::bad_request,
                                      "urn:liaison:problem:malformed-callback",
                                      "Malformed callback",
                                      what,
                                      {}},
                                     req.version(), req.keep_alive());
}

http::response no_content(const http::request& req) {
  http::response res{http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

twilio_request verify_twilio(const http::request& req, const std::string& auth_token,
                             const std::string& public_url, provider_metrics& metrics) {
  if (auth_token.empty()) {
    return {std::nullopt,
            http::make_problem_response(http::not_found_problem("no Twilio provider is configured"),
                                        req.version(), req.keep_alive())};
  }
  auto fields = parse_form(req.body());
  const std::string url = public_url + std::string(req.target());
  if (!fields ||
      !channels::verify_twilio_signature(auth_token, url, *fields, req["X-Twilio-Signature"])) {
    const auto verdict = req["X-Twilio-Signature"].empty()
                             ? channels::callback_verdict::missing
                             : channels::callback_verdict::wrong_signature;
    metrics.callback_rejected("twilio", verdict);
    return {std::nullopt, bad_signature(req, verdict, "X-Twilio-Signature")};
  }
  // Twilio sends UTF-8; anything else is a broken or crafted request, and such text must not
  // reach the directory, a conversation or a school's inbox.
  for (const auto& [key, value] : *fields) {
    if (!i18n::is_valid_utf8(key) || !i18n::is_valid_utf8(value)) {
      metrics.callback_malformed("twilio");
      return {std::nullopt, malformed(req, "a form field is not valid UTF-8")};
    }
  }
  metrics.callback_accepted("twilio");
  return {std::move(fields), std::nullopt};
}

http::response plain_text(const http::request& req, std::string text) {
  return http::make_text_response(http::status::ok, "text/plain; charset=utf-8", std::move(text),
                                  req);
}

http::response twiml_document(const http::request& req, std::string document) {
  return http::make_text_response(http::status::ok, "text/xml; charset=utf-8", std::move(document),
                                  req);
}

http::response retry_later(const http::request& req, const char* what) {
  return http::make_problem_response(
      {http::status::service_unavailable, {}, "Unavailable", what, {}}, req.version(),
      req.keep_alive());
}

// The record fields of a report: what the provider said, and its error when it gave one.
queue::record_fields report_fields(const channels::status_report& report) {
  queue::record_fields fields;
  fields["provider_status"] = report.provider_status;
  if (!report.error.empty()) {
    fields["provider_error"] = report.error;
  }
  return fields;
}

// Records each report (monotonic in the queue's script: replays and late reports change
// nothing). False when Redis did not take one: the provider should send them again.
awaitable<bool> record_reports(queue::delivery_queue& queue,
                               std::vector<channels::status_report> reports) {
  for (const auto& report : reports) {
    const auto fields = report_fields(report);
    auto recorded = co_await queue.record_provider_report(report.delivery_id, report.state, fields);
    if (!recorded) {
      co_return false;
    }
  }
  co_return true;
}

// The verdict over several keys (two SendGrid accounts, two Kannel gateways): valid when one
// key says so; else stale when a key knew the signature; else the first key's verdict.
channels::callback_verdict best_verdict(const std::vector<channels::callback_verdict>& verdicts) {
  using channels::callback_verdict;
  for (const auto wanted : {callback_verdict::valid, callback_verdict::stale}) {
    for (const auto v : verdicts) {
      if (v == wanted) {
        return v;
      }
    }
  }
  return verdicts.empty() ? callback_verdict::missing : verdicts.front();
}

// The secrets and keys that authenticate each provider's callbacks, from config.
struct callback_keys {
  std::string twilio_auth_token;
  std::vector<std::string> kannel_dlr_secrets;
  std::vector<std::string> kannel_mo_tokens;
  std::vector<channels::sendgrid_event_verifier> sendgrid_verifiers;
  std::map<std::string, std::string, std::less<>> webhook_secrets;  // by provider name
};

callback_keys callback_keys_from(const config::liaison_config& cfg) {
  callback_keys keys;
  for (const auto& p : cfg.providers) {
    const auto secret = [&p](const char* name) {
      const auto it = p.secrets.find(name);
      return it == p.secrets.end() ? std::string() : it->second;
    };
    switch (p.kind) {
      case config::provider_kind::twilio:
        if (keys.twilio_auth_token.empty()) {
          keys.twilio_auth_token = secret("auth_token");
        }
        break;
      case config::provider_kind::kannel:
        if (const auto dlr = secret("dlr_secret"); !dlr.empty()) {
          keys.kannel_dlr_secrets.push_back(dlr);
        }
        // Without a token (config mo_token_file) the gateway takes no MO: the route stays closed.
        if (const auto token = secret("mo_token"); !token.empty()) {
          keys.kannel_mo_tokens.push_back(token);
        }
        break;
      case config::provider_kind::sendgrid:
        if (const auto it = p.settings.find("event_webhook_public_key"); it != p.settings.end()) {
          try {
            keys.sendgrid_verifiers.emplace_back(it->second);
          } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("provider '" + p.name +
                                        "': event_webhook_public_key: " + e.what());
          }
        }
        break;
      case config::provider_kind::webhook:
        // An empty key would make every signature computable: such a gateway gets no route.
        if (const auto key = secret("secret"); !key.empty()) {
          keys.webhook_secrets[p.name] = key;
        }
        break;
      default:
        break;
    }
  }
  return keys;
}

// Why a post to a generic webhook gateway's route is refused (no gateway of that name, or not
// signed with its secret within the timestamp window), or nullopt when it is genuine.
std::optional<http::response> refuse_gateway_post(const http::request_context& ctx,
                                                  const callback_keys& keys,
                                                  provider_metrics& metrics, const clock& time) {
  const auto& req = ctx.req;
  const auto it = keys.webhook_secrets.find(ctx.path_params.at("name"));
  if (it == keys.webhook_secrets.end()) {
    return http::make_problem_response(http::not_found_problem("no webhook provider of that name"),
                                       req.version(), req.keep_alive());
  }
  const auto verdict = channels::verify_webhook_signature(
      it->second, req[channels::webhook_timestamp_header], req.body(),
      req[channels::webhook_signature_header], time.now_system());
  if (verdict != channels::callback_verdict::valid) {
    metrics.callback_rejected("webhook", verdict);
    return bad_signature(req, verdict, "X-Liaison-Signature");
  }
  return std::nullopt;
}

}  // namespace

void add_provider_routes(http::router& routes, const config::liaison_config& cfg,
                         services::inbound_sms_service& inbound,
                         services::voice_keypad_service& keypad, queue::delivery_queue& queue,
                         services::directory_store& directory, const clock& time,
                         provider_metrics& metrics) {
  auto keys = std::make_shared<const callback_keys>(callback_keys_from(cfg));
  const std::string auth_token = keys->twilio_auth_token;
  const std::string public_url = cfg.http.public_url;

  // Twilio's inbound SMS webhook: authenticated by X-Twilio-Signature, not by an API key.
  routes.add(http::verb::post, "/v1/providers/twilio/sms", http::access_rule::anyone(),
             [auth_token, public_url, &inbound,
              &metrics](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto verified = verify_twilio(req, auth_token, public_url, metrics);
               if (verified.refusal) {
                 co_return std::move(*verified.refusal);
               }
               const auto& fields = verified.fields;
               auto reply = co_await inbound.handle(form_field(*fields, "From"),
                                                    form_field(*fields, "Body"));
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
             [auth_token, public_url, &queue, &directory,
              &metrics](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto verified = verify_twilio(req, auth_token, public_url, metrics);
               if (verified.refusal) {
                 co_return std::move(*verified.refusal);
               }
               const auto report = channels::interpret_twilio_status(*verified.fields);
               if (report.recipient_opted_out) {
                 // The carrier says this number texted STOP: never text it again (as a 21610
                 // answer).
                 const auto to = form_field(*verified.fields, "To");
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
               co_return no_content(req);
             });

  // Kannel's delivery reports: smsbox fetches the dlr-url we gave with each message. Kannel
  // signs nothing, so the URL carries our HMAC of the delivery id (channels/kannel.hpp).
  routes.add(http::verb::get, "/v1/providers/kannel/dlr", http::access_rule::anyone(),
             [keys, &queue, &metrics](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               if (keys->kannel_dlr_secrets.empty()) {
                 co_return http::make_problem_response(
                     http::not_found_problem("no Kannel provider is configured"), req.version(),
                     req.keep_alive());
               }
               const auto delivery_id = query_parameter(req, "delivery_id");
               const auto signature = query_parameter(req, "sig");
               std::vector<channels::callback_verdict> verdicts;
               for (const auto& secret : keys->kannel_dlr_secrets) {
                 verdicts.push_back(channels::verify_kannel_dlr(secret, delivery_id, signature));
               }
               const auto verdict = best_verdict(verdicts);
               if (verdict != channels::callback_verdict::valid) {
                 metrics.callback_rejected("kannel", verdict);
                 co_return bad_signature(req, verdict, "the dlr-url's sig");
               }
               auto report = channels::interpret_kannel_dlr(
                   delivery_id, query_parameter(req, "type"), query_parameter(req, "answer"));
               if (!report) {
                 metrics.callback_malformed("kannel");
                 co_return malformed(req, "type is not a Kannel DLR type (1, 2, 4, 8 or 16)");
               }
               metrics.callback_accepted("kannel");
               std::vector<channels::status_report> reports;
               reports.push_back(std::move(*report));
               if (!co_await record_reports(queue, std::move(reports))) {
                 co_return retry_later(req, "the report could not be recorded; retry");
               }
               co_return no_content(req);
             });

  // Twilio's <Gather> result on a call: the key the family pressed (docs/api.md). The delivery
  // id is in the signed URL (twilio_gather_action).
  routes.add(http::verb::post, "/v1/providers/twilio/voice", http::access_rule::anyone(),
             [auth_token, public_url, &keypad,
              &metrics](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto verified = verify_twilio(req, auth_token, public_url, metrics);
               if (verified.refusal) {
                 co_return std::move(*verified.refusal);
               }
               auto answer = co_await keypad.handle(query_parameter(req, "delivery_id"),
                                                    form_field(*verified.fields, "Digits"));
               if (!answer) {
                 // Twilio says its own error to the caller; the key press is not recorded.
                 co_return retry_later(req, "the answer could not be recorded");
               }
               co_return twiml_document(req, std::move(*answer));
             });

  // Kannel's MO messages: smsbox's sms-service fetches our get-url with the sender and text.
  // Kannel signs nothing, so the configured URL carries a secret token (channels/kannel.hpp).
  // The reply (STOP confirmation, HELP…) is the answer's body: smsbox sends it back to the
  // sender through the SMSC the message came from (docs/channels.md says why not the queue).
  auto splitter = std::make_shared<i18n::sms_splitter>();
  routes.add(http::verb::get, "/v1/providers/kannel/mo", http::access_rule::anyone(),
             [keys, splitter, &inbound,
              &metrics](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               if (keys->kannel_mo_tokens.empty()) {
                 co_return http::make_problem_response(
                     http::not_found_problem("no Kannel provider has an mo_token"), req.version(),
                     req.keep_alive());
               }
               const auto token = form_query_parameter(req, "token").value_or("");
               std::vector<channels::callback_verdict> verdicts;
               for (const auto& expected : keys->kannel_mo_tokens) {
                 verdicts.push_back(channels::verify_kannel_mo_token(expected, token));
               }
               const auto verdict = best_verdict(verdicts);
               if (verdict != channels::callback_verdict::valid) {
                 metrics.callback_rejected("kannel", verdict);
                 co_return bad_signature(req, verdict, "the get-url's token");
               }
               const auto text = form_query_parameter(req, "text");
               // smsbox hands texts over in UTF-8 (also UCS-2 ones): other bytes are refused.
               if ((text && !i18n::is_valid_utf8(*text)) ||
                   !i18n::is_valid_utf8(form_query_parameter(req, "from").value_or(""))) {
                 metrics.callback_malformed("kannel");
                 co_return malformed(req, "from and text must be UTF-8");
               }
               auto mo = channels::parse_kannel_mo(
                   form_query_parameter(req, "from").value_or(""),
                   form_query_parameter(req, "to").value_or(""),
                   text ? std::optional<std::string_view>(*text) : std::nullopt);
               if (!mo) {
                 metrics.callback_malformed("kannel");
                 co_return malformed(req, "expected from (a phone number, %p) and text (%a)");
               }
               metrics.callback_accepted("kannel");
               auto reply = co_await inbound.handle(mo->from, mo->text);
               if (!reply) {
                 // smsbox fetches again when configured to (http-request-retry).
                 co_return retry_later(req, "the message could not be processed; retry");
               }
               // smsbox sends a reply as GSM-7 unless told otherwise, turning "á" into "?":
               // X-Kannel-Coding 2 (UCS-2) when the text needs it (accept-x-kannel-headers).
               const auto analysis = splitter->analyze(*reply);
               const bool ucs2 = !analysis || analysis.value->encoding == i18n::sms_encoding::ucs2;
               auto res = plain_text(req, std::move(*reply));
               res.set("X-Kannel-Coding", ucs2 ? "2" : "0");
               co_return res;
             });

  // The generic webhook provider's inbound texts, signed as its status posts are. The reply is
  // the answer's JSON {"reply": "…"} (empty when none): the gateway sends it to the sender.
  routes.add(
      http::verb::post, "/v1/providers/webhook/{name}/inbound", http::access_rule::anyone(),
      [keys, &inbound, &metrics, &time](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (auto refusal = refuse_gateway_post(ctx, *keys, metrics, time)) {
          co_return std::move(*refusal);
        }
        auto text = channels::interpret_webhook_inbound(req.body());
        if (!text) {
          metrics.callback_malformed("webhook");
          co_return malformed(req, "expected {\"from\": a phone number, \"text\": a string}");
        }
        metrics.callback_accepted("webhook");
        auto reply = co_await inbound.handle(text->from, text->text);
        if (!reply) {
          co_return retry_later(req, "the message could not be processed; retry");
        }
        boost::json::object body;
        body["reply"] = std::move(*reply);
        co_return http::make_json_response(http::status::ok, body, req);
      });

  // SendGrid's Event Webhook: a signed JSON array of events (ECDSA, with a timestamp that
  // bounds replays); each event names its delivery through custom_args.delivery_id.
  routes.add(
      http::verb::post, "/v1/providers/sendgrid/events", http::access_rule::anyone(),
      [keys, &queue, &metrics, &time](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (keys->sendgrid_verifiers.empty()) {
          co_return http::make_problem_response(
              http::not_found_problem("no SendGrid provider has an event_webhook_public_key"),
              req.version(), req.keep_alive());
        }
        const auto now = time.now_system();
        std::vector<channels::callback_verdict> verdicts;
        for (const auto& verifier : keys->sendgrid_verifiers) {
          verdicts.push_back(verifier.verify(req[channels::sendgrid_timestamp_header], req.body(),
                                             req[channels::sendgrid_signature_header], now));
        }
        const auto verdict = best_verdict(verdicts);
        if (verdict != channels::callback_verdict::valid) {
          metrics.callback_rejected("sendgrid", verdict);
          co_return bad_signature(req, verdict, "X-Twilio-Email-Event-Webhook-Signature");
        }
        auto reports = channels::interpret_sendgrid_events(req.body());
        if (!reports) {
          metrics.callback_malformed("sendgrid");
          co_return malformed(req, "the body is not a JSON array of events");
        }
        metrics.callback_accepted("sendgrid");
        if (!co_await record_reports(queue, std::move(*reports))) {
          // SendGrid posts the batch again; what was recorded is not moved twice.
          co_return retry_later(req, "the events could not be recorded; retry");
        }
        co_return no_content(req);
      });

  // The generic webhook provider's status posts, signed as we sign what we post to it.
  routes.add(
      http::verb::post, "/v1/providers/webhook/{name}/status", http::access_rule::anyone(),
      [keys, &queue, &metrics, &time](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (auto refusal = refuse_gateway_post(ctx, *keys, metrics, time)) {
          co_return std::move(*refusal);
        }
        auto report = channels::interpret_webhook_status(req.body());
        if (!report) {
          metrics.callback_malformed("webhook");
          co_return malformed(req, "expected {\"delivery_id\", \"status\"} with a known status");
        }
        metrics.callback_accepted("webhook");
        std::vector<channels::status_report> reports;
        reports.push_back(std::move(*report));
        if (!co_await record_reports(queue, std::move(reports))) {
          co_return retry_later(req, "the status could not be recorded; retry");
        }
        co_return no_content(req);
      });
}

}  // namespace liaison::api
