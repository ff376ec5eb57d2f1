// The queue's configuration: [workers] recovery settings, [queue], [retry.<channel>.<priority>].
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::error_at;
using ::testing::IsEmpty;

constexpr std::string_view provider = R"(
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["sms"]
directory = "outbox"
)";

load_result load_with(std::string_view extra) {
  return load_config_string(std::string(extra) + std::string(provider), "/etc/liaison");
}

TEST(queue_config, defaults_follow_the_documented_policy) {
  const auto result = load_with("");
  ASSERT_TRUE(result.config);
  const auto& c = *result.config;
  EXPECT_EQ(c.workers.visibility_timeout, 60s);
  EXPECT_EQ(c.workers.max_deliveries, 5u);
  EXPECT_EQ(c.workers.scheduler_interval, 1s);
  EXPECT_EQ(c.workers.fanout_lease, 30s);
  EXPECT_TRUE(c.workers.enabled);  // an instance sends unless told it only serves the API
  EXPECT_EQ(c.queue.idempotency_key_ttl, 24h);
  const auto& urgent_sms = c.retry.rule(channel::sms, priority::urgent);
  EXPECT_EQ(urgent_sms.max_attempts, 8u);
  EXPECT_EQ(urgent_sms.base_delay, 2s);
  EXPECT_EQ(urgent_sms.max_delay, 5min);
  EXPECT_EQ(urgent_sms.max_age, 2h);
  const auto& normal_sms = c.retry.rule(channel::sms, priority::normal);
  EXPECT_EQ(normal_sms.max_attempts, 6u);
  EXPECT_EQ(normal_sms.base_delay, 10s);
  EXPECT_EQ(normal_sms.max_delay, 30min);
  EXPECT_EQ(normal_sms.max_age, 24h);
  EXPECT_LT(c.retry.rule(channel::voice, priority::normal).max_attempts, normal_sms.max_attempts);
}

TEST(queue_config, every_key_is_read) {
  const auto result = load_with(R"(
[workers]
enabled = false
visibility_timeout = "90s"
max_deliveries = 3
scheduler_interval = "250ms"
fanout_lease = "2s"
[queue]
idempotency_key_ttl = "48h"
[retry.email.normal]
max_attempts = 10
base_delay = "1m"
max_delay = "2h"
max_age = "72h"
)");
  ASSERT_THAT(result.errors, IsEmpty());
  const auto& c = *result.config;
  EXPECT_EQ(c.workers.visibility_timeout, 90s);
  EXPECT_EQ(c.workers.max_deliveries, 3u);
  EXPECT_EQ(c.workers.scheduler_interval, 250ms);
  EXPECT_EQ(c.workers.fanout_lease, 2s);
  EXPECT_FALSE(c.workers.enabled);
  EXPECT_EQ(c.queue.idempotency_key_ttl, 48h);
  const auto& rule = c.retry.rule(channel::email, priority::normal);
  EXPECT_EQ(rule.max_attempts, 10u);
  EXPECT_EQ(rule.base_delay, 1min);
  EXPECT_EQ(rule.max_delay, 2h);
  EXPECT_EQ(rule.max_age, 72h);
  // Untouched rules keep their defaults.
  EXPECT_EQ(c.retry.rule(channel::email, priority::urgent).base_delay, 5s);
}

TEST(queue_config, mistakes_are_reported_with_their_key_path) {
  EXPECT_THAT(load_with("[retry.sms.urgent]\nbase_delay = \"10m\"\nmax_delay = \"5m\"\n").errors,
              ElementsAre(error_at("retry.sms.urgent.base_delay", "max_delay")));
  EXPECT_THAT(load_with("[retry.fax.normal]\nmax_attempts = 3\n").errors,
              ElementsAre(error_at("retry.fax", "unknown table")));
  EXPECT_THAT(load_with("[retry.sms.later]\nmax_attempts = 3\n").errors,
              ElementsAre(error_at("retry.sms.later", "unknown table")));
  EXPECT_THAT(load_with("[retry.sms.normal]\nmax_attempts = 0\n").errors,
              ElementsAre(error_at("retry.sms.normal.max_attempts", "out of range")));
  EXPECT_THAT(load_with("[workers]\nmax_deliveries = 0\n").errors,
              ElementsAre(error_at("workers.max_deliveries", "out of range")));
  EXPECT_THAT(load_with("[queue]\nidempotency_key_ttl = 86400\n").errors,
              ElementsAre(error_at("queue.idempotency_key_ttl", "unit")));
}

}  // namespace
}  // namespace liaison::config
