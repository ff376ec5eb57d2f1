#include "support/bounded_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace liaison {
namespace {

TEST(bounded_memo, computes_each_key_once_while_it_is_remembered) {
  bounded_memo<std::string> memo(10);
  int computed = 0;
  const auto upper = [&](std::string text) {
    return [&computed, text] {
      ++computed;
      std::string out = text;
      for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      return out;
    };
  };
  EXPECT_EQ(memo.get("abc", upper("abc")), "ABC");
  EXPECT_EQ(memo.get("abc", upper("abc")), "ABC");
  EXPECT_EQ(memo.get("xyz", upper("xyz")), "XYZ");
  EXPECT_EQ(computed, 2);
}

TEST(bounded_memo, stays_within_two_generations_and_keeps_what_is_still_used) {
  bounded_memo<int> memo(3);
  int computed = 0;
  const auto count = [&] { return ++computed; };
  memo.get("kept", count);  // 1
  for (int i = 0; i < 100; ++i) {
    memo.get("key" + std::to_string(i), count);
    memo.get("kept", count);  // found each time: carried over to the newer generation
    EXPECT_LE(memo.size(), 6u);
  }
  EXPECT_EQ(computed, 101);  // "kept" once, each other key once
  // A key from long ago is forgotten and computed again.
  memo.get("key0", count);
  EXPECT_EQ(computed, 102);
}

}  // namespace
}  // namespace liaison
