// The reconnect policy of the Redis client, driven without sockets or clocks.
#include "queue/detail/reconnect_backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace liaison::queue::detail {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr double almost_one = 0.999999;

TEST(ReconnectBackoff, FirstRetryWaitsTheMinimumDelay) {
  EXPECT_EQ(reconnect_delay(100ms, 5s, 0, 0.0), 100ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 0, almost_one), 100ms);
}

TEST(ReconnectBackoff, UpperBoundDoublesWithEachAttempt) {
  EXPECT_EQ(reconnect_delay(100ms, 5s, 1, almost_one), 199ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 2, almost_one), 399ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 3, almost_one), 799ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 3, 1.0), 800ms);
}

TEST(ReconnectBackoff, DelaysNeverShrinkAsAttemptsGrow) {
  for (double unit : {0.0, 0.5, almost_one}) {
    milliseconds previous{0};
    for (unsigned attempt = 0; attempt < 20; ++attempt) {
      const auto delay = reconnect_delay(100ms, 5s, attempt, unit);
      EXPECT_GE(delay, previous) << "attempt " << attempt << " unit " << unit;
      previous = delay;
    }
  }
}

TEST(ReconnectBackoff, DelayIsCappedAtTheMaximumForAnyAttempt) {
  for (unsigned attempt : {6u, 7u, 10u, 31u, 32u, 63u, 64u, 1000u, 4'000'000'000u}) {
    EXPECT_LE(reconnect_delay(100ms, 5s, attempt, almost_one), 5s) << attempt;
    EXPECT_EQ(reconnect_delay(100ms, 5s, attempt, 1.0), 5s) << attempt;
  }
}

TEST(ReconnectBackoff, JitterStaysWithinTheUpperHalfOfTheWindow) {
  for (unsigned attempt = 1; attempt < 12; ++attempt) {
    const milliseconds high = std::min<milliseconds>(5s, 100ms * (1LL << attempt));
    const milliseconds low = std::max<milliseconds>(100ms, high / 2);
    for (double unit = 0.0; unit < 1.0; unit += 0.01) {
      const auto delay = reconnect_delay(100ms, 5s, attempt, unit);
      EXPECT_GE(delay, low) << "attempt " << attempt << " unit " << unit;
      EXPECT_LE(delay, high) << "attempt " << attempt << " unit " << unit;
    }
    EXPECT_EQ(reconnect_delay(100ms, 5s, attempt, 0.0), low);
  }
}

TEST(ReconnectBackoff, RandomDrawSpreadsTheDelay) {
  // At the cap, instances that lost Redis together must not retry in lockstep.
  EXPECT_EQ(reconnect_delay(100ms, 5s, 20, 0.0), 2500ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 20, 0.5), 3750ms);
  EXPECT_NE(reconnect_delay(100ms, 5s, 4, 0.1), reconnect_delay(100ms, 5s, 4, 0.9));
}

TEST(ReconnectBackoff, OutOfRangeRandomDrawsAreClamped) {
  EXPECT_EQ(reconnect_delay(100ms, 5s, 20, -3.0), 2500ms);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 20, 7.0), 5s);
  EXPECT_EQ(reconnect_delay(100ms, 5s, 20, std::numeric_limits<double>::quiet_NaN()), 2500ms);
}

TEST(ReconnectBackoff, MaximumBelowMinimumMeansAFixedDelay) {
  EXPECT_EQ(reconnect_delay(300ms, 100ms, 0, 0.5), 300ms);
  EXPECT_EQ(reconnect_delay(300ms, 100ms, 9, 0.5), 300ms);
}

TEST(ReconnectBackoff, NonPositiveMinimumStillWaits) {
  EXPECT_EQ(reconnect_delay(0ms, 0ms, 0, 0.5), 1ms);
  EXPECT_GE(reconnect_delay(-5ms, 1s, 3, 0.0), 1ms);
}

TEST(ReconnectBackoff, CounterAdvancesOnEachFailureAndResetsOnSuccess) {
  reconnect_backoff backoff(100ms, 5s);
  EXPECT_EQ(backoff.next(1.0), 100ms);
  EXPECT_EQ(backoff.next(1.0), 200ms);
  EXPECT_EQ(backoff.next(1.0), 400ms);
  EXPECT_EQ(backoff.attempt(), 3u);
  backoff.reset();
  EXPECT_EQ(backoff.attempt(), 0u);
  EXPECT_EQ(backoff.next(1.0), 100ms);
}

TEST(ReconnectBackoff, CounterStaysCappedAfterManyFailures) {
  reconnect_backoff backoff(100ms, 5s);
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_LE(backoff.next(1.0), 5s);
  }
  EXPECT_EQ(backoff.next(1.0), 5s);
}

}  // namespace
}  // namespace liaison::queue::detail
