#include "daemon/api/provider_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace liaison::api {
namespace {

std::string_view outcome_label(channels::outcome_kind kind) noexcept {
  switch (kind) {
    case channels::outcome_kind::sent:
      return "sent";
    case channels::outcome_kind::retry_later:
      return "retry_later";
    case channels::outcome_kind::permanent_failure:
      return "permanent_failure";
  }
  return "unknown";
}

double breaker_value(channels::breaker_state state) noexcept {
  switch (state) {
    case channels::breaker_state::closed:
      return 0;
    case channels::breaker_state::half_open:
      return 1;
    case channels::breaker_state::open:
      return 2;
  }
  return 0;
}

}  // namespace

provider_metrics::provider_metrics(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("liaison_provider_calls_total")
                 .Help("Calls to providers, by provider and outcome (sent, retry_later, "
                       "permanent_failure)")
                 .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("liaison_provider_call_duration_seconds")
                   .Help("Time a provider call took, from the request to the classified answer")
                   .Register(registry)),
      rate_limit_waits_(prometheus::BuildCounter()
                            .Name("liaison_provider_rate_limit_waits_total")
                            .Help("Deliveries that waited for a provider's rate limit")
                            .Register(registry)),
      breaker_state_(prometheus::BuildGauge()
                         .Name("liaison_provider_breaker_state")
                         .Help("Circuit breaker per channel and provider: 0 closed, 1 half-open, "
                               "2 open")
                         .Register(registry)),
      callbacks_(prometheus::BuildCounter()
                     .Name("liaison_provider_callbacks_total")
                     .Help("Provider callbacks (status reports, events) by result and the "
                           "reason a rejected one was refused")
                     .Register(registry)) {}

// Prometheus calls allocate (labels are strings): a failure to count must never reach the
// provider call it counts, hence the catch-all in each noexcept entry point.
void provider_metrics::on_call(std::string_view provider, const channels::delivery_outcome& outcome,
                               std::chrono::steady_clock::duration latency) noexcept {
  try {
    calls_
        .Add({{"provider", std::string(provider)},
              {"outcome", std::string(outcome_label(outcome.kind))}})
        .Increment();
    static const prometheus::Histogram::BucketBoundaries buckets = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    latency_.Add({{"provider", std::string(provider)}}, buckets)
        .Observe(std::chrono::duration<double>(latency).count());
  } catch (...) {
  }
}

void provider_metrics::on_rate_limit_wait(std::string_view provider,
                                          std::chrono::milliseconds) noexcept {
  try {
    rate_limit_waits_.Add({{"provider", std::string(provider)}}).Increment();
  } catch (...) {
  }
}

void provider_metrics::sample_breakers(const channels::provider_registry& providers) noexcept {
  try {
    for (const auto& b : providers.breakers()) {
      breaker_state_
          .Add({{"channel", std::string(config::to_string(b.channel))}, {"provider", b.provider}})
          .Set(breaker_value(b.state));
    }
  } catch (...) {
  }
}

void provider_metrics::callback_accepted(std::string_view provider) noexcept {
  count_callback(provider, "accepted", "");
}

void provider_metrics::callback_rejected(std::string_view provider,
                                         channels::callback_verdict verdict) noexcept {
  count_callback(provider, "rejected", channels::to_string(verdict));
}

void provider_metrics::callback_malformed(std::string_view provider) noexcept {
  count_callback(provider, "rejected", "malformed_body");
}

void provider_metrics::count_callback(std::string_view provider, std::string_view result,
                                      std::string_view reason) noexcept {
  try {
    callbacks_
        .Add({{"provider", std::string(provider)},
              {"result", std::string(result)},
              {"reason", std::string(reason)}})
        .Increment();
  } catch (...) {
  }
}

}  // namespace liaison::api
