#include "channels/address.hpp"

#include <gtest/gtest.h>

namespace liaison::channels {
namespace {

TEST(normalize_phone, national_us_number_becomes_e164) {
  EXPECT_EQ(normalize_phone("(202) 555-0143").normalized, "+12025550143");
}

TEST(normalize_phone, international_numbers_keep_their_country) {
  EXPECT_EQ(normalize_phone("+52 55 1234 5678").normalized, "+525512345678");
  EXPECT_EQ(normalize_phone("+252 61 234 5678").normalized, "+252612345678");  // Somalia
}

TEST(normalize_phone, rejects_too_short_and_letters) {
  EXPECT_FALSE(normalize_phone("12").normalized);
  EXPECT_FALSE(normalize_phone("call me").normalized);
  EXPECT_FALSE(normalize_phone("").normalized);
}

TEST(normalize_email, accepts_ordinary_and_international_domains) {
  EXPECT_TRUE(normalize_email("parent@example.org").normalized);
  EXPECT_TRUE(normalize_email("m.nguyen+school@mail.example.vn").normalized);
}

TEST(normalize_email, rejects_what_cannot_be_routed) {
  EXPECT_FALSE(normalize_email("no-at-sign").normalized);
  EXPECT_FALSE(normalize_email("a b@example.org").normalized);
  EXPECT_FALSE(normalize_email("a@localhost").normalized);
  EXPECT_FALSE(normalize_email("@example.org").normalized);
}

}  // namespace
}  // namespace liaison::channels
