#include "i18n/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/msgfmt.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <string>

#include "i18n/language.hpp"
#include "i18n/message_format.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::i18n {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path shipped_catalog =
    std::filesystem::path(LIAISON_SOURCE_DIR) / "i18n" / "catalog";

const message_catalog& catalog() {
  static const message_catalog loaded = [] {
    auto r = message_catalog::load(shipped_catalog);
    if (!r) {
      ADD_FAILURE() << r.error;
      return message_catalog::from_languages({}).value.value_or(message_catalog{});
    }
    return std::move(*r.value);
  }();
  return loaded;
}

std::set<std::string> names_of(std::string_view pattern) {
  const auto analysis = analyze_pattern(pattern);
  EXPECT_TRUE(analysis.ok) << pattern << ": " << analysis.error;
  const auto names = analysis.argument_names();
  return {names.begin(), names.end()};
}

// --- the shipped catalog -----------------------------------------------------------------------

TEST(shipped_catalog, loads_and_validates) {
  const auto r = message_catalog::load(shipped_catalog);
  ASSERT_TRUE(r) << r.error;
}

TEST(shipped_catalog, has_english_and_the_common_home_languages_of_english_learners) {
  const auto& languages = catalog().languages();
  for (const char* tag :
       {"en", "es",  "ar",  "zh-Hans", "zh-Hant", "vi", "pt", "ru", "ht", "so", "ko",
        "uk", "fr",  "fil", "ur",      "fa-AF",   "ps", "bn", "am", "ti", "sw", "ne",
        "my", "hmn", "pa",  "ja",      "fa",      "hi", "pl", "tr", "km"}) {
    EXPECT_NE(std::ranges::find(languages, tag), languages.end()) << tag;
  }
  EXPECT_GE(languages.size(), 31u);
  EXPECT_EQ(languages.front(), "en");
}

TEST(shipped_catalog, file_names_are_canonical_tags) {
  for (const auto& tag : catalog().languages()) {
    const auto canonical = canonicalize_language_tag(tag);
    ASSERT_TRUE(canonical) << tag;
    EXPECT_EQ(*canonical.value, tag);
    EXPECT_TRUE(std::filesystem::exists(shipped_catalog / (tag + ".json"))) << tag;
  }
}

TEST(shipped_catalog, every_language_has_every_key) {
  for (const auto& language : catalog().entries()) {
    for (std::size_t i = 0; i < message_key_count; ++i) {
      EXPECT_FALSE(language.patterns[i].empty())
          << language.tag << " " << to_string(static_cast<message_key>(i));
    }
  }
}

TEST(shipped_catalog, every_pattern_parses_with_icu_message_format_in_its_locale) {
  for (const auto& language : catalog().entries()) {
    UErrorCode status = U_ZERO_ERROR;
    const auto locale = icu::Locale::forLanguageTag(language.tag, status);
    for (std::size_t i = 0; i < message_key_count; ++i) {
      status = U_ZERO_ERROR;
      UParseError parse_error{};
      const icu::MessageFormat format(icu::UnicodeString::fromUTF8(language.patterns[i]), locale,
                                      parse_error, status);
      EXPECT_TRUE(U_SUCCESS(status))
          << language.tag << " " << to_string(static_cast<message_key>(i)) << ": "
          << u_errorName(status) << " at " << parse_error.offset;
    }
  }
}

TEST(shipped_catalog, every_pattern_has_exactly_the_english_argument_names) {
  const auto& english = catalog().reference();
  for (const auto& language : catalog().entries()) {
    for (std::size_t i = 0; i < message_key_count; ++i) {
      EXPECT_EQ(names_of(language.patterns[i]), names_of(english.patterns[i]))
          << language.tag << " " << to_string(static_cast<message_key>(i));
    }
  }
}

TEST(shipped_catalog, english_argument_names_are_the_documented_contract) {
  const auto& english = catalog().reference();
  const auto names = [&](message_key key) {
    return names_of(english.patterns[static_cast<std::size_t>(key)]);
  };
  using set = std::set<std::string>;
  EXPECT_EQ(names(message_key::opt_out_confirmation), set{});
  EXPECT_EQ(names(message_key::help_reply), (set{"district", "phone"}));
  EXPECT_EQ(names(message_key::fallback_language_notice), set{"language"});
  EXPECT_EQ(names(message_key::message_from_school), set{"school"});
  EXPECT_EQ(names(message_key::voice_intro), set{"school"});
  EXPECT_EQ(names(message_key::interpreter_offer),
            (set{"language", "meeting_type", "date", "code"}));
  EXPECT_EQ(names(message_key::meeting_confirmation_family), (set{"date", "language"}));
  EXPECT_EQ(names(message_key::meeting_reminder_family), set{"date"});
  EXPECT_EQ(names(message_key::language_changed), set{"language"});
  EXPECT_EQ(names(message_key::meeting_reply_prompt_family), set{});
  EXPECT_EQ(names(message_key::meeting_reminder_interpreter), (set{"date", "language"}));
  EXPECT_EQ(names(message_key::meeting_confirmed_family), set{});
  EXPECT_EQ(names(message_key::meeting_reschedule_family), set{});
  EXPECT_EQ(names(message_key::meeting_cancelled), set{"date"});
  EXPECT_EQ(names(message_key::translation_offer), (set{"language", "title", "date", "code"}));
  EXPECT_EQ(names(message_key::translation_confirmation), set{});
  EXPECT_EQ(names(message_key::interpreter_offer_email_subject), (set{"language", "date"}));
  EXPECT_EQ(names(message_key::interpreter_offer_email),
            (set{"language", "meeting_type", "date", "link"}));
  EXPECT_EQ(names(message_key::offer_page_accept), set{});
  EXPECT_EQ(names(message_key::offer_page_decline), set{});
  EXPECT_EQ(names(message_key::interpreter_offer_declined), set{});
}

TEST(shipped_catalog, only_english_is_marked_reviewed) {
  for (const auto& language : catalog().entries()) {
    EXPECT_EQ(language.reviewed, language.tag == "en") << language.tag;
  }
}

TEST(shipped_catalog, direction_matches_icu) {
  for (const auto& language : catalog().entries()) {
    EXPECT_EQ(language.right_to_left, is_right_to_left(language.tag)) << language.tag;
  }
  EXPECT_TRUE(catalog().find("ar")->right_to_left);
  EXPECT_TRUE(catalog().find("fa-AF")->right_to_left);
  EXPECT_FALSE(catalog().find("am")->right_to_left);
}

TEST(shipped_catalog, every_message_renders_in_every_language_without_leftover_placeholders) {
  message_renderer renderer(catalog());
  const message_arguments arguments{
      {"district", std::string("Springfield Public Schools")},
      {"phone", std::string("+1 555 010 0199")},
      {"language", std::string("X")},
      {"school", std::string("Lincoln Elementary")},
      {"meeting_type", std::string("iep")},
      {"code", std::string("4821")},
      {"title", std::string("IEP notice")},
      {"link", std::string("https://liaison.example.org/offer/4821/0123456789abcdef")},
      {"date", std::chrono::sys_days{std::chrono::March / 4 / 2025} + std::chrono::hours(21)},
  };
  for (const auto& tag : catalog().languages()) {
    for (std::size_t i = 0; i < message_key_count; ++i) {
      const auto key = static_cast<message_key>(i);
      const auto r = renderer.render(key, {tag, "", "America/Chicago"}, arguments);
      ASSERT_TRUE(r) << tag << " " << to_string(key) << ": " << r.error;
      EXPECT_THAT(*r.value, Not(HasSubstr("{"))) << tag << " " << to_string(key);
      EXPECT_THAT(*r.value, Not(HasSubstr("}"))) << tag << " " << to_string(key);
    }
  }
}

TEST(shipped_catalog, meeting_type_selects_a_localized_name) {
  message_renderer renderer(catalog());
  message_arguments arguments{
      {"language", std::string("español")},
      {"meeting_type", std::string("conference")},
      {"code", std::string("4821")},
      {"date", std::chrono::sys_days{std::chrono::March / 4 / 2025} + std::chrono::hours(21)},
  };
  const auto r =
      renderer.render(message_key::interpreter_offer, {"es", "", "America/Chicago"}, arguments);
  ASSERT_TRUE(r) << r.error;
  EXPECT_THAT(*r.value, HasSubstr("conferencia de padres y maestros"));
  EXPECT_THAT(*r.value, HasSubstr("YES 4821"));
  EXPECT_THAT(*r.value, HasSubstr("15:00"));  // 21:00 UTC is 15:00 in Chicago (CST)
}

TEST(shipped_catalog, the_offer_email_ends_with_its_link_and_has_no_reply_code) {
  message_renderer renderer(catalog());
  const std::string link = "https://liaison.example.org/offer/4821/0123456789abcdef";
  const message_arguments arguments{
      {"language", std::string("X")},
      {"meeting_type", std::string("iep")},
      {"link", link},
      {"date", std::chrono::sys_days{std::chrono::March / 4 / 2025} + std::chrono::hours(21)},
  };
  for (const auto& tag : catalog().languages()) {
    const auto r = renderer.render(message_key::interpreter_offer_email,
                                   {tag, "", "America/Chicago"}, arguments);
    ASSERT_TRUE(r) << tag << ": " << r.error;
    EXPECT_TRUE(r.value->ends_with(link)) << tag << ": " << *r.value;
    EXPECT_THAT(*r.value, Not(HasSubstr("YES"))) << tag;
  }
}

// --- validation of catalog files ----------------------------------------------------------------

class catalog_files : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tag : {"en", "es"}) {
      std::filesystem::copy_file(shipped_catalog / (std::string(tag) + ".json"),
                                 dir_.path() / (std::string(tag) + ".json"));
    }
  }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir_.path() / file, std::ios::binary | std::ios::trunc) << text;
  }
  std::string read(const std::string& file) {
    std::ifstream in(dir_.path() / file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void replace_in(const std::string& file, const std::string& from, const std::string& to) {
    auto text = read(file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    write(file, text);
  }
  std::string load_error() {
    const auto r = message_catalog::load(dir_.path());
    EXPECT_FALSE(r);
    return r.error;
  }

  testing::temp_dir dir_;
};

TEST_F(catalog_files, two_valid_languages_load) {
  const auto r = message_catalog::load(dir_.path());
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->languages(), (std::vector<std::string>{"en", "es"}));
}

TEST_F(catalog_files, a_missing_key_is_refused) {
  replace_in("es.json", "\"stop_footer\": \"Responda STOP para darse de baja\",", "");
  EXPECT_THAT(load_error(), HasSubstr("message 'stop_footer' is missing"));
}

TEST_F(catalog_files, an_unknown_key_is_refused) {
  replace_in("es.json", "\"stop_footer\"", "\"stop_fooder\"");
  EXPECT_THAT(load_error(), HasSubstr("unknown message key 'stop_fooder'"));
}

TEST_F(catalog_files, a_renamed_placeholder_is_refused) {
  replace_in("es.json", "Mensaje de {school}:", "Mensaje de {escuela}:");
  const auto error = load_error();
  EXPECT_THAT(error, HasSubstr("message_from_school"));
  EXPECT_THAT(error, HasSubstr("escuela"));
}

TEST_F(catalog_files, a_broken_pattern_is_refused_with_its_position) {
  replace_in("es.json", "Mensaje de {school}:", "Mensaje de {school:");
  EXPECT_THAT(load_error(), HasSubstr("pattern error at character"));
}

TEST_F(catalog_files, a_wrong_direction_is_refused) {
  replace_in("es.json", "\"direction\": \"ltr\"", "\"direction\": \"rtl\"");
  EXPECT_THAT(load_error(), HasSubstr("direction"));
}

TEST_F(catalog_files, a_non_canonical_file_name_is_refused) {
  std::filesystem::rename(dir_.path() / "es.json", dir_.path() / "es_ES.json");
  EXPECT_THAT(load_error(), HasSubstr("file name"));
}

TEST_F(catalog_files, a_catalog_without_english_is_refused) {
  std::filesystem::remove(dir_.path() / "en.json");
  EXPECT_THAT(load_error(), HasSubstr("no 'en' language"));
}

TEST_F(catalog_files, invalid_json_is_refused_naming_the_file) {
  write("es.json", "{ \"language\": ");
  EXPECT_THAT(load_error(), HasSubstr("es.json"));
}

TEST_F(catalog_files, a_missing_review_flag_is_refused) {
  replace_in("es.json", "\"reviewed\": false,", "");
  EXPECT_THAT(load_error(), HasSubstr("reviewed"));
}

TEST(message_catalog_load, a_missing_directory_is_an_error) {
  const auto r = message_catalog::load("/nonexistent/liaison/catalog");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("/nonexistent/liaison/catalog"));
}

TEST(message_key, names_round_trip) {
  for (std::size_t i = 0; i < message_key_count; ++i) {
    const auto key = static_cast<message_key>(i);
    EXPECT_EQ(message_key_from_string(to_string(key)), key);
  }
  EXPECT_EQ(message_key_from_string("nope"), std::nullopt);
}

}  // namespace
}  // namespace liaison::i18n
