// What each key means on a call (DESIGN.md §3 step 6, issue 7 item 6).
#include "daemon/services/voice_keypad.hpp"

#include <gtest/gtest.h>

namespace liaison::services {
namespace {

TEST(keypad_choice_from, one_confirms_two_repeats_three_asks_for_a_call_back) {
  EXPECT_EQ(keypad_choice_from("1"), keypad_choice::confirm);
  EXPECT_EQ(keypad_choice_from("2"), keypad_choice::repeat);
  EXPECT_EQ(keypad_choice_from("3"), keypad_choice::call_back);
}

TEST(keypad_choice_from, ignores_the_pound_key_and_spaces_around_the_digit) {
  EXPECT_EQ(keypad_choice_from("1#"), keypad_choice::confirm);
  EXPECT_EQ(keypad_choice_from(" 3 "), keypad_choice::call_back);
}

TEST(keypad_choice_from, any_other_key_or_none_means_nothing) {
  for (const char* digits : {"", "0", "4", "9", "*", "#", "12", "a", "１"}) {
    EXPECT_EQ(keypad_choice_from(digits), keypad_choice::other) << digits;
  }
}

TEST(voice_answer_of, confirm_and_call_back_are_recorded_repeat_and_others_are_not) {
  EXPECT_EQ(voice_answer_of(keypad_choice::confirm), "confirmed");
  EXPECT_EQ(voice_answer_of(keypad_choice::call_back), "call_back");
  EXPECT_EQ(voice_answer_of(keypad_choice::repeat), "");
  EXPECT_EQ(voice_answer_of(keypad_choice::other), "");
}

}  // namespace
}  // namespace liaison::services
