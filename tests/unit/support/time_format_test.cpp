#include "support/time_format.hpp"

#include <gtest/gtest.h>

namespace liaison {
namespace {

std::string round_trip(std::string_view text) {
  auto t = parse_rfc3339(text);
  return t ? format_rfc3339_utc(*t) : "invalid";
}

TEST(Rfc3339, UtcWithAndWithoutFraction) {
  EXPECT_EQ(round_trip("2026-12-01T09:00:00Z"), "2026-12-01T09:00:00.000Z");
  EXPECT_EQ(round_trip("2026-12-01T09:00:00.25Z"), "2026-12-01T09:00:00.250Z");
  EXPECT_EQ(round_trip("2026-12-01T09:00:00.123456Z"), "2026-12-01T09:00:00.123Z");
}

TEST(Rfc3339, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(round_trip("2026-12-01T09:00:00-05:00"), "2026-12-01T14:00:00.000Z");
  EXPECT_EQ(round_trip("2026-12-01T01:30:00+04:30"), "2026-11-30T21:00:00.000Z");
}

TEST(Rfc3339, RejectsWhatIsNotADateTime) {
  for (const auto* bad :
       {"", "2026-12-01", "2026-12-01 09:00:00Z", "2026-02-30T09:00:00Z", "2026-12-01T24:00:00Z",
        "2026-12-01T09:00:00", "2026-12-01T09:00:00+0500", "2026-12-01T09:00:00.Z",
        "2026-12-01T09:00:00Zjunk", "tomorrow at nine"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(Rfc3339, RejectsInstantsSystemClockCannotHold) {
  // Nanoseconds in 64 bits reach from 1677 to 2262; converting beyond would overflow.
  EXPECT_FALSE(parse_rfc3339("1013-12-03T18:30:00-05:00"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("1677-09-21T00:12:43Z"));
  EXPECT_EQ(round_trip("1700-01-01T00:00:00Z"), "1700-01-01T00:00:00.000Z");
  EXPECT_EQ(round_trip("2261-12-31T23:59:59Z"), "2261-12-31T23:59:59.000Z");
}

}  // namespace
}  // namespace liaison
