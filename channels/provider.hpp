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
};

enum class outcome_kind { sent, retry_later, permanent_failure };

struct delivery_outcome {
  outcome_kind kind = outcome_kind::sent;
  std::string provider_message_id;  // when sent
  std::string reason;               // when not sent: for logs, records, dead letters
  std::optional<std::chrono::seconds> retry_after;  // a provider's Retry-After, when given
};

class provider {
 public:
  virtual ~provider() = default;
  virtual const std::string& name() const noexcept = 0;
  virtual bool supports(config::channel c) const noexcept = 0;
  virtual boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) = 0;
};

}  // namespace liaison::channels
