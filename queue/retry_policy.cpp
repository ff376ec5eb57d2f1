#include "queue/retry_policy.hpp"

#include <algorithm>
#include <memory>
#include <random>

#include "support/time_format.hpp"

namespace liaison::queue {
namespace {

using std::chrono::milliseconds;

std::string describe(milliseconds d) {
  using namespace std::chrono;
  if (d >= hours(1) && d % hours(1) == milliseconds(0)) {
    return std::to_string(duration_cast<hours>(d).count()) + "h";
  }
  if (d >= minutes(1) && d % minutes(1) == milliseconds(0)) {
    return std::to_string(duration_cast<minutes>(d).count()) + "m";
  }
  if (d % seconds(1) == milliseconds(0)) {
    return std::to_string(duration_cast<seconds>(d).count()) + "s";
  }
  return std::to_string(d.count()) + "ms";
}

}  // namespace

retry_policy::retry_policy(config::retry_config cfg) : cfg_(std::move(cfg)) {}

milliseconds retry_policy::backoff_cap(const config::retry_rule& rule, std::size_t attempts) {
  // Doubling stops once it reaches max_delay, so the shift never overflows.
  milliseconds cap = rule.base_delay;
  for (std::size_t i = 1; i < attempts && cap < rule.max_delay; ++i) {
    cap *= 2;
  }
  return std::min(cap, rule.max_delay);
}

retry_decision retry_policy::decide(const retry_input& input, double draw) const {
  const config::retry_rule& rule = cfg_.rule(input.channel, input.priority);
  const std::string last = input.last_error.empty() ? "" : ": " + input.last_error;
  if (input.attempts >= rule.max_attempts) {
    return {true, {}, "gave up after " + std::to_string(input.attempts) + " attempts" + last};
  }
  // Full jitter (a uniform wait below the cap) spreads retries of many deliveries that failed
  // together, e.g. when a provider was down, instead of sending them back in waves.
  const double clamped = std::clamp(draw, 0.0, 1.0);
  const auto cap = backoff_cap(rule, input.attempts);
  auto delay =
      milliseconds(static_cast<milliseconds::rep>(clamped * static_cast<double>(cap.count())));
  // A provider that said when to come back knows better than our backoff.
  if (input.retry_after && *input.retry_after > delay) {
    delay = *input.retry_after;
  }
  const auto retry_at = input.now + delay;
  if (retry_at > input.created_at + rule.max_age) {
    return {true,
            {},
            "gave up: the next attempt would come later than max_age (" + describe(rule.max_age) +
                ") after the message was accepted, after " + std::to_string(input.attempts) +
                " attempts" + last};
  }
  return {false, retry_at, {}};
}

std::optional<std::chrono::system_clock::time_point> parse_record_time(std::string_view text) {
  return parse_rfc3339(text);
}

random_source default_random_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace liaison::queue
