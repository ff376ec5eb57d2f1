// Request counts by route and status, and a latency histogram by route, on the shared
// Prometheus registry that GET /metrics serializes.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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
  ~http_metrics();

  // `route` is the matched pattern (or "unmatched"), never the raw path: bounded cardinality.
  void observe(boost::beast::http::verb method, std::string_view route, unsigned status,
               std::chrono::steady_clock::duration latency);

 private:
  // The series of one (method, route, status), found once: prometheus-cpp hashes a label map
  // and takes a lock on every Family::Add, which cost more than the rest of a small request.
  struct series {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  struct series_key {
    boost::beast::http::verb method;
    unsigned status;
    std::string_view route;
    bool operator==(const series_key&) const = default;
  };
  struct series_key_hash {
    std::size_t operator()(const series_key& k) const noexcept;
  };
  series& find_series(boost::beast::http::verb method, std::string_view route, unsigned status);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  std::vector<double> latency_buckets_;
  // Keys view the route names kept in route_names_ (a node container, so they do not move).
  std::unordered_set<std::string> route_names_;
  std::unordered_map<series_key, series, series_key_hash> series_;
};

}  // namespace liaison::http
