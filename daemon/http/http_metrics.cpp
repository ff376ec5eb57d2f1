#include "daemon/http/http_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>

namespace liaison::http {

http_metrics::http_metrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("liaison_http_requests_total")
                    .Help("HTTP requests answered, by method, route and status")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("liaison_http_request_duration_seconds")
                   .Help("Time from a complete request to its response, by route")
                   .Register(registry)),
      latency_buckets_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5} {
}

http_metrics::~http_metrics() = default;

std::size_t http_metrics::series_key_hash::operator()(const series_key& k) const noexcept {
  const auto h = std::hash<std::string_view>{}(k.route);
  return h ^ (static_cast<std::size_t>(k.method) * 1000003u + k.status) * 0x9e3779b97f4a7c15u;
}

http_metrics::series& http_metrics::find_series(boost::beast::http::verb method,
                                                std::string_view route, unsigned status) {
  if (const auto found = series_.find({method, status, route}); found != series_.end()) {
    return found->second;
  }
  const std::string& name = *route_names_.emplace(route).first;
  const std::string method_name(boost::beast::http::to_string(method));
  auto& requests =
      requests_.Add({{"method", method_name}, {"route", name}, {"status", std::to_string(status)}});
  auto& latency = latency_.Add({{"route", name}}, latency_buckets_);
  return series_.emplace(series_key{method, status, name}, series{&requests, &latency})
      .first->second;
}

void http_metrics::observe(boost::beast::http::verb method, std::string_view route, unsigned status,
                           std::chrono::steady_clock::duration latency) {
  auto& s = find_series(method, route, status);
  s.requests->Increment();
  s.latency->Observe(std::chrono::duration<double>(latency).count());
}

}  // namespace liaison::http
