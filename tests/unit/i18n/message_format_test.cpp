#include "i18n/message_format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace liaison::i18n {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using namespace std::chrono_literals;

// 2025-03-04 21:30 UTC: 15:30 on Tuesday March 4 in Chicago (CST, UTC-6), 02:00 on Wednesday
// March 5 in Kabul (UTC+4:30).
const auto meeting = std::chrono::sys_days{std::chrono::March / 4 / 2025} + 21h + 30min;

const message_catalog& empty_catalog() {
  static const message_catalog catalog;
  return catalog;
}

std::string render(message_renderer& renderer, std::string_view pattern, std::string locale,
                   std::string zone, const message_arguments& arguments) {
  const auto r =
      renderer.render_pattern(pattern, {"", std::move(locale), std::move(zone)}, arguments);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or("");
}

// --- analyze_pattern -----------------------------------------------------------------------------

TEST(analyze_pattern, lists_named_arguments_in_order_of_first_use) {
  const auto a = analyze_pattern(
      "Hello {guardian}, {student} has {count, plural, one {# absence} other {# absences}} "
      "since {since, date, long}. {guardian}, {kind, select, call {call us} other {reply}}.");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_THAT(a.argument_names(), ElementsAre("guardian", "student", "count", "since", "kind"));
  EXPECT_EQ(a.arguments[0].kind, argument_kind::any);
  EXPECT_EQ(a.arguments[2].kind, argument_kind::number);
  EXPECT_EQ(a.arguments[3].kind, argument_kind::date);
  EXPECT_EQ(a.arguments[4].kind, argument_kind::text);
}

TEST(analyze_pattern, finds_arguments_nested_in_plural_and_select) {
  const auto a =
      analyze_pattern("{n, plural, one {One meeting on {when, date, short}} other {# meetings}}");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_THAT(a.argument_names(), ElementsAre("n", "when"));
}

TEST(analyze_pattern, plain_text_has_no_arguments) {
  const auto a = analyze_pattern("No school tomorrow. Don't forget: it's a snow day!");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(a.arguments.empty());
}

TEST(analyze_pattern, reports_an_unclosed_argument_with_its_character_position) {
  const auto a = analyze_pattern("Hola {nombre, la reunión es mañana");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("at character"));
  EXPECT_GT(a.error_offset, 0u);
  EXPECT_TRUE(a.arguments.empty());
}

TEST(analyze_pattern, a_plural_without_other_is_an_error) {
  const auto a = analyze_pattern("Reunión {x, plural, one {a}}");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("'other'"));
}

TEST(analyze_pattern, counts_the_position_in_characters_not_bytes) {
  // "Reunión " is 8 characters but 9 bytes; the numbered argument starts at character 9.
  const auto a = analyze_pattern("Reunión {0}");
  ASSERT_FALSE(a.ok);
  EXPECT_EQ(a.error_offset, 8u);
  EXPECT_THAT(a.error, HasSubstr("at character 9"));
}

TEST(analyze_pattern, refuses_numbered_arguments) {
  const auto a = analyze_pattern("Hello {0}");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("name the argument"));
  EXPECT_EQ(a.error_offset, 6u);
}

TEST(analyze_pattern, refuses_unknown_argument_types) {
  const auto a = analyze_pattern("Hello {name, uppercase}");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("unknown type 'uppercase'"));
}

TEST(analyze_pattern, refuses_an_argument_used_as_number_and_date) {
  const auto a = analyze_pattern("{x, number} {x, date}");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("'x'"));
}

TEST(analyze_pattern, refuses_reserved_argument_names) {
  EXPECT_FALSE(analyze_pattern("{__d0}").ok);
}

TEST(analyze_pattern, refuses_invalid_utf8) {
  const auto a = analyze_pattern("Hola \xC3");
  ASSERT_FALSE(a.ok);
  EXPECT_THAT(a.error, HasSubstr("UTF-8"));
}

TEST(analyze_pattern, apostrophes_in_ordinary_text_are_literal) {
  const auto a = analyze_pattern("L'école de {school} n'ouvre pas. Don't worry.");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_THAT(a.argument_names(), ElementsAre("school"));
}

// --- message_renderer: dates in the guardian's locale and zone -----------------------------------

TEST(message_renderer, formats_a_spanish_date_in_chicago) {
  message_renderer renderer(empty_catalog());
  const auto text = render(renderer, "{when, date, long}, {when, time, short}", "es",
                           "America/Chicago", {{"when", meeting}});
  EXPECT_THAT(text, AllOf(HasSubstr("4 de marzo de 2025"), HasSubstr("15:30")));
}

TEST(message_renderer, formats_the_same_instant_in_kabul_on_the_next_day) {
  message_renderer renderer(empty_catalog());
  const auto text = render(renderer, "{when, date, long}, {when, time, short}", "es", "Asia/Kabul",
                           {{"when", meeting}});
  EXPECT_THAT(text, AllOf(HasSubstr("5 de marzo de 2025"), HasSubstr("2:00")));
}

TEST(message_renderer, honours_the_zone_for_dates_nested_in_plural) {
  message_renderer renderer(empty_catalog());
  const auto text =
      render(renderer, "{n, plural, one {Reunión: {when, time, short}} other {# reuniones}}", "es",
             "America/Chicago", {{"n", std::int64_t{1}}, {"when", meeting}});
  EXPECT_EQ(text, "Reunión: 15:30");
}

TEST(message_renderer, formats_date_skeletons_in_the_locale) {
  message_renderer renderer(empty_catalog());
  EXPECT_EQ(render(renderer, "{when, date, ::EEEEMMMMdjmm}", "en", "America/Chicago",
                   {{"when", meeting}}),
            "Tuesday, March 4 at 3:30\u202fPM");
  EXPECT_THAT(
      render(renderer, "{when, date, ::EEEEMMMMd}", "vi", "America/Chicago", {{"when", meeting}}),
      HasSubstr("4 tháng 3"));
}

TEST(message_renderer, formats_a_date_given_to_a_plain_argument_in_the_zone) {
  message_renderer renderer(empty_catalog());
  EXPECT_THAT(render(renderer, "{when}", "en-US", "Asia/Kabul", {{"when", meeting}}),
              HasSubstr("3/5/25"));
}

TEST(message_renderer, an_empty_zone_means_utc) {
  message_renderer renderer(empty_catalog());
  EXPECT_THAT(render(renderer, "{when, time, short}", "es", "", {{"when", meeting}}),
              HasSubstr("21:30"));
}

// --- plurals by locale rules
// ----------------------------------------------------------------------

TEST(message_renderer, uses_russian_plural_forms) {
  message_renderer renderer(empty_catalog());
  const std::string pattern =
      "{count, plural, one {# сообщение} few {# сообщения} many {# сообщений} other {# "
      "сообщения}}";
  const auto with = [&](std::int64_t n) {
    return render(renderer, pattern, "ru", "", {{"count", n}});
  };
  EXPECT_EQ(with(1), "1 сообщение");
  EXPECT_EQ(with(3), "3 сообщения");
  EXPECT_EQ(with(5), "5 сообщений");
  EXPECT_EQ(with(21), "21 сообщение");
  EXPECT_EQ(with(24), "24 сообщения");
  EXPECT_EQ(with(11), "11 сообщений");
}

TEST(message_renderer, uses_arabic_plural_forms) {
  message_renderer renderer(empty_catalog());
  const std::string pattern =
      "{count, plural, zero {zero} one {one} two {two} few {few} many {many} other {other}}";
  const auto with = [&](std::int64_t n) {
    return render(renderer, pattern, "ar", "", {{"count", n}});
  };
  EXPECT_EQ(with(0), "zero");
  EXPECT_EQ(with(1), "one");
  EXPECT_EQ(with(2), "two");
  EXPECT_EQ(with(3), "few");
  EXPECT_EQ(with(10), "few");
  EXPECT_EQ(with(11), "many");
  EXPECT_EQ(with(99), "many");
  EXPECT_EQ(with(100), "other");
}

TEST(message_renderer, formats_numbers_in_the_locale) {
  message_renderer renderer(empty_catalog());
  EXPECT_EQ(render(renderer, "{n, number}", "de", "", {{"n", 1234.5}}), "1.234,5");
  EXPECT_EQ(render(renderer, "{n, number}", "en", "", {{"n", std::int64_t{1234}}}), "1,234");
}

// --- errors
// ----------------------------------------------------------------------------------------

TEST(message_renderer, a_missing_argument_is_an_error_naming_it) {
  message_renderer renderer(empty_catalog());
  const auto r = renderer.render_pattern("Meeting on {when, date, long} at {school}",
                                         {"", "en", "America/Chicago"}, {{"when", meeting}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("missing argument 'school'"));
}

TEST(message_renderer, a_string_for_a_plural_is_an_error) {
  message_renderer renderer(empty_catalog());
  const auto r = renderer.render_pattern("{n, plural, one {#} other {#}}", {"", "en", ""},
                                         {{"n", std::string("three")}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("'n' must be a number"));
}

TEST(message_renderer, a_number_for_a_date_is_an_error) {
  message_renderer renderer(empty_catalog());
  const auto r = renderer.render_pattern("{d, date}", {"", "en", ""}, {{"d", std::int64_t{5}}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("'d' must be a date"));
}

TEST(message_renderer, an_unknown_zone_is_an_error) {
  message_renderer renderer(empty_catalog());
  const auto r = renderer.render_pattern("hi", {"", "en", "America/Springfield"}, {});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("America/Springfield"));
}

TEST(message_renderer, an_invalid_locale_is_an_error) {
  message_renderer renderer(empty_catalog());
  EXPECT_FALSE(renderer.render_pattern("hi", {"", "xx-YY", ""}, {}));
}

TEST(message_renderer, an_invalid_pattern_is_an_error) {
  message_renderer renderer(empty_catalog());
  const auto r =
      renderer.render_pattern("Hello {name", {"", "en", ""}, {{"name", std::string("a")}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("at character"));
}

TEST(message_renderer, a_language_not_in_the_catalog_is_an_error) {
  message_renderer renderer(empty_catalog());
  const auto r = renderer.render(message_key::stop_footer, {"es", "", ""}, {});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("'es' is not in the catalog"));
}

TEST(message_renderer, extra_arguments_are_ignored) {
  message_renderer renderer(empty_catalog());
  EXPECT_EQ(render(renderer, "Hi {name}", "en", "",
                   {{"name", std::string("Ana")}, {"unused", std::int64_t{3}}}),
            "Hi Ana");
}

// --- caching
// ---------------------------------------------------------------------------------------

TEST(message_renderer, builds_no_formatter_for_a_pattern_it_has_seen) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "{n, plural, one {# day} other {# days}} until {when, date, long}";
  render(renderer, pattern, "en", "America/Chicago", {{"n", std::int64_t{2}}, {"when", meeting}});
  const auto after_first = renderer.formatter_constructions();
  EXPECT_GT(after_first, 0u);
  for (int i = 0; i < 100; ++i) {
    render(renderer, pattern, "en", "America/Chicago", {{"n", std::int64_t{i}}, {"when", meeting}});
  }
  EXPECT_EQ(renderer.formatter_constructions(), after_first);
  EXPECT_EQ(renderer.cached_formats(), 1u);
}

TEST(message_renderer, caches_per_locale_and_zone) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "{when, time, short}";
  render(renderer, pattern, "en", "America/Chicago", {{"when", meeting}});
  render(renderer, pattern, "en", "Asia/Kabul", {{"when", meeting}});
  render(renderer, pattern, "es", "Asia/Kabul", {{"when", meeting}});
  render(renderer, pattern, "en", "America/Chicago", {{"when", meeting}});
  EXPECT_EQ(renderer.cached_formats(), 3u);
}

TEST(message_renderer, empties_the_pattern_cache_when_full) {
  message_renderer renderer(empty_catalog(), renderer_options{.max_cached_patterns = 2});
  for (const char* pattern : {"a {x}", "b {x}", "c {x}"}) {
    render(renderer, pattern, "en", "", {{"x", std::string("1")}});
  }
  EXPECT_EQ(renderer.cached_formats(), 1u);
}

// --- message_renderer: reusing a render for the next recipient ----------------------------------
// Strings given to plain {name} arguments are spliced into an earlier render when the other
// values are the same (compiled_format::can_splice); what comes out must be exactly what ICU
// would have formatted.

TEST(message_renderer, splices_each_recipients_names_into_the_same_message) {
  message_renderer renderer(empty_catalog());
  const std::string pattern =
      "{name}: {n, plural, one {# seat for {name}} other {# seats for {name}}} on "
      "{when, date, ::MMMMd} at {school}.";
  const auto for_name = [&](std::string name, std::int64_t n) {
    return render(renderer, pattern, "en", "America/Chicago",
                  {{"name", std::move(name)},
                   {"n", n},
                   {"when", meeting},
                   {"school", std::string("Lincoln")}});
  };
  EXPECT_EQ(for_name("Ana", 2), "Ana: 2 seats for Ana on March 4 at Lincoln.");
  EXPECT_EQ(for_name("Luis", 2), "Luis: 2 seats for Luis on March 4 at Lincoln.");
  EXPECT_EQ(for_name("", 2), ": 2 seats for  on March 4 at Lincoln.");
  // Another count is another render, not the earlier one with a new name.
  EXPECT_EQ(for_name("Sofía", 1), "Sofía: 1 seat for Sofía on March 4 at Lincoln.");
  EXPECT_EQ(for_name("Ana", 2), "Ana: 2 seats for Ana on March 4 at Lincoln.");
}

TEST(message_renderer, splices_strings_with_pattern_syntax_and_private_use_characters_verbatim) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "Hello {name}, see {link}.";
  for (const std::string name : {"Ana", "O'Brien {x}", "\ue000\uf8ff", "#"}) {
    const std::string expected = "Hello " + name + ", see https://x.example/?a=1.";
    EXPECT_EQ(render(renderer, pattern, "en", "",
                     {{"name", name}, {"link", std::string("https://x.example/?a=1")}}),
              expected);
  }
}

TEST(message_renderer, a_select_argument_is_not_spliced) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "{who, select, parent {Dear parent} other {Dear {who}}}, hi {who}";
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"who", std::string("parent")}}),
            "Dear parent, hi parent");
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"who", std::string("Ana")}}), "Dear Ana, hi Ana");
}

TEST(message_renderer, a_pattern_with_private_use_characters_is_formatted_by_icu_each_time) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "\ue001 {name} \ue000";
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"name", std::string("Ana")}}),
            "\ue001 Ana \ue000");
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"name", std::string("Luis")}}),
            "\ue001 Luis \ue000");
}

TEST(message_renderer, a_date_or_number_given_to_a_plain_argument_is_not_spliced) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "At {x}.";
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"x", std::string("noon")}}), "At noon.");
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"x", std::int64_t{1200}}}), "At 1,200.");
  EXPECT_EQ(render(renderer, pattern, "en", "", {{"x", std::string("one")}}), "At one.");
}

TEST(message_renderer, values_changing_every_time_still_render_correctly) {
  message_renderer renderer(empty_catalog());
  const std::string pattern = "{name} has {n, plural, one {# child} other {# children}}.";
  for (std::int64_t n = 0; n < 40; ++n) {
    const std::string name = "G" + std::to_string(n);
    EXPECT_EQ(render(renderer, pattern, "en", "", {{"name", name}, {"n", n % 3}}),
              name + " has " + std::to_string(n % 3) + (n % 3 == 1 ? " child." : " children."));
  }
}

}  // namespace
}  // namespace liaison::i18n
