// Rate limiting, circuit breaking and failover decisions, with time passed in (no sleeping).
#include "channels/resilience.hpp"

#include <gtest/gtest.h>

namespace liaison::channels {
namespace {

using namespace std::chrono_literals;

const steady_time t0 = steady_time(100s);

TEST(token_bucket, allows_a_burst_then_one_per_interval) {
  token_bucket bucket(1.0, 1.0, t0);  // Twilio's default: 1 call per second
  EXPECT_EQ(bucket.try_acquire(t0), 0ms);
  EXPECT_EQ(bucket.try_acquire(t0), 1000ms);
  EXPECT_EQ(bucket.try_acquire(t0 + 400ms), 600ms);
  EXPECT_EQ(bucket.try_acquire(t0 + 1s), 0ms);
}

TEST(token_bucket, refills_up_to_the_burst_only) {
  token_bucket bucket(100.0, 100.0, t0);  // a short code: 100 per second
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(bucket.try_acquire(t0), 0ms) << i;
  }
  EXPECT_GT(bucket.try_acquire(t0), 0ms);
  // After an idle hour, still only 100 at once.
  int granted = 0;
  while (bucket.try_acquire(t0 + 1h) == 0ms) {
    ++granted;
  }
  EXPECT_EQ(granted, 100);
}

TEST(circuit_breaker, opens_after_consecutive_failures_only) {
  circuit_breaker breaker({3, 30s});
  breaker.record_failure(t0);
  breaker.record_failure(t0);
  breaker.record_success();  // the run is broken
  breaker.record_failure(t0);
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), breaker_state::closed);
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), breaker_state::open);
  EXPECT_FALSE(breaker.allow(t0 + 29s));
}

TEST(circuit_breaker, lets_one_probe_through_when_half_open) {
  circuit_breaker breaker({1, 30s});
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0 + 30s), breaker_state::half_open);
  EXPECT_TRUE(breaker.allow(t0 + 30s));
  EXPECT_FALSE(breaker.allow(t0 + 31s));  // the probe is in flight
  breaker.record_success();
  EXPECT_EQ(breaker.state(t0 + 31s), breaker_state::closed);
  EXPECT_TRUE(breaker.allow(t0 + 31s));
}

TEST(circuit_breaker, a_failed_probe_opens_it_again) {
  circuit_breaker breaker({5, 30s});
  for (int i = 0; i < 5; ++i) {
    breaker.record_failure(t0);
  }
  ASSERT_TRUE(breaker.allow(t0 + 30s));
  breaker.record_failure(t0 + 30s);
  EXPECT_EQ(breaker.state(t0 + 31s), breaker_state::open);
  EXPECT_EQ(breaker.reopens_at(), t0 + 60s);
}

delivery_outcome outcome_of(outcome_kind kind, std::optional<std::chrono::seconds> after = {}) {
  delivery_outcome o;
  o.kind = kind;
  o.reason = "r";
  o.retry_after = after;
  return o;
}

struct two_providers {
  provider_guard first{token_bucket(10, 10, t0), circuit_breaker({2, 30s})};
  provider_guard second{token_bucket(10, 10, t0), circuit_breaker({2, 30s})};
  failover_plan plan() { return failover_plan({&first, &second}, 2s); }
};

TEST(failover_plan, calls_the_preferred_provider_first_and_stops_when_sent) {
  two_providers p;
  auto plan = p.plan();
  const auto a = plan.next(t0);
  EXPECT_EQ(a.what, failover_action::kind::call);
  EXPECT_EQ(a.provider, 0u);
  plan.on_outcome(0, outcome_of(outcome_kind::sent), t0);
  EXPECT_EQ(plan.next(t0).what, failover_action::kind::done);
  EXPECT_EQ(plan.result().kind, outcome_kind::sent);
  EXPECT_EQ(plan.decided_by(), 0u);
}

TEST(failover_plan, moves_to_the_next_provider_on_retry_later) {
  two_providers p;
  auto plan = p.plan();
  plan.next(t0);
  plan.on_outcome(0, outcome_of(outcome_kind::retry_later), t0);
  const auto a = plan.next(t0);
  EXPECT_EQ(a.what, failover_action::kind::call);
  EXPECT_EQ(a.provider, 1u);
  plan.on_outcome(1, outcome_of(outcome_kind::sent), t0);
  EXPECT_EQ(plan.result().kind, outcome_kind::sent);
  EXPECT_EQ(plan.decided_by(), 1u);
}

TEST(failover_plan, does_not_fail_over_a_permanent_failure) {
  two_providers p;
  auto plan = p.plan();
  plan.next(t0);
  auto refused = outcome_of(outcome_kind::permanent_failure);
  refused.recipient_opted_out = true;
  plan.on_outcome(0, refused, t0);
  EXPECT_EQ(plan.next(t0).what, failover_action::kind::done);
  EXPECT_TRUE(plan.result().recipient_opted_out);
  EXPECT_EQ(p.first.breaker.state(t0), breaker_state::closed);
}

TEST(failover_plan, skips_an_open_circuit) {
  two_providers p;
  p.first.breaker.record_failure(t0);
  p.first.breaker.record_failure(t0);
  auto plan = p.plan();
  const auto a = plan.next(t0 + 1s);
  EXPECT_EQ(a.what, failover_action::kind::call);
  EXPECT_EQ(a.provider, 1u);
}

TEST(failover_plan, waits_briefly_for_a_rate_limit_but_skips_a_long_one) {
  provider_guard slow{token_bucket(1, 1, t0), circuit_breaker()};
  provider_guard slower{token_bucket(0.1, 1, t0), circuit_breaker()};
  ASSERT_EQ(slow.bucket.try_acquire(t0), 0ms);
  ASSERT_EQ(slower.bucket.try_acquire(t0), 0ms);
  failover_plan plan({&slow, &slower}, 2s);
  const auto wait = plan.next(t0);
  EXPECT_EQ(wait.what, failover_action::kind::wait);
  EXPECT_EQ(wait.provider, 0u);
  EXPECT_EQ(wait.delay, 1000ms);
  const auto call = plan.next(t0 + 1s);
  EXPECT_EQ(call.what, failover_action::kind::call);
  EXPECT_EQ(call.provider, 0u);
  plan.on_outcome(0, outcome_of(outcome_kind::retry_later), t0 + 1s);
  // The second provider would make us wait 9 s: skipped, and the delivery retried later.
  EXPECT_EQ(plan.next(t0 + 1s).what, failover_action::kind::done);
  const auto result = plan.result();
  EXPECT_EQ(result.kind, outcome_kind::retry_later);
  ASSERT_TRUE(result.retry_after);
  EXPECT_EQ(*result.retry_after, 9s);
}

TEST(failover_plan, retries_later_at_the_earliest_useful_moment) {
  two_providers p;
  auto plan = p.plan();
  plan.next(t0);
  plan.on_outcome(0, outcome_of(outcome_kind::retry_later, 40s), t0);
  plan.next(t0);
  plan.on_outcome(1, outcome_of(outcome_kind::retry_later, 15s), t0);
  EXPECT_EQ(plan.next(t0).what, failover_action::kind::done);
  EXPECT_EQ(plan.result().kind, outcome_kind::retry_later);
  EXPECT_EQ(plan.result().retry_after, 15s);
}

TEST(failover_plan, a_channel_without_providers_fails_permanently) {
  failover_plan plan({}, 2s);
  EXPECT_EQ(plan.next(t0).what, failover_action::kind::done);
  EXPECT_EQ(plan.result().kind, outcome_kind::permanent_failure);
}

}  // namespace
}  // namespace liaison::channels
