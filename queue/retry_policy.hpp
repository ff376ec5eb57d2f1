// When to try a delivery again after a transient failure, or when to give up: exponential
// backoff with full jitter, bounded by attempts and by age per channel and priority
// ([retry.<channel>.<priority>]). Plain C++: no clock, no randomness of its own, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace liaison::queue {

struct retry_input {
  config::channel channel = config::channel::sms;
  config::priority priority = config::priority::normal;
  std::size_t attempts = 1;  // sends made so far, including the one that just failed
  std::chrono::system_clock::time_point created_at;  // when the message was accepted
  std::chrono::system_clock::time_point now;
  std::optional<std::chrono::milliseconds> retry_after;  // the provider's Retry-After
  std::string last_error;
};

struct retry_decision {
  bool give_up = false;
  std::chrono::system_clock::time_point retry_at;  // when !give_up
  std::string reason;                              // when give_up: for the dead letter
};

class retry_policy {
 public:
  explicit retry_policy(config::retry_config cfg);

  // `draw` is uniform in [0, 1): the jitter, injected so tests get exact schedules.
  retry_decision decide(const retry_input& input, double draw) const;

  // The upper bound of the wait before retry number `attempts` (1 = after the first send):
  // min(max_delay, base_delay * 2^(attempts - 1)).
  static std::chrono::milliseconds backoff_cap(const config::retry_rule& rule,
                                               std::size_t attempts);

 private:
  config::retry_config cfg_;
};

// Uniform draws in [0, 1) for the jitter; the default is seeded from std::random_device so
// instances that failed together do not retry in lockstep.
using random_source = std::function<double()>;
random_source default_random_source();

// Times in delivery records are RFC 3339 UTC as written by format_rfc3339_utc
// ("2025-01-31T07:05:09.123Z"; fractional seconds optional). nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_record_time(std::string_view text);

}  // namespace liaison::queue
