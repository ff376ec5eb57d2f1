// What a provider chain reports as it works, for metrics: the daemon counts with Prometheus,
// channels/ knows nothing of it. Called on the chain's executor, between provider calls.
#pragma once

#include <chrono>
#include <string_view>

#include "channels/provider.hpp"

namespace liaison::channels {

class provider_observer {
 public:
  virtual ~provider_observer() = default;
  // One call to `provider` ended with `outcome` after `latency` (as the injected clock saw it).
  virtual void on_call(std::string_view provider, const delivery_outcome& outcome,
                       std::chrono::steady_clock::duration latency) noexcept = 0;
  // A delivery waited `wait` for `provider`'s rate limit before calling it.
  virtual void on_rate_limit_wait(std::string_view provider,
                                  std::chrono::milliseconds wait) noexcept = 0;
};

}  // namespace liaison::channels
