#include "i18n/language.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liaison::i18n {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string canonical(std::string_view tag) {
  auto r = canonicalize_language_tag(tag);
  EXPECT_TRUE(r) << tag << ": " << r.error;
  return r.value.value_or("");
}

std::string rejection(std::string_view tag) {
  auto r = canonicalize_language_tag(tag);
  EXPECT_FALSE(r) << tag << " was accepted as " << r.value.value_or("");
  return r.error;
}

std::vector<std::string> chain(std::string_view tag, std::string_view district_default = "en") {
  auto r = fallback_chain(tag, district_default);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or(std::vector<std::string>{});
}

std::string best(std::string_view requested, const std::vector<std::string>& available,
                 std::string_view district_default = "en") {
  auto r = best_available_language(requested, available, district_default);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or("");
}

std::string native(std::string_view tag) {
  auto r = native_display_name(tag);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or("");
}

// --- canonicalize_language_tag ---------------------------------------------------------------

TEST(canonicalize_language_tag, accepts_posix_underscore_separator) {
  EXPECT_EQ(canonical("es_mx"), "es-MX");
}

TEST(canonicalize_language_tag, normalizes_case) {
  EXPECT_EQ(canonical("ES-MX"), "es-MX");
  EXPECT_EQ(canonical("zh-hant"), "zh-Hant");
  EXPECT_EQ(canonical("PT-br"), "pt-BR");
}

TEST(canonicalize_language_tag, keeps_already_canonical_tags) {
  for (const char* tag : {"zh-TW", "zh-Hant", "zh-Hant-TW", "ht", "so", "am", "fa-AF", "pt-BR",
                          "es-419", "ti", "my", "km", "ne", "uk"}) {
    EXPECT_EQ(canonical(tag), tag);
  }
}

TEST(canonicalize_language_tag, maps_dari_to_persian_of_afghanistan) {
  EXPECT_EQ(canonical("prs"), "fa-AF");
}

TEST(canonicalize_language_tag, replaces_deprecated_codes) {
  EXPECT_EQ(canonical("iw"), "he");
  EXPECT_EQ(canonical("tl"), "fil");
  EXPECT_EQ(canonical("zh-cmn-Hant"), "zh-Hant");
}

TEST(canonicalize_language_tag, ignores_surrounding_blanks) {
  EXPECT_EQ(canonical("  es-MX\t"), "es-MX");
}

TEST(canonicalize_language_tag, accepts_languages_liaison_names_itself) {
  EXPECT_EQ(canonical("hmn"), "hmn");
}

TEST(canonicalize_language_tag, rejects_empty) {
  EXPECT_THAT(rejection(""), HasSubstr("empty"));
  EXPECT_THAT(rejection("   "), HasSubstr("empty"));
}

TEST(canonicalize_language_tag, rejects_malformed_tags) {
  EXPECT_THAT(rejection("xx-?!"), HasSubstr("not a well-formed"));
  EXPECT_THAT(rejection("notalanguage123"), HasSubstr("not a well-formed"));
  EXPECT_THAT(rejection("es-"), HasSubstr("not a well-formed"));
  EXPECT_THAT(rejection("es--MX"), HasSubstr("not a well-formed"));
  EXPECT_THAT(rejection("español"), HasSubstr("not a well-formed"));
}

TEST(canonicalize_language_tag, rejects_tags_whose_canonical_form_is_not_a_tag) {
  // ICU drops "yes" from any extension, leaving a singleton without subtags ("es-y").
  EXPECT_THAT(rejection("es-y-yes"), HasSubstr("no BCP 47 form"));
  EXPECT_THAT(rejection("pal-pseopa-y-yes"), HasSubstr("no BCP 47 form"));
  EXPECT_EQ(canonical("en-u-kn-true"), "en-u-kn");  // in -u- that is the canonical form
}

TEST(canonicalize_language_tag, rejects_well_formed_tags_of_unknown_languages) {
  EXPECT_THAT(rejection("xx"), HasSubstr("unknown language 'xx'"));
  EXPECT_THAT(rejection("qaa"), HasSubstr("unknown language"));  // private use
}

TEST(canonicalize_language_tag, rejects_tags_without_a_language) {
  EXPECT_THAT(rejection("und"), HasSubstr("names no language"));
  EXPECT_THAT(rejection("x-klingon"), HasSubstr("names no language"));
}

TEST(canonicalize_language_tag, rejects_unknown_region_and_script) {
  EXPECT_THAT(rejection("es-XY"), HasSubstr("unknown region 'XY'"));
  EXPECT_THAT(rejection("zh-Qabc"), HasSubstr("unknown script 'Qabc'"));
}

TEST(canonicalize_language_tag, rejects_overlong_tags) {
  EXPECT_THAT(rejection("en-" + std::string(80, 'a')), HasSubstr("longer than 64"));
}

TEST(canonicalize_language_tag, error_quotes_the_tag_with_unprintable_bytes_escaped) {
  EXPECT_THAT(rejection("es\x01MX"), HasSubstr("'es\\x01MX'"));
}

// --- fallback_chain ---------------------------------------------------------------------------

TEST(fallback_chain, drops_region_then_ends_with_district_default) {
  EXPECT_THAT(chain("es-MX"), ElementsAre("es-MX", "es", "en"));
}

TEST(fallback_chain, drops_subtags_from_the_end) {
  EXPECT_THAT(chain("zh-Hant-TW"), ElementsAre("zh-Hant-TW", "zh-Hant", "zh", "en"));
}

TEST(fallback_chain, tries_the_script_a_region_implies_before_the_bare_language) {
  EXPECT_THAT(chain("zh-TW"), ElementsAre("zh-TW", "zh-Hant", "zh", "en"));
  EXPECT_THAT(chain("zh-HK"), ElementsAre("zh-HK", "zh-Hant", "zh", "en"));
  EXPECT_THAT(chain("pa-PK"), ElementsAre("pa-PK", "pa-Arab", "pa", "en"));
}

TEST(fallback_chain, adds_no_script_step_when_the_region_implies_the_default_script) {
  EXPECT_THAT(chain("pt-BR"), ElementsAre("pt-BR", "pt", "en"));
  EXPECT_THAT(chain("zh-CN"), ElementsAre("zh-CN", "zh", "en"));
}

TEST(fallback_chain, drops_a_variant_before_the_region) {
  EXPECT_THAT(chain("ca-ES-valencia"), ElementsAre("ca-ES-valencia", "ca-ES", "ca", "en"));
}

TEST(fallback_chain, has_no_duplicates) {
  EXPECT_THAT(chain("en-US"), ElementsAre("en-US", "en"));
  EXPECT_THAT(chain("en"), ElementsAre("en"));
  EXPECT_THAT(chain("es", "es"), ElementsAre("es"));
}

TEST(fallback_chain, canonicalizes_both_tags) {
  EXPECT_THAT(chain("prs", "EN_us"), ElementsAre("fa-AF", "fa", "en-US"));
}

TEST(fallback_chain, drops_extensions_before_subtags) {
  EXPECT_THAT(chain("ar-EG-u-nu-latn"), ElementsAre("ar-EG-u-nu-latn", "ar-EG", "ar", "en"));
}

TEST(fallback_chain, rejects_an_invalid_tag) {
  EXPECT_FALSE(fallback_chain("xx-?!", "en"));
}

TEST(fallback_chain, rejects_an_invalid_district_default) {
  auto r = fallback_chain("es", "nope!");
  EXPECT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("district default"));
}

// --- best_available_language --------------------------------------------------------------------

TEST(best_available_language, takes_the_first_available_entry_of_the_chain) {
  EXPECT_EQ(best("es-419", {"en", "es"}), "es");
}

TEST(best_available_language, maps_a_region_to_the_script_it_implies) {
  EXPECT_EQ(best("zh-TW", {"zh-Hans", "zh-Hant"}), "zh-Hant");
}

TEST(best_available_language, uses_icu_distance_for_a_sibling_region) {
  EXPECT_EQ(best("pt-PT", {"pt-BR"}), "pt-BR");
}

TEST(best_available_language, prefers_a_close_language_to_the_district_default) {
  EXPECT_EQ(best("pt-PT", {"en", "pt-BR"}, "en"), "pt-BR");
}

TEST(best_available_language, uses_icu_matching_when_the_chain_misses) {
  EXPECT_EQ(best("zh-HK", {"en", "zh-Hans", "zh-Hant"}), "zh-Hant");
  EXPECT_EQ(best("so", {"en", "es"}), "en");
}

TEST(best_available_language, falls_back_to_the_district_default_when_nothing_is_close) {
  EXPECT_EQ(best("am", {"es", "fr"}, "en"), "en");
}

TEST(best_available_language, returns_the_entry_as_spelled_in_available) {
  EXPECT_EQ(best("zh-TW", {"zh_hans", "zh_hant"}), "zh_hant");
}

TEST(best_available_language, rejects_an_invalid_available_language) {
  auto r = best_available_language("es", {"es", "xx-?!"}, "en");
  EXPECT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("available language"));
}

TEST(language_matcher, is_reusable_for_many_requests) {
  auto matcher = language_matcher::create({"en", "es", "zh-Hant", "vi"}, "en");
  ASSERT_TRUE(matcher) << matcher.error;
  EXPECT_EQ(matcher.value->best("es-MX").value, "es");
  EXPECT_EQ(matcher.value->best("zh-TW").value, "zh-Hant");
  EXPECT_EQ(matcher.value->best("vi-VN").value, "vi");
  EXPECT_EQ(matcher.value->best("am").value, "en");
}

TEST(language_matcher, rejects_an_invalid_request) {
  auto matcher = language_matcher::create({"en"}, "en");
  ASSERT_TRUE(matcher);
  EXPECT_FALSE(matcher.value->best("notalanguage123"));
}

// --- display names -------------------------------------------------------------------------------

TEST(native_display_name, names_each_language_in_itself) {
  EXPECT_EQ(native("es"), "español");
  EXPECT_EQ(native("vi"), "Tiếng Việt");
  EXPECT_EQ(native("zh"), "中文");
  EXPECT_EQ(native("ar"), "العربية");
  EXPECT_EQ(native("so"), "Soomaali");
  EXPECT_EQ(native("am"), "አማርኛ");
  EXPECT_EQ(native("ru"), "русский");
  EXPECT_EQ(native("ko"), "한국어");
}

TEST(native_display_name, names_haitian_creole_in_creole_not_french) {
  EXPECT_EQ(native("ht"), "Kreyòl ayisyen");
  EXPECT_EQ(native("ht-HT"), "Kreyòl ayisyen");
}

TEST(native_display_name, names_hmong_in_hmong_not_english) {
  EXPECT_EQ(native("hmn"), "Hmoob");
}

TEST(native_display_name, uses_dialect_names) {
  EXPECT_EQ(native("prs"), "دری");
  EXPECT_EQ(native("zh-Hant"), "繁體中文");
  EXPECT_EQ(native("es-MX"), "español de México");
}

TEST(native_display_name, rejects_an_invalid_tag) {
  EXPECT_FALSE(native_display_name("xx-?!"));
}

TEST(display_name, names_a_language_in_another) {
  EXPECT_EQ(display_name("es", "en").value, "Spanish");
  EXPECT_EQ(display_name("ht", "en").value, "Haitian Creole");
  EXPECT_EQ(display_name("zh-Hant", "en").value, "Traditional Chinese");
  EXPECT_EQ(display_name("ar", "es").value, "árabe");
}

TEST(display_name, uses_the_override_for_a_language_in_itself) {
  EXPECT_EQ(display_name("ht", "ht-HT").value, "Kreyòl ayisyen");
}

TEST(display_name, rejects_an_invalid_display_language) {
  auto r = display_name("es", "xx");
  EXPECT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("display language"));
}

// --- direction -----------------------------------------------------------------------------------

TEST(is_right_to_left, is_true_for_arabic_and_hebrew_scripts) {
  for (const char* tag : {"ar", "fa", "prs", "fa-AF", "ur", "ps", "he", "pa-PK"}) {
    EXPECT_TRUE(is_right_to_left(tag)) << tag;
  }
}

TEST(is_right_to_left, is_false_for_left_to_right_scripts) {
  for (const char* tag : {"en", "es", "zh-Hant", "am", "vi", "ht", "so", "pa"}) {
    EXPECT_FALSE(is_right_to_left(tag)) << tag;
  }
}

TEST(is_right_to_left, is_false_for_an_invalid_tag) {
  EXPECT_FALSE(is_right_to_left("xx-?!"));
}

}  // namespace
}  // namespace liaison::i18n
