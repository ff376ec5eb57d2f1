// SendGrid v3 mail/send: one JSON POST per email, Bearer API key, 202 = accepted, the id in
// the X-Message-Id answer header (SendGrid's events carry it as sg_message_id's prefix).
// SendGrid's signed Event Webhook: ECDSA P-256 signatures checked against the account's public
// key, and events read back to the delivery through custom_args.delivery_id.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "channels/email.hpp"
#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "channels/status_report.hpp"
#include "support/clock.hpp"

struct evp_pkey_st;

namespace liaison::channels {

struct sendgrid_settings {
  std::string base_url;  // https://api.sendgrid.com
  std::string api_key;
  mailbox from;
  std::string reply_to;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// personalizations[0].to, from, subject, content (text/plain then text/html), headers
// (Content-Language, List-Unsubscribe), custom_args.delivery_id (echoed in SendGrid's events).
std::string sendgrid_payload(const sendgrid_settings& settings, const rendered_delivery& delivery);
http_request build_sendgrid_request(const sendgrid_settings& settings,
                                    const rendered_delivery& delivery);

// 202/200 → sent with X-Message-Id; otherwise the generic HTTP rules (400 and 413 permanent,
// 401/403/429/5xx retry later).
delivery_outcome classify_sendgrid_answer(const http_response& response,
                                          std::chrono::system_clock::time_point now);

inline constexpr std::string_view sendgrid_signature_header =
    "X-Twilio-Email-Event-Webhook-Signature";
inline constexpr std::string_view sendgrid_timestamp_header =
    "X-Twilio-Email-Event-Webhook-Timestamp";

// Checks SendGrid's Signed Event Webhook: the signature header is Base64 of a DER ECDSA
// signature (P-256, SHA-256) over the timestamp header's text followed by the raw body.
class sendgrid_event_verifier {
 public:
  // `public_key` as SendGrid's settings show it: Base64 of the DER SubjectPublicKeyInfo of a
  // P-256 key (a PEM block is accepted too). Throws std::invalid_argument for anything else.
  explicit sendgrid_event_verifier(std::string_view public_key);

  // missing / malformed headers, wrong_signature (forged or tampered), stale (a timestamp more
  // than `tolerance` from `now`: a replay), or valid. The signature is checked first, so a
  // forged old request counts as forged.
  callback_verdict verify(std::string_view timestamp, std::string_view body,
                          std::string_view signature, std::chrono::system_clock::time_point now,
                          std::chrono::seconds tolerance = callback_tolerance) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;  // OpenSSL's EVP_PKEY, shared: the verifier is copyable
};

// The events of one Event Webhook post (a JSON array) that concern our deliveries, in order:
// those carrying custom_args' delivery_id (SendGrid copies it to each event). delivered →
// delivered; bounce and dropped → undelivered (the reason is kept); deferred and processed →
// sent (progress); engagement events (open, click, spamreport, unsubscribe…) are skipped.
// nullopt when the body is not a JSON array of objects.
std::optional<std::vector<status_report>> interpret_sendgrid_events(std::string_view body);

class sendgrid_provider final : public provider {
 public:
  // Throws std::invalid_argument when the `from` setting is not a mailbox.
  sendgrid_provider(const config::provider_config& cfg, std::shared_ptr<http_client> client,
                    liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  sendgrid_settings settings_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

}  // namespace liaison::channels
