#include "support/markup.hpp"

#include <gtest/gtest.h>

namespace liaison {
namespace {

TEST(xml_escape, escapes_markup_and_quotes_anywhere) {
  EXPECT_EQ(xml_escape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
}

TEST(xml_escape, leaves_quotes_in_element_text) {
  EXPECT_EQ(xml_escape(R"(don't say "<b>" & go)", markup_place::element_text),
            R"(don't say "&lt;b&gt;" &amp; go)");
}

TEST(xml_escape, turns_forbidden_control_characters_into_spaces_and_keeps_utf8) {
  EXPECT_EQ(xml_escape("a\x01"
                       "b\tc\nd — ñ"),
            "a b\tc\nd — ñ");
}

}  // namespace
}  // namespace liaison
