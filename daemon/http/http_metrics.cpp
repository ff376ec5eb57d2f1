#include "daemon/http/http_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace liaison::http {

http_metrics::http_metrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("liaison_http_requests_total")
                    .Help("HTTP requests answered, by method, route and status")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("liaison_http_request_duration_seconds")
                   .Help("Time from a complete request to its response, by route")
                   .Register(registry)) {}

void http_metrics::observe(const std::string& method, const std::string& route, unsigned status,
                           std::chrono::steady_clock::duration latency) {
  requests_.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  latency_.Add({{"route", route}}, buckets).Observe(std::chrono::duration<double>(latency).count());
}

}  // namespace liaison::http
