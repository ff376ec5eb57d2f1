// The retry policy: exponential backoff with full jitter, Retry-After, limits by attempts and by
// age, per channel and priority. The jitter draw is given, so every schedule is exact.
#include "queue/retry_policy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::queue {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;

const system_clock::time_point accepted = system_clock::time_point(1'700'000'000s);

retry_input sms(config::priority p, std::size_t attempts, system_clock::time_point now,
                std::optional<milliseconds> retry_after = std::nullopt) {
  retry_input input;
  input.channel = config::channel::sms;
  input.priority = p;
  input.attempts = attempts;
  input.created_at = accepted;
  input.now = now;
  input.retry_after = retry_after;
  input.last_error = "HTTP 503";
  return input;
}

TEST(retry_policy, cap_doubles_from_base_delay_up_to_max_delay) {
  const config::retry_rule rule{10, 2s, 30s, 1h};
  EXPECT_EQ(retry_policy::backoff_cap(rule, 1), 2s);
  EXPECT_EQ(retry_policy::backoff_cap(rule, 2), 4s);
  EXPECT_EQ(retry_policy::backoff_cap(rule, 3), 8s);
  EXPECT_EQ(retry_policy::backoff_cap(rule, 4), 16s);
  EXPECT_EQ(retry_policy::backoff_cap(rule, 5), 30s);
  EXPECT_EQ(retry_policy::backoff_cap(rule, 1000), 30s);  // no overflow
}

TEST(retry_policy, full_jitter_waits_the_draw_times_the_cap) {
  const retry_policy policy{config::retry_config{}};
  // sms urgent: base 2s, so the third retry's cap is 8s.
  const auto now = accepted + 1min;
  EXPECT_EQ(policy.decide(sms(config::priority::urgent, 3, now), 0.0).retry_at, now);
  EXPECT_EQ(policy.decide(sms(config::priority::urgent, 3, now), 0.5).retry_at, now + 4s);
  EXPECT_EQ(policy.decide(sms(config::priority::urgent, 3, now), 0.999).retry_at,
            now + milliseconds(7992));
}

TEST(retry_policy, normal_and_urgent_have_their_own_rules) {
  const retry_policy policy{config::retry_config{}};
  const auto now = accepted;
  // sms normal: base 10s; urgent: base 2s.
  EXPECT_EQ(policy.decide(sms(config::priority::normal, 1, now), 0.5).retry_at, now + 5s);
  EXPECT_EQ(policy.decide(sms(config::priority::urgent, 1, now), 0.5).retry_at, now + 1s);
}

TEST(retry_policy, retry_after_from_the_provider_is_honoured_when_longer) {
  const retry_policy policy{config::retry_config{}};
  const auto now = accepted;
  EXPECT_EQ(policy.decide(sms(config::priority::urgent, 1, now, 30s), 0.5).retry_at, now + 30s);
  // Shorter than our own backoff: the backoff stands.
  EXPECT_EQ(policy.decide(sms(config::priority::normal, 1, now, 1s), 0.5).retry_at, now + 5s);
}

TEST(retry_policy, gives_up_after_max_attempts_with_the_last_error) {
  const retry_policy policy{config::retry_config{}};
  const auto decision = policy.decide(sms(config::priority::normal, 6, accepted + 1h), 0.5);
  EXPECT_TRUE(decision.give_up);
  EXPECT_THAT(decision.reason, HasSubstr("gave up after 6 attempts"));
  EXPECT_THAT(decision.reason, HasSubstr("HTTP 503"));
  EXPECT_FALSE(policy.decide(sms(config::priority::normal, 5, accepted + 1h), 0.5).give_up);
}

TEST(retry_policy, gives_up_when_the_next_attempt_would_pass_max_age) {
  const retry_policy policy{config::retry_config{}};
  // sms urgent: max_age 2h. At 1h59m55s a 4s wait fits, an 8s wait does not.
  const auto late = accepted + 2h - 5s;
  EXPECT_FALSE(policy.decide(sms(config::priority::urgent, 2, late), 1.0).give_up);
  const auto decision = policy.decide(sms(config::priority::urgent, 3, late), 1.0);
  EXPECT_TRUE(decision.give_up);
  EXPECT_THAT(decision.reason, HasSubstr("max_age (2h)"));
}

TEST(retry_policy, a_retry_after_beyond_max_age_gives_up) {
  const retry_policy policy{config::retry_config{}};
  EXPECT_TRUE(policy.decide(sms(config::priority::urgent, 1, accepted, 3h), 0.0).give_up);
}

TEST(retry_policy, configured_rule_replaces_the_default) {
  config::retry_config cfg;
  cfg.voice.normal = {2, 1s, 1s, 1h};
  const retry_policy policy{cfg};
  retry_input input = sms(config::priority::normal, 1, accepted);
  input.channel = config::channel::voice;
  EXPECT_EQ(policy.decide(input, 1.0).retry_at, accepted + 1s);
  input.attempts = 2;
  EXPECT_TRUE(policy.decide(input, 0.0).give_up);
}

TEST(retry_policy, default_random_source_draws_in_the_unit_interval) {
  auto draw = default_random_source();
  for (int i = 0; i < 1000; ++i) {
    const double u = draw();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

TEST(parse_record_time, reads_what_records_hold) {
  const auto t = parse_record_time("2023-11-14T22:13:20.250Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, system_clock::time_point(1'700'000'000s + 250ms));
  EXPECT_EQ(parse_record_time("2023-11-14T22:13:20Z"), system_clock::time_point(1'700'000'000s));
  EXPECT_FALSE(parse_record_time("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(parse_record_time("2023-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_record_time(""));
}

}  // namespace
}  // namespace liaison::queue
