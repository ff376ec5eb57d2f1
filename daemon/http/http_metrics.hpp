// Request counts by route and status, and a latency histogram by route, on the shared
// Prometheus registry that GET /metrics serializes.
#pragma once

#include <chrono>
#include <string>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace liaison::http {

class http_metrics {
 public:
  explicit http_metrics(prometheus::Registry& registry);

  // `route` is the matched pattern (or "unmatched"), never the raw path: bounded cardinality.
  void observe(const std::string& method, const std::string& route, unsigned status,
               std::chrono::steady_clock::duration latency);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
};

}  // namespace liaison::http
