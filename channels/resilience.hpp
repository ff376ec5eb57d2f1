// Per-provider protection, as pure classes with the time passed in (tests use any clock, no
// sleeping): a token bucket for the provider's rate limit, a circuit breaker that stops calling
// a provider after consecutive transient failures, and the failover plan that walks a
// channel's providers in config order.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "channels/provider.hpp"

namespace liaison::channels {

using steady_time = std::chrono::steady_clock::time_point;

// `rate` tokens per second, holding at most `burst`; starts full.
class token_bucket {
 public:
  token_bucket(double rate_per_second, double burst, steady_time now);

  // Takes a token and returns 0, or takes nothing and returns how long until one is there.
  std::chrono::milliseconds try_acquire(steady_time now);

 private:
  void refill(steady_time now);

  double rate_;
  double burst_;
  double tokens_;
  steady_time last_;
};

enum class breaker_state { closed, open, half_open };
std::string_view to_string(breaker_state s) noexcept;

struct breaker_options {
  std::size_t failure_threshold = 5;                              // consecutive transient failures
  std::chrono::milliseconds open_for = std::chrono::seconds(30);  // before a probe is let through
};

// closed → (threshold consecutive failures) → open → (open_for elapsed) → half_open, which lets
// exactly one call through: its success closes the breaker, its failure opens it again.
class circuit_breaker {
 public:
  explicit circuit_breaker(breaker_options options = {}) : options_(options) {}

  // Whether a call may go to the provider now; in half_open this claims the one probe.
  bool allow(steady_time now);
  void record_success();
  void record_failure(steady_time now);
  // Gives back a half-open probe that allow() granted but that was not used.
  void release_probe() noexcept { probe_in_flight_ = false; }

  breaker_state state(steady_time now) const;
  // When an open breaker lets a probe through.
  steady_time reopens_at() const noexcept { return opened_at_ + options_.open_for; }

 private:
  breaker_options options_;
  breaker_state state_ = breaker_state::closed;
  std::size_t failures_ = 0;
  steady_time opened_at_{};
  bool probe_in_flight_ = false;
};

// One delivery's walk through a channel's providers. The caller asks next(), performs the
// action, and reports outcomes; no I/O here.
//   - a provider whose breaker is open is skipped;
//   - a provider whose bucket is empty is waited for once when the wait is at most
//     `max_rate_wait`, else (or when another caller took the token meanwhile) skipped;
//   - sent or permanent failure ends the walk (a permanent failure is about the message or the
//     recipient, which another provider would refuse too);
//   - retry later moves on to the next provider;
//   - when every provider was skipped or asked to retry, the walk ends with retry later and the
//     earliest moment worth retrying (Retry-After, rate-limit wait, breaker reopening).
struct provider_guard {
  token_bucket bucket;
  circuit_breaker breaker;
};

struct failover_action {
  enum class kind { call, wait, done };
  kind what = kind::done;
  std::size_t provider = 0;            // call / wait: which provider
  std::chrono::milliseconds delay{0};  // wait: how long before calling
};

class failover_plan {
 public:
  failover_plan(std::vector<provider_guard*> guards, std::chrono::milliseconds max_rate_wait);

  failover_action next(steady_time now);
  void on_outcome(std::size_t provider, const delivery_outcome& outcome, steady_time now);

  // After next() returned done: the outcome to report (the last provider's, or retry later).
  delivery_outcome result() const;
  std::optional<std::size_t> decided_by() const noexcept { return decided_by_; }

 private:
  std::vector<provider_guard*> guards_;
  std::chrono::milliseconds max_rate_wait_;
  std::size_t position_ = 0;
  bool waited_ = false;  // for the provider at position_
  std::optional<delivery_outcome> final_;
  std::optional<std::size_t> decided_by_;
  std::vector<std::string> reasons_;
  std::optional<std::chrono::milliseconds> earliest_retry_;
  steady_time started_{};
};

}  // namespace liaison::channels
