// When to try again after a failed or lost Redis connection: exponential backoff with jitter,
// as a pure function of the attempt number and a random number (no clock, no I/O).
#pragma once

#include <chrono>

namespace liaison::queue::detail {

// Delay before reconnect attempt `attempt` (0 = the first retry after a failure):
//   high = min(max_delay, min_delay * 2^attempt)
//   low  = max(min_delay, high / 2)
//   delay = low + unit * (high - low)        where unit in [0, 1) is the random draw
// so the first retry waits min_delay, each later one up to twice as long as the one before,
// never more than max_delay, and instances that lost Redis together spread their retries over
// the upper half of the window instead of reconnecting in lockstep. max_delay < min_delay is
// treated as max_delay == min_delay; a non-positive min_delay as 1 ms.
std::chrono::milliseconds reconnect_delay(std::chrono::milliseconds min_delay,
                                          std::chrono::milliseconds max_delay, unsigned attempt,
                                          double unit) noexcept;

// The attempt counter around reconnect_delay(): next() after each failure, reset() after a
// successful connection.
class reconnect_backoff {
 public:
  reconnect_backoff(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay)
      : min_delay_(min_delay), max_delay_(max_delay) {}

  std::chrono::milliseconds next(double unit) noexcept {
    const auto delay = reconnect_delay(min_delay_, max_delay_, attempt_, unit);
    if (attempt_ < 64) {
      ++attempt_;
    }
    return delay;
  }
  void reset() noexcept { attempt_ = 0; }
  unsigned attempt() const noexcept { return attempt_; }

 private:
  std::chrono::milliseconds min_delay_;
  std::chrono::milliseconds max_delay_;
  unsigned attempt_ = 0;
};

}  // namespace liaison::queue::detail
