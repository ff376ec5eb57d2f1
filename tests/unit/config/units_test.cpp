// The duration ("1m30s") and byte-size ("1MiB") syntax of the config file.
#include "config/units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::config::detail {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string duration_error(std::string_view text) {
  const auto parsed = parse_duration(text);
  EXPECT_FALSE(parsed.value) << text;
  return parsed.error;
}

std::string size_error(std::string_view text) {
  const auto parsed = parse_byte_size(text);
  EXPECT_FALSE(parsed.value) << text;
  return parsed.error;
}

TEST(parse_duration, reads_each_unit) {
  EXPECT_EQ(parse_duration("250ms").value, 250ms);
  EXPECT_EQ(parse_duration("30s").value, 30s);
  EXPECT_EQ(parse_duration("5m").value, 5min);
  EXPECT_EQ(parse_duration("1h").value, 1h);
  EXPECT_EQ(parse_duration("24h").value, 24h);
}

TEST(parse_duration, adds_up_combined_units) {
  EXPECT_EQ(parse_duration("1m30s").value, 90s);
  EXPECT_EQ(parse_duration("1h2m3s4ms").value, 1h + 2min + 3s + 4ms);
}

TEST(parse_duration, accepts_zero) {
  // Whether zero makes sense is the loader's decision, per key.
  EXPECT_EQ(parse_duration("0s").value, 0ms);
}

TEST(parse_duration, rejects_a_bare_number_asking_for_a_unit) {
  EXPECT_EQ(duration_error("30"), "duration needs a unit, e.g. \"30s\"");
}

TEST(parse_duration, rejects_an_empty_string) {
  EXPECT_THAT(duration_error(""), HasSubstr("empty"));
}

TEST(parse_duration, rejects_an_unknown_unit_naming_it) {
  EXPECT_THAT(duration_error("30sec"), HasSubstr("unknown unit \"sec\""));
  EXPECT_THAT(duration_error("2d"), HasSubstr("unknown unit \"d\""));
}

TEST(parse_duration, rejects_a_trailing_number_without_unit) {
  EXPECT_THAT(duration_error("1m30"), HasSubstr("missing unit after \"30\""));
}

TEST(parse_duration, rejects_units_out_of_order_or_repeated) {
  EXPECT_THAT(duration_error("30s1m"), HasSubstr("largest to smallest"));
  EXPECT_THAT(duration_error("1s1s"), HasSubstr("largest to smallest"));
}

TEST(parse_duration, rejects_signs_and_spaces) {
  EXPECT_THAT(duration_error("-5s"), HasSubstr("expected a number"));
  EXPECT_THAT(duration_error("+5s"), HasSubstr("expected a number"));

  EXPECT_THAT(duration_error(" 5s"), HasSubstr("expected a number"));
}

TEST(parse_duration, rejects_fractions_suggesting_a_smaller_unit) {
  EXPECT_THAT(duration_error("1.5s"), HasSubstr("write \"1s500ms\""));
}

TEST(parse_duration, rejects_values_that_overflow) {
  EXPECT_THAT(duration_error("99999999999999999999h"), HasSubstr("too large"));
  EXPECT_THAT(duration_error("9999999999999999h"), HasSubstr("too large"));
}

TEST(parse_byte_size, reads_binary_and_decimal_units) {
  EXPECT_EQ(parse_byte_size("1MiB").value, 1024U * 1024U);
  EXPECT_EQ(parse_byte_size("512KiB").value, 512U * 1024U);
  EXPECT_EQ(parse_byte_size("2GiB").value, 2ULL * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("100B").value, 100U);
  EXPECT_EQ(parse_byte_size("3kB").value, 3000U);
  EXPECT_EQ(parse_byte_size("3KB").value, 3000U);
  EXPECT_EQ(parse_byte_size("2MB").value, 2'000'000U);
  EXPECT_EQ(parse_byte_size("1GB").value, 1'000'000'000U);
}

TEST(parse_byte_size, rejects_a_string_without_unit) {
  EXPECT_THAT(size_error("1024"), HasSubstr("size needs a unit"));
}

TEST(parse_byte_size, rejects_an_unknown_unit) {
  EXPECT_THAT(size_error("1mb"), HasSubstr("unknown unit \"mb\""));
  EXPECT_THAT(size_error("1 MiB"), HasSubstr("unknown unit \" MiB\""));
}

TEST(parse_byte_size, rejects_a_missing_number) {
  EXPECT_THAT(size_error("MiB"), HasSubstr("expected a size"));
  EXPECT_THAT(size_error(""), HasSubstr("expected a size"));
}

TEST(parse_byte_size, rejects_values_that_overflow) {
  EXPECT_THAT(size_error("99999999999GiB"), HasSubstr("too large"));
}

}  // namespace
}  // namespace liaison::config::detail
