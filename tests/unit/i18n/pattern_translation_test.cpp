// Argument protection for machine translation: what a provider is sent for a pattern, and which
// of its answers come back as a valid pattern with the same arguments (and which are refused).
#include "i18n/pattern_translation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liaison::i18n {
namespace {

using ::testing::HasSubstr;

protected_pattern prepare(std::string_view pattern) {
  auto prepared = protect_pattern(pattern);
  EXPECT_TRUE(prepared) << prepared.error;
  return prepared ? std::move(*prepared.value) : protected_pattern{};
}

std::string restored(std::string_view original, const std::vector<std::string>& answers) {
  auto out = restore_pattern(original, prepare(original), answers);
  EXPECT_TRUE(out) << out.error;
  return out ? *out.value : std::string();
}

std::string refusal(std::string_view original, const std::vector<std::string>& answers) {
  auto out = restore_pattern(original, prepare(original), answers);
  EXPECT_FALSE(out) << "accepted: " << out.value.value_or("");
  return out.error;
}

TEST(protect_pattern, replaces_every_argument_by_an_empty_marker) {
  const auto p = prepare("Dear {guardian_name}, the workshop is on {when, date, long}.");
  ASSERT_EQ(p.segments.size(), 1u);
  EXPECT_EQ(p.segments[0],
            "Dear <x-arg id=\"1\"></x-arg>, the workshop is on <x-arg id=\"2\"></x-arg>.");
  EXPECT_TRUE(p.translatable[0]);
}

TEST(protect_pattern, escapes_html_and_keeps_line_breaks_as_br) {
  const auto p = prepare("Fish & chips <free>\nBring a friend");
  EXPECT_EQ(p.segments[0], "Fish &amp; chips &lt;free&gt;<br>Bring a friend");
}

TEST(protect_pattern, sends_quoted_syntax_as_the_text_it_means) {
  // '{' is a literal brace; '' an apostrophe.
  const auto p = prepare("Use '{'braces'}' and don''t worry");
  EXPECT_EQ(p.segments[0], "Use {braces} and don't worry");
}

TEST(protect_pattern, translates_each_plural_option_as_its_own_segment) {
  const auto p = prepare("You have {n, plural, one {# new message} other {# new messages}}.");
  ASSERT_EQ(p.segments.size(), 3u);
  EXPECT_EQ(p.segments[0], "You have <x-arg id=\"1\"></x-arg>.");
  EXPECT_EQ(p.segments[1], "<x-arg id=\"2\"></x-arg> new message");
  EXPECT_EQ(p.segments[2], "<x-arg id=\"3\"></x-arg> new messages");
}

TEST(protect_pattern, marks_segments_without_words_as_not_translatable) {
  const auto p = prepare("{n, plural, one {#} other {# children}}");
  ASSERT_EQ(p.segments.size(), 3u);
  EXPECT_FALSE(p.translatable[0]);
  EXPECT_FALSE(p.translatable[1]);
  EXPECT_TRUE(p.translatable[2]);
}

TEST(protect_pattern, refuses_a_pattern_that_does_not_parse) {
  EXPECT_FALSE(protect_pattern("Hello {name"));
}

TEST(restore_pattern, puts_the_arguments_back_where_the_translator_moved_them) {
  const std::string original = "Dear {guardian_name}, the workshop is on {when, date, long}.";
  EXPECT_EQ(restored(original, {"Estimado/a <x-arg id=\"1\"></x-arg>, el taller es el "
                                "<x-arg id=\"2\"></x-arg>."}),
            "Estimado/a {guardian_name}, el taller es el {when, date, long}.");
  // Word order changes are fine: the arguments follow their markers.
  EXPECT_EQ(restored(original, {"<x-arg id=\"2\"></x-arg>: taller, <x-arg id=\"1\"></x-arg>."}),
            "{when, date, long}: taller, {guardian_name}.");
}

TEST(restore_pattern, accepts_the_markup_spellings_providers_give_back) {
  const std::string original = "Hi {name} and {other}";
  EXPECT_EQ(restored(original, {"Hola <x-arg id=\"1\"/> y <X-ARG id='2'></X-ARG>"}),
            "Hola {name} y {other}");
  EXPECT_EQ(restored(original, {"Hola <x-arg id=1></x-arg> y <x-arg id=\"2\">"}),
            "Hola {name} y {other}");
}

TEST(restore_pattern, quotes_apostrophes_and_braces_the_translation_brings) {
  const std::string original = "Welcome to {school}";
  // French elision and a brace in the answer must not become pattern syntax.
  EXPECT_EQ(restored(original, {"Bienvenue à l'école <x-arg id=\"1\"></x-arg> {!}"}),
            "Bienvenue à l''école {school} '{'!'}'");
}

TEST(restore_pattern, decodes_entities_and_line_breaks) {
  EXPECT_EQ(restored("Fish & chips\nfor {name}",
                     {"Pescado &amp; papas &quot;ya&quot; &#39;hoy&#39;<br/>para "
                      "<x-arg id=\"1\"></x-arg>&#x21;"}),
            "Pescado & papas \"ya\" ''hoy''\npara {name}!");
}

TEST(restore_pattern, rebuilds_plural_options_with_their_selectors) {
  const std::string original = "You have {n, plural, one {# new message} other {# new messages}}.";
  EXPECT_EQ(restored(original,
                     {"Tienes <x-arg id=\"1\"></x-arg>.", "<x-arg id=\"2\"></x-arg> mensaje nuevo",
                      "<x-arg id=\"3\"></x-arg> mensajes nuevos"}),
            "Tienes {n, plural, one {# mensaje nuevo} other {# mensajes nuevos}}.");
}

TEST(restore_pattern, quotes_a_literal_hash_inside_a_plural_option) {
  const std::string original = "{n, plural, one {# seat} other {# seats}}";
  EXPECT_EQ(restored(original, {"<x-arg id=\"1\"></x-arg>", "<x-arg id=\"2\"></x-arg> asiento #1",
                                "<x-arg id=\"3\"></x-arg> asientos"}),
            "{n, plural, one {# asiento '#'1} other {# asientos}}");
}

TEST(restore_pattern, refuses_a_lost_argument) {
  EXPECT_THAT(refusal("Dear {guardian_name}, see you {when, date, long}",
                      {"Estimado/a <x-arg id=\"1\"></x-arg>, hasta pronto"}),
              HasSubstr("lost an argument"));
}

TEST(restore_pattern, refuses_a_doubled_argument) {
  EXPECT_THAT(refusal("Dear {name}", {"<x-arg id=\"1\"></x-arg> querido <x-arg id=\"1\"></x-arg>"}),
              HasSubstr("repeats"));
}

TEST(restore_pattern, refuses_an_invented_argument_marker) {
  EXPECT_THAT(refusal("Dear {name}", {"Querido <x-arg id=\"1\"></x-arg> <x-arg id=\"7\"></x-arg>"}),
              HasSubstr("not sent"));
}

TEST(restore_pattern, refuses_markup_the_provider_added) {
  EXPECT_THAT(refusal("Dear {name}", {"Querido <b><x-arg id=\"1\"></x-arg></b>"}),
              HasSubstr("added markup"));
}

TEST(restore_pattern, refuses_an_empty_translation) {
  EXPECT_THAT(refusal("Dear {name}", {"  "}), HasSubstr("empty"));
}

TEST(restore_pattern, refuses_answers_that_do_not_match_the_segments) {
  EXPECT_THAT(refusal("{n, plural, one {# seat} other {# seats}}", {"<x-arg id=\"1\"></x-arg>"}),
              HasSubstr("segments"));
}

TEST(restore_pattern, refuses_an_argument_moved_into_another_option) {
  EXPECT_THAT(refusal("{n, plural, one {# seat} other {# seats}}",
                      {"<x-arg id=\"1\"></x-arg>", "<x-arg id=\"3\"></x-arg> asiento",
                       "<x-arg id=\"2\"></x-arg> asientos"}),
              HasSubstr("moves"));
}

TEST(unescape_html, decodes_numeric_and_named_entities_and_keeps_unknown_ones) {
  EXPECT_EQ(unescape_html("a&amp;b &lt;&gt; &#233;&#xE9; &nbsp;&bogus; & x"),
            "a&b <> éé \u00a0&bogus; & x");
}

}  // namespace
}  // namespace liaison::i18n
