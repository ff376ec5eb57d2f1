// Provider callbacks (daemon/api/provider_routes.cpp): anyone on the Internet can post to them,
// so everything that reads them before the signature is checked, and after, is fuzzed: Twilio's
// form bodies, Kannel's get-url and dlr-url query parameters, the generic gateway's JSON posts
// and SendGrid's event arrays. Checks that what we sign verifies, that what a provider reports
// becomes one of the queue's three states, and that inbound senders come out as E.164.
//
// Input: the request target ("/v1/providers/kannel/mo?from=…&text=…"), a newline, the body.
#include <chrono>
#include <string>

#include "channels/kannel.hpp"
#include "channels/sendgrid.hpp"
#include "channels/status_report.hpp"
#include "channels/twilio.hpp"
#include "channels/webhook.hpp"
#include "daemon/api/callback_input.hpp"
#include "fuzz/fuzz_target.hpp"

namespace {

using namespace liaison;

constexpr std::string_view secret = "0123456789abcdef0123456789abcdef";

void check_report(const channels::status_report& report) {
  fuzz::check(
      report.state == "delivered" || report.state == "undelivered" || report.state == "sent",
      "a provider report becomes delivered, undelivered or sent");
}

void check_inbound(const channels::inbound_text& text) {
  fuzz::check(text.from.size() > 1 && text.from.front() == '+',
              "an inbound sender is an E.164 number");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fuzz::check;
  const auto input = fuzz::as_text(data, size);
  const auto newline = input.find('\n');
  const auto target = input.substr(0, newline);
  const auto body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  http::request req{http::verb::post, target, 11};
  req.body() = std::string(body);

  // Twilio: a form body, signed over our URL and the fields.
  if (const auto fields = api::parse_form(body)) {
    const std::string url = "https://liaison.example.org" + std::string(target);
    const auto signature = channels::twilio_signature(secret, url, *fields);
    check(channels::verify_twilio_signature(secret, url, *fields, signature),
          "a Twilio signature we compute verifies");
    check(!channels::verify_twilio_signature(secret, url, *fields, signature + "x"),
          "a changed Twilio signature does not verify");
    const auto report = channels::interpret_twilio_status(*fields);
    check(report.final_state.empty() || report.final_state == "delivered" ||
              report.final_state == "undelivered",
          "a Twilio status is delivered, undelivered or not final");
    (void)api::form_field(*fields, "Body");
  }

  // Kannel's dlr-url: the delivery id signed by us, the type and answer filled in by Kannel.
  const auto delivery_id = api::query_parameter(req, "delivery_id");
  const auto signature = api::query_parameter(req, "sig");
  const auto verdict = channels::verify_kannel_dlr(secret, delivery_id, signature);
  check(verdict != channels::callback_verdict::valid ||
            signature == channels::kannel_dlr_signature(secret, delivery_id),
        "only our own dlr-url signature is valid");
  check(delivery_id.empty() ||
            channels::verify_kannel_dlr(secret, delivery_id,
                                        channels::kannel_dlr_signature(secret, delivery_id)) ==
                channels::callback_verdict::valid,
        "a dlr-url signature we compute verifies");
  if (const auto report = channels::interpret_kannel_dlr(
          delivery_id, api::query_parameter(req, "type"), api::query_parameter(req, "answer"))) {
    check_report(*report);
  }

  // Kannel's get-url: a token, the sender and the text, as form values.
  const auto token = api::form_query_parameter(req, "token").value_or("");
  (void)channels::verify_kannel_mo_token(secret, token);
  const auto text = api::form_query_parameter(req, "text");
  if (const auto mo =
          channels::parse_kannel_mo(api::form_query_parameter(req, "from").value_or(""),
                                    api::form_query_parameter(req, "to").value_or(""),
                                    text ? std::optional<std::string_view>(*text) : std::nullopt)) {
    check_inbound(*mo);
  }

  // The generic gateway's JSON posts, signed with a timestamp.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  const std::string timestamp = "1700000000";
  check(channels::verify_webhook_signature(secret, timestamp, body,
                                           channels::webhook_signature(secret, timestamp, body),
                                           now) == channels::callback_verdict::valid,
        "a gateway signature we compute verifies");
  (void)channels::verify_webhook_signature(secret, target, body, body, now);
  (void)channels::parse_unix_seconds(target);
  if (const auto report = channels::interpret_webhook_status(body)) {
    check_report(*report);
  }
  if (const auto inbound = channels::interpret_webhook_inbound(body)) {
    check_inbound(*inbound);
  }
  // SendGrid's event array.
  if (const auto reports = channels::interpret_sendgrid_events(body)) {
    for (const auto& report : *reports) {
      check_report(report);
    }
  }
  return 0;
}
