// The seam between a rendered delivery and a provider API: each provider turns one delivery
// into one provider call and classifies the answer as sent / retry later / permanent failure.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace liaison::channels {

// What a provider needs to send one delivery; already localized and rendered.
struct rendered_delivery {
  std::string delivery_id;  // stable across retries: a retry never creates a second delivery
  std::string message_id;   // the request that produced it (a direct message or announcement)
  config::channel channel = config::channel::sms;
  std::string address;   // E.164 phone number or email address
  std::string language;  // canonical BCP 47
  std::string subject;   // email only
  std::string text;
  // Voice only: the language tag the provider's text-to-speech speaks (Twilio <Say language>),
  // chosen by i18n from the languages the provider can speak; empty = it cannot speak the
  // guardian's language, and a voice provider refuses the delivery (permanent failure).
  std::string voice_language{};
  // Voice only: the localized keypad menu ("Press 1 to confirm, 2 to hear this again").
  std::string voice_prompt{};
  // Email only: an HTML rendering; empty = derived from `text` (escaped, paragraphs kept).
  std::string html{};
  // Email only: where a guardian unsubscribes (List-Unsubscribe); empty = none sent.
  std::string unsubscribe_url{};
};

enum class outcome_kind { sent, retry_later, permanent_failure };

struct delivery_outcome {
  outcome_kind kind = outcome_kind::sent;
  std::string provider_message_id;  // when sent
  std::string reason;               // when not sent: for logs, records, dead letters
  std::optional<std::chrono::seconds> retry_after;  // a provider's Retry-After, when given
  // The provider said the recipient opted out (Twilio 21610: they texted STOP). The worker marks
  // the guardian opted out of this channel; kind is permanent_failure.
  bool recipient_opted_out = false;
  // The provider said the address cannot receive this channel (Twilio 21211, a bad number).
  bool invalid_address = false;
  std::string provider_code{};  // the provider's own error code when it gave one ("21610")
  unsigned http_status = 0;     // the provider's HTTP status, 0 when there was no answer
};

inline bool is_sent(const delivery_outcome& o) noexcept {
  return o.kind == outcome_kind::sent;
}

class provider {
 public:
  virtual ~provider() = default;
  virtual const std::string& name() const noexcept = 0;
  virtual bool supports(config::channel c) const noexcept = 0;
  virtual boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) = 0;
};

}  // namespace liaison::channels
