// The generic webhook provider, for a district's own gateway: each delivery is one JSON POST,
// signed with HMAC-SHA256 over "<timestamp>.<body>" so the gateway can check it came from us and
// is fresh; the same scheme signs what the gateway posts back to us (inbound and status).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "channels/status_report.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

inline constexpr std::string_view webhook_timestamp_header = "X-Liaison-Timestamp";
inline constexpr std::string_view webhook_signature_header = "X-Liaison-Signature";

// "sha256=" + lowercase hex HMAC-SHA256(secret, timestamp + "." + body).
std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body);

using webhook_verdict = callback_verdict;

// Checks a signed request: both headers present, the timestamp (Unix seconds) within
// `tolerance` of `now` either way (a replay of an old request is refused), and the signature
// equal in constant time.
webhook_verdict verify_webhook_signature(std::string_view secret, std::string_view timestamp,
                                         std::string_view body, std::string_view signature,
                                         std::chrono::system_clock::time_point now,
                                         std::chrono::seconds tolerance = callback_tolerance);

// The body of a gateway's status post to POST /v1/providers/webhook/{name}/status:
// {"delivery_id": "…", "status": "…", "error": "…" (optional)}. Status words: delivered →
// delivered; undelivered, failed, rejected, expired → undelivered; sent, queued, accepted,
// buffered, submitted → sent (progress). nullopt for anything else (malformed JSON, a missing
// field, an unknown status).
std::optional<status_report> interpret_webhook_status(std::string_view body);

// The body of a gateway's inbound post to POST /v1/providers/webhook/{name}/inbound: a text a
// family sent, {"from": "+12025550111", "text": "PARAR", "to": "12345" (optional)}. `from` is
// normalized to E.164 (numbers without "+" are read as `default_region`'s). nullopt for anything
// else (malformed JSON, `from` missing or not a phone number, `text` missing or not a string).
std::optional<inbound_text> interpret_webhook_inbound(std::string_view body,
                                                      std::string_view default_region = "US");

// The JSON body of one delivery: {"delivery_id","message_id","channel","to","language",
// "text", and when set "subject","voice_language","voice_prompt"}.
std::string webhook_payload(const rendered_delivery& delivery);

// A POST of `body` (JSON) to `url`, signed as above, with the Idempotency-Key given.
http_request signed_json_post(std::string_view url, std::string_view secret, std::string body,
                              std::string_view idempotency_key,
                              std::chrono::system_clock::time_point now,
                              std::chrono::milliseconds timeout);

http_request build_webhook_request(std::string_view url, std::string_view secret,
                                   const rendered_delivery& delivery,
                                   std::chrono::system_clock::time_point now,
                                   std::chrono::milliseconds timeout);

// 2xx → sent (provider id: the answer's JSON "id" when given, else our delivery id); otherwise
// the generic HTTP rules; a JSON answer {"opted_out": true} marks the recipient opted out.
delivery_outcome classify_webhook_answer(const http_response& response,
                                         const rendered_delivery& delivery,
                                         std::chrono::system_clock::time_point now);

class webhook_provider final : public provider {
 public:
  webhook_provider(const config::provider_config& cfg, std::shared_ptr<http_client> client,
                   liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  std::string url_;
  std::string secret_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

// The `notice` channel ([notices]): each delivery's text is a JSON event and its address the
// URL to post it to (the district's endpoint or a school's reply_webhook), signed with the
// notices secret, or with the school's own for its reply_webhook. Answers are classified by the
// generic HTTP rules (5xx and 429 retried).
class notice_provider final : public provider {
 public:
  // `secret_by_url`: the URLs (schools' reply_webhooks) signed with their own secret instead.
  notice_provider(std::string secret, std::chrono::milliseconds timeout,
                  std::shared_ptr<http_client> client, liaison::clock clock = {},
                  std::map<std::string, std::string> secret_by_url = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override { return c == config::channel::notice; }
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

 private:
  std::string name_ = "notices";
  std::string secret_;
  std::map<std::string, std::string> secret_by_url_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

}  // namespace liaison::channels
