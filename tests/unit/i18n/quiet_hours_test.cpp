#include "i18n/quiet_hours.hpp"

#include <gtest/gtest.h>

#include "support/time_format.hpp"

namespace liaison::i18n {
namespace {

std::chrono::system_clock::time_point at(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t.value_or(std::chrono::system_clock::time_point{});
}

class QuietHoursTest : public ::testing::Test {
 protected:
  quiet_hours hours{quiet_window{}, "America/New_York"};
};

TEST_F(QuietHoursTest, DaytimeIsNotQuiet) {
  const auto noon_chicago = at("2026-12-01T12:00:00-06:00");
  EXPECT_EQ(hours.next_allowed(noon_chicago, "America/Chicago"), noon_chicago);
  EXPECT_FALSE(hours.is_quiet(noon_chicago, "America/Chicago"));
}

TEST_F(QuietHoursTest, EveningWaitsUntilEightTheNextMorningInTheGuardiansZone) {
  // 22:30 in Chicago: quiet until 08:00 Chicago time the next day.
  EXPECT_EQ(
      format_rfc3339_utc(hours.next_allowed(at("2026-12-01T22:30:00-06:00"), "America/Chicago")),
      "2026-12-02T14:00:00.000Z");
}

TEST_F(QuietHoursTest, EarlyMorningWaitsUntilEightTheSameDay) {
  EXPECT_EQ(
      format_rfc3339_utc(hours.next_allowed(at("2026-12-02T05:10:00+03:00"), "Africa/Mogadishu")),
      "2026-12-02T05:00:00.000Z");
}

TEST_F(QuietHoursTest, TheSameInstantIsQuietInOneZoneAndNotInAnother) {
  // 02:00 UTC is 21:00 in New York and 06:30 in Kabul (both quiet), 16:00 in Honolulu.
  const auto instant = at("2026-12-02T02:00:00Z");
  EXPECT_TRUE(hours.is_quiet(instant, "America/New_York"));
  EXPECT_TRUE(hours.is_quiet(instant, "Asia/Kabul"));
  EXPECT_FALSE(hours.is_quiet(instant, "Pacific/Honolulu"));
}

TEST_F(QuietHoursTest, BoundariesStartInclusiveEndExclusive) {
  EXPECT_TRUE(hours.is_quiet(at("2026-12-01T21:00:00-05:00"), "America/New_York"));
  EXPECT_FALSE(hours.is_quiet(at("2026-12-01T20:59:59-05:00"), "America/New_York"));
  EXPECT_FALSE(hours.is_quiet(at("2026-12-02T08:00:00-05:00"), "America/New_York"));
  EXPECT_TRUE(hours.is_quiet(at("2026-12-02T07:59:59-05:00"), "America/New_York"));
}

TEST_F(QuietHoursTest, EndAcrossTheSpringForwardChangeUsesTheNewOffset) {
  // 2027-03-14: New York moves from -05:00 to -04:00 at 02:00. 08:00 that morning is 12:00Z.
  EXPECT_EQ(
      format_rfc3339_utc(hours.next_allowed(at("2027-03-13T23:00:00-05:00"), "America/New_York")),
      "2027-03-14T12:00:00.000Z");
}

TEST_F(QuietHoursTest, EmptyZoneUsesTheDistrictZone) {
  EXPECT_EQ(format_rfc3339_utc(hours.next_allowed(at("2026-12-01T23:00:00-05:00"), "")),
            "2026-12-02T13:00:00.000Z");
}

TEST(QuietHoursWindow, EqualStartAndEndTurnsQuietHoursOff) {
  quiet_hours off{quiet_window{std::chrono::hours(0), std::chrono::hours(0)}, "UTC"};
  const auto midnight = at("2026-12-01T00:30:00Z");
  EXPECT_EQ(off.next_allowed(midnight, "UTC"), midnight);
}

TEST(QuietHoursWindow, ADaytimeWindowDoesNotSpanMidnight) {
  quiet_hours lunch{quiet_window{std::chrono::hours(12), std::chrono::hours(13)}, "UTC"};
  EXPECT_TRUE(lunch.is_quiet(at("2026-12-01T12:30:00Z"), "UTC"));
  EXPECT_FALSE(lunch.is_quiet(at("2026-12-01T23:30:00Z"), "UTC"));
  EXPECT_EQ(format_rfc3339_utc(lunch.next_allowed(at("2026-12-01T12:30:00Z"), "UTC")),
            "2026-12-01T13:00:00.000Z");
}

}  // namespace
}  // namespace liaison::i18n
