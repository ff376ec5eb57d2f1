#include "i18n/utf8.hpp"

#include <gtest/gtest.h>

namespace liaison::i18n {
namespace {

TEST(utf8, well_formed_text_is_valid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("STOP"));
  EXPECT_TRUE(is_valid_utf8("Mañana no hay clases · 明天 · 😀"));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is a character
}

TEST(utf8, ill_formed_sequences_are_not) {
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("a\x80"));             // a lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // an encoded surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(utf8, repair_replaces_each_ill_formed_sequence_and_keeps_the_rest) {
  EXPECT_EQ(repair_utf8("Mañana"), "Mañana");
  EXPECT_EQ(repair_utf8("NACK \xff\xfe ok"), "NACK \xef\xbf\xbd\xef\xbf\xbd ok");
  EXPECT_TRUE(is_valid_utf8(repair_utf8("\xc0\xaf\xed\xa0\x80\xe2\x82")));
}

}  // namespace
}  // namespace liaison::i18n
