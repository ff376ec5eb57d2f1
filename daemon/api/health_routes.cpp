#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"

namespace liaison::api {

void add_health_routes(http::router& routes, health_probes probes,
                       std::shared_ptr<prometheus::Registry> registry) {
  routes.add(http::verb::get, "/healthz", http::access_rule::anyone(),
             [](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               co_return http::make_json_response(http::status::ok,
                                                  boost::json::object{{"status", "ok"}}, ctx.req);
             });

  routes.add(http::verb::get, "/readyz", http::access_rule::anyone(),
             [probes](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               const bool redis = probes.redis_reachable();
               const bool workers = probes.workers_running();
               const bool ready = redis && workers;
               // The pid tells which process answered: two daemons given one port by mistake (or
               // a test's stale daemon) show up as the wrong pid, not as a silent "ready".
               boost::json::object body{{"status", ready ? "ready" : "not ready"},
                                        {"checks", {{"redis", redis}, {"workers", workers}}},
                                        {"pid", ::getpid()}};
               co_return http::make_json_response(
                   ready ? http::status::ok : http::status::service_unavailable, body, ctx.req);
             });

  routes.add(http::verb::get, "/metrics", http::access_rule::anyone(),
             [registry](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               co_return http::make_text_response(
                   http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                   prometheus::TextSerializer().Serialize(registry->Collect()), ctx.req);
             });
}

}  // namespace liaison::api
