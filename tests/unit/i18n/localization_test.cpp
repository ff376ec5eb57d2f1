#include "i18n/localization.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liaison::i18n {
namespace {

using ::testing::HasSubstr;
using policy = machine_translation_policy;

const std::vector<std::string> catalog_languages{"en",      "es", "so", "vi", "ar",   "zh-Hans",
                                                 "zh-Hant", "pt", "fr", "ht", "fa-AF"};

// One row: an announcement (source en) or a catalog message, a guardian, and what must happen.
struct localization_case {
  std::string name;
  std::string guardian;
  std::vector<std::string> human;      // translations (the source en is added by the function)
  std::vector<std::string> templates;  // catalog message: template languages
  policy mt_policy;
  std::vector<std::string> machine;  // provider targets; empty: no provider
  // expected
  text_source source;
  std::string text_language;
  bool machine_notice;
  bool fallback_notice;
  std::string notice_language;
  std::string format_locale;
};

void PrintTo(const localization_case& c, std::ostream* out) {
  *out << c.name;
}

class choose_localization_table : public ::testing::TestWithParam<localization_case> {};

TEST_P(choose_localization_table, chooses) {
  const auto& c = GetParam();
  localization_request request;
  request.guardian_language = c.guardian;
  request.district_default = "en";
  request.source_language = c.templates.empty() ? "en" : "";
  request.human_languages = c.human;
  request.template_languages = c.templates;
  request.notice_languages = catalog_languages;
  request.policy = c.mt_policy;
  request.machine_languages = c.machine;

  const auto r = choose_localization(request);
  ASSERT_TRUE(r) << r.error;
  const auto& choice = *r.value;
  EXPECT_EQ(choice.source, c.source) << to_string(choice.source);
  EXPECT_EQ(choice.text_language, c.text_language);
  EXPECT_EQ(choice.add_machine_translation_notice, c.machine_notice);
  EXPECT_EQ(choice.add_fallback_notice, c.fallback_notice);
  EXPECT_EQ(choice.in_guardian_language, !c.fallback_notice);
  EXPECT_EQ(choice.notice_language, c.notice_language);
  EXPECT_EQ(choice.format_locale, c.format_locale);
}

const auto human = text_source::human_translation;
const auto catalog = text_source::catalog;
const auto machine = text_source::machine_translation;

INSTANTIATE_TEST_SUITE_P(
    design_step_3, choose_localization_table,
    ::testing::Values(
        // name, guardian, human, templates, policy, machine,
        //   source, text language, mt notice, fallback notice, notice language, format locale
        localization_case{"source_language_reader_gets_the_original",
                          "en-US",
                          {"es"},
                          {},
                          policy::never,
                          {},
                          human,
                          "en",
                          false,
                          false,
                          "en",
                          "en-US"},
        localization_case{"human_translation_in_a_regional_variant",
                          "es-MX",
                          {"es"},
                          {},
                          policy::if_no_human_translation,
                          {"es"},
                          human,
                          "es",
                          false,
                          false,
                          "es",
                          "es-MX"},
        localization_case{"closest_variant_of_the_same_language",
                          "pt-PT",
                          {"pt-BR"},
                          {},
                          policy::never,
                          {},
                          human,
                          "pt-BR",
                          false,
                          false,
                          "pt",
                          "pt-PT"},
        localization_case{"traditional_chinese_reader_by_region",
                          "zh-TW",
                          {"zh-Hans", "zh-Hant"},
                          {},
                          policy::never,
                          {},
                          human,
                          "zh-Hant",
                          false,
                          false,
                          "zh-Hant",
                          "zh-TW"},
        localization_case{"dari_by_its_old_code",
                          "prs",
                          {"fa-AF"},
                          {},
                          policy::never,
                          {},
                          human,
                          "fa-AF",
                          false,
                          false,
                          "fa-AF",
                          "fa-AF"},
        localization_case{"catalog_template_in_the_guardians_language",
                          "so",
                          {},
                          {"en", "so"},
                          policy::never,
                          {},
                          catalog,
                          "so",
                          false,
                          false,
                          "so",
                          "so"},
        localization_case{"machine_translation_when_allowed_and_no_human_text",
                          "vi",
                          {"es"},
                          {},
                          policy::if_no_human_translation,
                          {"es", "vi"},
                          machine,
                          "vi",
                          true,
                          false,
                          "vi",
                          "vi"},
        localization_case{"human_text_wins_over_machine_translation",
                          "es",
                          {"es"},
                          {},
                          policy::if_no_human_translation,
                          {"es", "vi"},
                          human,
                          "es",
                          false,
                          false,
                          "es",
                          "es"},
        localization_case{"policy_always_machine_translates_even_with_a_human_text",
                          "es",
                          {"es"},
                          {},
                          policy::always,
                          {"es"},
                          machine,
                          "es",
                          true,
                          false,
                          "es",
                          "es"},
        localization_case{"policy_always_uses_human_text_the_provider_cannot_produce",
                          "so",
                          {"so"},
                          {},
                          policy::always,
                          {"es"},
                          human,
                          "so",
                          false,
                          false,
                          "so",
                          "so"},
        localization_case{"policy_never_falls_back_with_a_note_in_the_guardians_language",
                          "so",
                          {"es"},
                          {},
                          policy::never,
                          {"so"},
                          human,
                          "en",
                          false,
                          true,
                          "so",
                          "en"},
        localization_case{"no_provider_falls_back_with_a_note",
                          "vi",
                          {},
                          {},
                          policy::if_no_human_translation,
                          {},
                          human,
                          "en",
                          false,
                          true,
                          "vi",
                          "en"},
        localization_case{"provider_without_the_language_falls_back",
                          "am",
                          {"es"},
                          {},
                          policy::if_no_human_translation,
                          {"es"},
                          human,
                          "en",
                          false,
                          true,
                          "en",
                          "en"},
        localization_case{"haitian_creole_falls_back_to_french_by_cldr_distance",
                          "ht",
                          {"fr"},
                          {},
                          policy::never,
                          {},
                          human,
                          "fr",
                          false,
                          true,
                          "ht",
                          "fr"},
        // CLDR distance also prefers Russian for Ukrainian readers: a policy question (docs).
        localization_case{"ukrainian_falls_back_to_russian_by_cldr_distance",
                          "uk",
                          {"ru"},
                          {},
                          policy::never,
                          {},
                          human,
                          "ru",
                          false,
                          true,
                          "en",
                          "ru"},
        localization_case{"catalog_message_in_a_language_without_template_uses_the_default",
                          "km",
                          {},
                          {"en", "es"},
                          policy::never,
                          {},
                          catalog,
                          "en",
                          false,
                          true,
                          "en",
                          "en"}));

TEST(choose_localization, rejects_an_invalid_guardian_language) {
  localization_request request;
  request.guardian_language = "klingon";
  request.district_default = "en";
  request.source_language = "en";
  const auto r = choose_localization(request);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("klingon"));
}

TEST(choose_localization, needs_some_text) {
  localization_request request;
  request.guardian_language = "es";
  request.district_default = "en";
  EXPECT_FALSE(choose_localization(request));
}

TEST(choose_localization, keeps_the_spelling_of_the_available_language) {
  localization_request request;
  request.guardian_language = "es-MX";
  request.district_default = "en";
  request.source_language = "en";
  request.human_languages = {"es_MX"};
  const auto r = choose_localization(request);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->text_language, "es_MX");
  EXPECT_EQ(r.value->guardian_language, "es-MX");
}

TEST(machine_translation_policy, parses_the_api_spelling) {
  EXPECT_EQ(machine_translation_policy_from_string("always").value, policy::always);
  EXPECT_EQ(machine_translation_policy_from_string("if_no_human_translation").value,
            policy::if_no_human_translation);
  EXPECT_FALSE(machine_translation_policy_from_string("sometimes"));
}

}  // namespace
}  // namespace liaison::i18n
