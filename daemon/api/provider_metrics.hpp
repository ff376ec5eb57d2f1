// Provider metrics on the shared Prometheus registry: calls per provider and outcome, call
// latency, rate-limit waits (the failover chains report them as a channels::provider_observer),
// circuit breaker states (sampled), and provider callbacks accepted or rejected (the routes).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "channels/provider_observer.hpp"
#include "channels/provider_registry.hpp"
#include "channels/status_report.hpp"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace liaison::api {

class provider_metrics final : public channels::provider_observer {
 public:
  explicit provider_metrics(prometheus::Registry& registry);

  void on_call(std::string_view provider, const channels::delivery_outcome& outcome,
               std::chrono::steady_clock::duration latency) noexcept override;
  void on_rate_limit_wait(std::string_view provider,
                          std::chrono::milliseconds wait) noexcept override;

  // Sets the breaker gauges (0 closed, 1 half-open, 2 open) from the chains: an open breaker
  // turns half-open with time alone, so the daemon samples them rather than waiting for a call.
  void sample_breakers(const channels::provider_registry& providers) noexcept;

  // A callback from `provider` (twilio, kannel, sendgrid, webhook) was accepted, or refused
  // for `verdict`'s reason; `malformed_body` when it was signed but not understood.
  void callback_accepted(std::string_view provider) noexcept;
  void callback_rejected(std::string_view provider, channels::callback_verdict verdict) noexcept;
  void callback_malformed(std::string_view provider) noexcept;

 private:
  void count_callback(std::string_view provider, std::string_view result,
                      std::string_view reason) noexcept;

  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& rate_limit_waits_;
  prometheus::Family<prometheus::Gauge>& breaker_state_;
  prometheus::Family<prometheus::Counter>& callbacks_;
};

}  // namespace liaison::api
