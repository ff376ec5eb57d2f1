#include "channels/resilience.hpp"

#include <algorithm>
#include <cmath>

namespace liaison::channels {

namespace {

std::chrono::milliseconds ceil_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}

}  // namespace

token_bucket::token_bucket(double rate_per_second, double burst, steady_time now)
    : rate_(rate_per_second > 0 ? rate_per_second : 1.0),
      burst_(std::max(1.0, burst)),
      tokens_(burst_),
      last_(now) {}

void token_bucket::refill(steady_time now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
}

std::chrono::milliseconds token_bucket::try_acquire(steady_time now) {
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::milliseconds(0);
  }
  return std::max(std::chrono::milliseconds(1), ceil_ms((1.0 - tokens_) / rate_));
}

std::string_view to_string(breaker_state s) noexcept {
  switch (s) {
    case breaker_state::closed:
      return "closed";
    case breaker_state::open:
      return "open";
    case breaker_state::half_open:
      return "half_open";
  }
  return "closed";
}

breaker_state circuit_breaker::state(steady_time now) const {
  if (state_ == breaker_state::open && now >= reopens_at()) {
    return breaker_state::half_open;
  }
  return state_;
}

bool circuit_breaker::allow(steady_time now) {
  state_ = state(now);
  switch (state_) {
    case breaker_state::closed:
      return true;
    case breaker_state::open:
      return false;
    case breaker_state::half_open:
      if (probe_in_flight_) {
        return false;
      }
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void circuit_breaker::record_success() {
  state_ = breaker_state::closed;
  failures_ = 0;
  probe_in_flight_ = false;
}

void circuit_breaker::record_failure(steady_time now) {
  probe_in_flight_ = false;
  ++failures_;
  if (state_ == breaker_state::half_open || failures_ >= options_.failure_threshold) {
    state_ = breaker_state::open;
    opened_at_ = now;
  }
}

failover_plan::failover_plan(std::vector<provider_guard*> guards,
                             std::chrono::milliseconds max_rate_wait)
    : guards_(std::move(guards)), max_rate_wait_(max_rate_wait) {}

failover_action failover_plan::next(steady_time now) {
  if (final_) {
    return {};
  }
  while (position_ < guards_.size()) {
    provider_guard& guard = *guards_[position_];
    if (!waited_ && !guard.breaker.allow(now)) {
      reasons_.push_back("provider " + std::to_string(position_) + ": circuit open");
      const auto reopens =
          std::chrono::ceil<std::chrono::milliseconds>(guard.breaker.reopens_at() - now);
      earliest_retry_ = std::min(earliest_retry_.value_or(reopens),
                                 std::max(reopens, std::chrono::milliseconds(0)));
      ++position_;
      continue;
    }
    const auto wait = guard.bucket.try_acquire(now);
    if (wait.count() == 0) {
      waited_ = false;
      return {failover_action::kind::call, position_, {}};
    }
    if (wait <= max_rate_wait_ && !waited_) {
      waited_ = true;  // the breaker's probe (if any) stays claimed across the wait
      return {failover_action::kind::wait, position_, wait};
    }
    reasons_.push_back("provider " + std::to_string(position_) + ": rate limited");
    earliest_retry_ = std::min(earliest_retry_.value_or(wait), wait);
    guard.breaker.release_probe();  // a half-open probe claimed above was not used
    waited_ = false;
    ++position_;
  }
  return {};
}

void failover_plan::on_outcome(std::size_t provider, const delivery_outcome& outcome,
                               steady_time now) {
  provider_guard& guard = *guards_[provider];
  if (outcome.kind == outcome_kind::retry_later) {
    guard.breaker.record_failure(now);
    reasons_.push_back(outcome.reason);
    if (outcome.retry_after) {
      const auto after =
          std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.retry_after);
      earliest_retry_ = std::min(earliest_retry_.value_or(after), after);
    }
    position_ = provider + 1;
    waited_ = false;
    return;
  }
  // Sent, or refused for a reason of the message's own: the provider itself is healthy.
  guard.breaker.record_success();
  final_ = outcome;
  decided_by_ = provider;
}

delivery_outcome failover_plan::result() const {
  if (final_) {
    return *final_;
  }
  delivery_outcome outcome;
  outcome.kind = outcome_kind::retry_later;
  if (guards_.empty()) {
    outcome.kind = outcome_kind::permanent_failure;
    outcome.reason = "no provider serves this channel";
    return outcome;
  }
  for (const auto& reason : reasons_) {
    outcome.reason += outcome.reason.empty() ? "" : "; ";
    outcome.reason += reason;
  }
  if (earliest_retry_) {
    outcome.retry_after = std::chrono::ceil<std::chrono::seconds>(*earliest_retry_);
  }
  return outcome;
}

}  // namespace liaison::channels
