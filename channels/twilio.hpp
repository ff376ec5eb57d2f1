// Twilio: SMS through Messages.json, voice calls through Calls.json with inline TwiML, answer
// classification, and X-Twilio-Signature verification for Twilio's callbacks (DESIGN.md §5).
// Everything but twilio_provider::send is a pure function, tested without sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "support/clock.hpp"
#include "support/markup.hpp"

namespace liaison::channels {

using form_fields = std::vector<std::pair<std::string, std::string>>;

// What a Twilio provider needs from config (settings/secrets of a `kind = "twilio"` provider).
struct twilio_settings {
  std::string base_url;  // https://api.twilio.com, or a test peer
  std::string account_sid;
  std::string auth_token;
  std::string from;                   // E.164 sender; or
  std::string messaging_service_sid;  // a Messaging Service (takes precedence for SMS)
  std::string public_url;             // ours, for StatusCallback and <Gather action>
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// Twilio's documented limits.
inline constexpr std::size_t twilio_max_body_chars = 1600;
inline constexpr std::size_t twilio_max_twiml_chars = 4000;

// The TwiML of an outbound call: the message spoken in `voice_language` inside a one-digit
// <Gather> whose result Twilio posts to `gather_action`, then the menu prompt (if any). When
// the callee presses nothing, the call ends after the message. An empty `text` says the prompt
// alone (the answer to a key that means nothing).
std::string build_call_twiml(std::string_view text, std::string_view voice_language,
                             std::string_view prompt, std::string_view gather_action);
// The end of a call: `text` said in `voice_language` (nothing when either is empty), then
// <Hangup/>.
std::string build_goodbye_twiml(std::string_view text, std::string_view voice_language);
// Where Twilio posts a call's <Gather> result: {public_url}/v1/providers/twilio/voice?delivery_id=…
// (the delivery id rides in the signed URL).
std::string twilio_gather_action(std::string_view public_url, std::string_view delivery_id);

// The Messages.json call for one SMS delivery.
http_request build_twilio_sms_request(const twilio_settings& settings,
                                      const rendered_delivery& delivery);
// The Calls.json call for one voice delivery; nothing when the TwiML would exceed Twilio's limit.
std::optional<http_request> build_twilio_call_request(const twilio_settings& settings,
                                                      const rendered_delivery& delivery);

// Twilio's answer as an outcome: 201 → sent with the `sid`; 429 or error 20429 → retry later;
// 21610 → permanent, recipient opted out; 21211 (and other invalid-number codes) → permanent,
// invalid address; otherwise the generic HTTP rules (outcome.hpp).
delivery_outcome classify_twilio_answer(const http_response& response,
                                        std::chrono::system_clock::time_point now);

// X-Twilio-Signature: Base64(HMAC-SHA1(auth token, url + each POST field's key and value, in
// key order)).
std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& post_fields);
// Checks a callback's signature in constant time. `url` is the URL Twilio was given (our
// public_url + path + query); it is also tried with the scheme's default port added or removed,
// because Twilio signs the URL as it was configured and proxies may rewrite it.
bool verify_twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& post_fields, std::string_view signature);

// A Twilio status callback (MessageStatus for SMS, CallStatus for calls), read as Liaison's
// final states: "delivered" (delivered, read, a completed call), "undelivered" (undelivered,
// failed, a busy / unanswered / canceled call), or none for the steps in between (queued, sent,
// ringing…). Error 21610 means the number texted STOP to the carrier: opt it out.
struct twilio_status_report {
  std::string status;       // Twilio's word
  std::string final_state;  // "delivered", "undelivered", or empty
  std::string error_code;   // ErrorCode, when given
  bool recipient_opted_out = false;
};
twilio_status_report interpret_twilio_status(const form_fields& fields);

class twilio_provider final : public provider {
 public:
  twilio_provider(const config::provider_config& cfg, std::string public_url,
                  std::shared_ptr<http_client> client, liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

  const twilio_settings& settings() const noexcept { return settings_; }

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  twilio_settings settings_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

}  // namespace liaison::channels
