// Provider keys for the HTTP client's concurrency and the circuit breaker (channels/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::error_at;

constexpr std::string_view outbox = R"(
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["sms"]
directory = "outbox"
)";

load_result load(const std::string& extra) {
  return load_config_string(std::string(outbox) + extra, "/etc/liaison");
}

TEST(provider_resilience_config, defaults_apply_when_the_keys_are_absent) {
  const auto loaded = load("");
  ASSERT_TRUE(loaded.config) << loaded.errors.size();
  const auto& p = loaded.config->providers.at(0);
  EXPECT_EQ(p.max_concurrent_requests, 16u);
  EXPECT_EQ(p.breaker_failures, 5u);
  EXPECT_EQ(p.breaker_open_for, 30s);
}

TEST(provider_resilience_config, reads_the_keys) {
  const auto loaded =
      load("max_concurrent_requests = 4\nbreaker_failures = 3\nbreaker_open_for = \"1m\"\n");
  ASSERT_TRUE(loaded.config);
  const auto& p = loaded.config->providers.at(0);
  EXPECT_EQ(p.max_concurrent_requests, 4u);
  EXPECT_EQ(p.breaker_failures, 3u);
  EXPECT_EQ(p.breaker_open_for, 60s);
  EXPECT_TRUE(p.settings.empty());  // fields, not free-form settings
}

TEST(provider_resilience_config, rejects_out_of_range_values) {
  EXPECT_THAT(load("max_concurrent_requests = 0\n").errors,
              ElementsAre(error_at("providers[0].max_concurrent_requests", "out of range")));
  EXPECT_THAT(load("breaker_failures = 0\n").errors,
              ElementsAre(error_at("providers[0].breaker_failures", "out of range")));
  EXPECT_THAT(load("breaker_open_for = 30\n").errors,
              ElementsAre(error_at("providers[0].breaker_open_for", "unit")));
}

}  // namespace
}  // namespace liaison::config
