// The dispatcher decides 404/405/401/403/500 without a socket: driven directly.
#include "daemon/http/api_dispatcher.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <map>
#include <stdexcept>

#include "support/crypto.hpp"

namespace liaison::http {
namespace {

class api_dispatcher_test : public ::testing::Test {
 protected:
  api_dispatcher_test() {
    routes_.add(verb::get, "/open", access_rule::anyone(),
                [](request_context&) -> boost::asio::awaitable<response> {
                  co_return response{status::ok, 11};
                });
    routes_.add(verb::get, "/admin", access_rule::roles_only({config::role::admin}),
                [](request_context&) -> boost::asio::awaitable<response> {
                  co_return response{status::ok, 11};
                });
    routes_.add(verb::get, "/broken", access_rule::anyone(),
                [](request_context&) -> boost::asio::awaitable<response> {
                  throw std::runtime_error("bug");
                  co_return response{};
                });
  }

  response call(verb method, std::string target, std::string authorization = {}) {
    request req{method, target, 11};
    if (!authorization.empty()) {
      req.set(boost::beast::http::field::authorization, authorization);
    }
    response res;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { res = co_await dispatcher_.dispatch(req); },
        boost::asio::detached);
    io.run();
    return res;
  }

  router routes_;
  prometheus::Registry registry_;
  http_metrics metrics_{registry_};
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  api_dispatcher dispatcher_{routes_,
                             std::make_shared<authenticator>(std::vector<config::api_key_config>{
                                 {"admin", sha256_hex("a"), config::role::admin, {}},
                                 {"school", sha256_hex("s"), config::role::school, {"x"}}}),
                             metrics_, logger_};
};

TEST_F(api_dispatcher_test, open_route_needs_no_key) {
  EXPECT_EQ(call(verb::get, "/open").result(), status::ok);
}

TEST_F(api_dispatcher_test, protected_route_without_key_is_401_problem) {
  const auto res = call(verb::get, "/admin");
  EXPECT_EQ(res.result(), status::unauthorized);
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json");
  EXPECT_EQ(boost::json::parse(res.body()).at("status"), 401);
}

TEST_F(api_dispatcher_test, wrong_role_is_403) {
  EXPECT_EQ(call(verb::get, "/admin", "Bearer s").result(), status::forbidden);
  EXPECT_EQ(call(verb::get, "/admin", "Bearer a").result(), status::ok);
}

TEST_F(api_dispatcher_test, unknown_path_is_404_and_wrong_method_is_405_with_allow) {
  EXPECT_EQ(call(verb::get, "/nowhere").result(), status::not_found);
  const auto res = call(verb::post, "/open");
  EXPECT_EQ(res.result(), status::method_not_allowed);
  EXPECT_EQ(res[boost::beast::http::field::allow], "GET");
}

TEST_F(api_dispatcher_test, a_path_that_decodes_to_invalid_utf8_gets_a_valid_json_problem) {
  // %fa is not UTF-8 on its own; the 404 quotes the decoded path, and JSON must stay UTF-8.
  const auto res = call(verb::get, "/v1%fa/import");
  EXPECT_EQ(res.result(), status::not_found);
  boost::system::error_code ec;
  const auto body = boost::json::parse(res.body(), ec);
  ASSERT_FALSE(ec) << res.body();
  EXPECT_EQ(body.at("detail"), "no resource at /v1\uFFFD/import");
}

TEST_F(api_dispatcher_test, handler_exception_is_500_problem_and_closes_the_connection) {
  const auto res = call(verb::get, "/broken");
  EXPECT_EQ(res.result(), status::internal_server_error);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(boost::json::parse(res.body()).at("title"), "Internal error");
}

TEST_F(api_dispatcher_test, every_request_is_counted_in_its_series_by_method_route_and_status) {
  for (int i = 0; i < 3; ++i) {
    call(verb::get, "/open");
  }
  call(verb::get, "/admin", "Bearer a");
  call(verb::get, "/admin");
  call(verb::get, "/nowhere");
  std::map<std::string, double> counts;                  // "METHOD route status" -> requests
  std::map<std::string, std::uint64_t> latency_samples;  // route -> observations
  for (const auto& family : registry_.Collect()) {
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& label : metric.label) {
        labels[label.name] = label.value;
      }
      if (family.name == "liaison_http_requests_total") {
        counts[labels["method"] + " " + labels["route"] + " " + labels["status"]] =
            metric.counter.value;
      } else if (family.name == "liaison_http_request_duration_seconds") {
        latency_samples[labels["route"]] = metric.histogram.sample_count;
      }
    }
  }
  EXPECT_EQ(counts, (std::map<std::string, double>{{"GET /admin 200", 1},
                                                   {"GET /admin 401", 1},
                                                   {"GET /open 200", 3},
                                                   {"GET unmatched 404", 1}}));
  EXPECT_EQ(latency_samples,
            (std::map<std::string, std::uint64_t>{{"/admin", 2}, {"/open", 3}, {"unmatched", 1}}));
}

TEST_F(api_dispatcher_test, reload_replaces_the_keys) {
  dispatcher_.set_authenticator(std::make_shared<authenticator>(
      std::vector<config::api_key_config>{{"new", sha256_hex("n"), config::role::admin, {}}}));
  EXPECT_EQ(call(verb::get, "/admin", "Bearer a").result(), status::unauthorized);
  EXPECT_EQ(call(verb::get, "/admin", "Bearer n").result(), status::ok);
}

}  // namespace
}  // namespace liaison::http
