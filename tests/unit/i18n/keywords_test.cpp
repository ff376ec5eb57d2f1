#include "i18n/keywords.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace liaison::i18n {
namespace {

using ::testing::HasSubstr;

const message_catalog& catalog() {
  static const message_catalog loaded = [] {
    auto r = message_catalog::load(std::filesystem::path(LIAISON_SOURCE_DIR) / "i18n" / "catalog");
    if (!r) {
      ADD_FAILURE() << r.error;
      return message_catalog{};
    }
    return std::move(*r.value);
  }();
  return loaded;
}

const keyword_parser& parser() {
  static const keyword_parser built = [] {
    auto r = keyword_parser::create(catalog());
    if (!r) {
      ADD_FAILURE() << r.error;
      std::abort();
    }
    return std::move(*r.value);
  }();
  return built;
}

keyword_match match(keyword_kind kind, std::string language) {
  return {kind, std::move(language)};
}

// --- normalize_reply -----------------------------------------------------------------------------

TEST(normalize_reply, folds_case_accents_width_and_edges) {
  EXPECT_EQ(normalize_reply("  Stop. "), "stop");
  EXPECT_EQ(normalize_reply("¡ALTO!"), "alto");
  EXPECT_EQ(normalize_reply("ＳＴＯＰ"), "stop");
  EXPECT_EQ(normalize_reply("DỪNG"), "dung");
  EXPECT_EQ(normalize_reply("Español"), "espanol");
  EXPECT_EQ(normalize_reply("ĐĂNG KÝ"), "dang ky");
  EXPECT_EQ(normalize_reply("Tiếng   Việt"), "tieng viet");
  EXPECT_EQ(normalize_reply("stop 👍"), "stop");
  EXPECT_EQ(normalize_reply("İPTAL"), "iptal");
  EXPECT_EQ(normalize_reply("\u200bstop\u200b"), "stop");
}

// --- STOP / START / HELP -------------------------------------------------------------------------

TEST(keyword_parser, recognizes_english_carrier_words_for_everyone) {
  EXPECT_EQ(parser().parse("STOP"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("unsubscribe"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("Cancel"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("QUIT"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("end"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("STOPALL"), match(keyword_kind::stop_all, "en"));
  EXPECT_EQ(parser().parse("stop all"), match(keyword_kind::stop_all, "en"));
  EXPECT_EQ(parser().parse("START"), match(keyword_kind::start, "en"));
  EXPECT_EQ(parser().parse("unstop"), match(keyword_kind::start, "en"));
  EXPECT_EQ(parser().parse("HELP"), match(keyword_kind::help, "en"));
  EXPECT_EQ(parser().parse("info"), match(keyword_kind::help, "en"));
}

TEST(keyword_parser, tolerates_case_spaces_and_punctuation) {
  EXPECT_EQ(parser().parse("Stop."), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("  stop  "), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("STOP!!!"), match(keyword_kind::stop, "en"));
  EXPECT_EQ(parser().parse("\"help?\""), match(keyword_kind::help, "en"));
  EXPECT_EQ(parser().parse("Stop\r\n"), match(keyword_kind::stop, "en"));
}

TEST(keyword_parser, recognizes_full_width_letters) {
  EXPECT_EQ(parser().parse("ＳＴＯＰ"), match(keyword_kind::stop, "en"));
}

TEST(keyword_parser, yes_is_not_start) {
  // YES answers interpreter offers ("YES 4821") and RSVPs; it must never resubscribe.
  EXPECT_EQ(parser().parse("YES").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("yes 4821").kind, keyword_kind::none);
}

TEST(keyword_parser, a_sentence_containing_stop_is_not_a_keyword) {
  EXPECT_EQ(parser().parse("Please stop sending these at night").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("stop it").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("Can you help me with the form?").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("...").kind, keyword_kind::none);
}

TEST(keyword_parser, recognizes_spanish) {
  EXPECT_EQ(parser().parse("PARAR"), match(keyword_kind::stop, "es"));
  EXPECT_EQ(parser().parse("baja"), match(keyword_kind::stop, "es"));
  EXPECT_EQ(parser().parse("¡Alto!"), match(keyword_kind::stop, "es"));
  EXPECT_EQ(parser().parse("Ayuda"), match(keyword_kind::help, "es"));
}

TEST(keyword_parser, recognizes_vietnamese_with_and_without_diacritics) {
  EXPECT_EQ(parser().parse("DỪNG"), match(keyword_kind::stop, "vi"));
  EXPECT_EQ(parser().parse("dung"), match(keyword_kind::stop, "vi"));
  EXPECT_EQ(parser().parse("Ngừng"), match(keyword_kind::stop, "vi"));
  EXPECT_EQ(parser().parse("bat dau"), match(keyword_kind::start, "vi"));
  EXPECT_EQ(parser().parse("Giúp"), match(keyword_kind::help, "vi"));
}

TEST(keyword_parser, recognizes_arabic_with_and_without_hamza_and_diacritics) {
  EXPECT_EQ(parser().parse("توقف"), match(keyword_kind::stop, "ar"));
  EXPECT_EQ(parser().parse("تَوَقَّفْ"), match(keyword_kind::stop, "ar"));
  EXPECT_EQ(parser().parse("إيقاف"), match(keyword_kind::stop, "ar"));
  EXPECT_EQ(parser().parse("ايقاف"), match(keyword_kind::stop, "ar"));
  EXPECT_EQ(parser().parse("مساعدة؟"), match(keyword_kind::help, "ar"));
}

TEST(keyword_parser, recognizes_chinese) {
  EXPECT_EQ(parser().parse("退订"), match(keyword_kind::stop, "zh-Hans"));
  EXPECT_EQ(parser().parse("退訂。"), match(keyword_kind::stop, "zh-Hant"));
  EXPECT_EQ(parser().parse("帮助"), match(keyword_kind::help, "zh-Hans"));
}

TEST(keyword_parser, recognizes_other_catalog_languages) {
  EXPECT_EQ(parser().parse("JOOJI"), match(keyword_kind::stop, "so"));
  EXPECT_EQ(parser().parse("Sispann"), match(keyword_kind::stop, "ht"));
  EXPECT_EQ(parser().parse("komanse"), match(keyword_kind::start, "ht"));
  EXPECT_EQ(parser().parse("стоп"), match(keyword_kind::stop, "ru"));
  EXPECT_EQ(parser().parse("ДОПОМОГА"), match(keyword_kind::help, "uk"));
  EXPECT_EQ(parser().parse("중지"), match(keyword_kind::stop, "ko"));
  EXPECT_EQ(parser().parse("አቁም"), match(keyword_kind::stop, "am"));
  EXPECT_EQ(parser().parse("Arrêt"), match(keyword_kind::stop, "fr"));
  EXPECT_EQ(parser().parse("iptal"), match(keyword_kind::stop, "tr"));
}

// --- language change
// -------------------------------------------------------------------------------

TEST(keyword_parser, a_native_language_name_changes_language) {
  EXPECT_EQ(parser().parse("español"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("Tiếng Việt"), match(keyword_kind::language_change, "vi"));
  EXPECT_EQ(parser().parse("中文"), match(keyword_kind::language_change, "zh-Hans"));
  EXPECT_EQ(parser().parse("繁體中文"), match(keyword_kind::language_change, "zh-Hant"));
  EXPECT_EQ(parser().parse("Soomaali"), match(keyword_kind::language_change, "so"));
  EXPECT_EQ(parser().parse("Kreyòl"), match(keyword_kind::language_change, "ht"));
  EXPECT_EQ(parser().parse("العربية"), match(keyword_kind::language_change, "ar"));
  EXPECT_EQ(parser().parse("አማርኛ"), match(keyword_kind::language_change, "am"));
  EXPECT_EQ(parser().parse("Русский"), match(keyword_kind::language_change, "ru"));
  EXPECT_EQ(parser().parse("دری"), match(keyword_kind::language_change, "fa-AF"));
  EXPECT_EQ(parser().parse("Hmoob"), match(keyword_kind::language_change, "hmn"));
}

TEST(keyword_parser, accents_case_and_punctuation_do_not_matter_for_names) {
  EXPECT_EQ(parser().parse("espanol"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("ESPAÑOL!"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("tieng viet"), match(keyword_kind::language_change, "vi"));
  EXPECT_EQ(parser().parse(" kreyol "), match(keyword_kind::language_change, "ht"));
}

TEST(keyword_parser, an_english_language_name_changes_language) {
  EXPECT_EQ(parser().parse("Spanish"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("somali"), match(keyword_kind::language_change, "so"));
  EXPECT_EQ(parser().parse("Haitian Creole"), match(keyword_kind::language_change, "ht"));
  EXPECT_EQ(parser().parse("Tagalog"), match(keyword_kind::language_change, "fil"));
  EXPECT_EQ(parser().parse("Dari"), match(keyword_kind::language_change, "fa-AF"));
  EXPECT_EQ(parser().parse("Farsi"), match(keyword_kind::language_change, "fa"));
  EXPECT_EQ(parser().parse("English"), match(keyword_kind::language_change, "en"));
}

TEST(keyword_parser, a_name_in_another_catalog_language_changes_language) {
  EXPECT_EQ(parser().parse("inglés"), match(keyword_kind::language_change, "en"));
  EXPECT_EQ(parser().parse("anglais"), match(keyword_kind::language_change, "en"));
}

TEST(keyword_parser, a_language_command_takes_a_tag_or_a_name) {
  EXPECT_EQ(parser().parse("LANG so"), match(keyword_kind::language_change, "so"));
  EXPECT_EQ(parser().parse("lang zh-hant"), match(keyword_kind::language_change, "zh-Hant"));
  EXPECT_EQ(parser().parse("IDIOMA es"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("idioma español"), match(keyword_kind::language_change, "es"));
  EXPECT_EQ(parser().parse("Language: Somali"), match(keyword_kind::language_change, "so"));
  EXPECT_EQ(parser().parse("LANG prs"), match(keyword_kind::language_change, "fa-AF"));
  EXPECT_EQ(parser().parse("LANG tl"), match(keyword_kind::language_change, "fil"));
}

TEST(keyword_parser, a_language_command_with_no_known_language_says_so) {
  EXPECT_EQ(parser().parse("LANG xyzzy"), match(keyword_kind::unknown_language, "en"));
  EXPECT_EQ(parser().parse("IDIOMA"), match(keyword_kind::unknown_language, "es"));
}

TEST(keyword_parser, a_bare_tag_is_not_a_language_change) {
  // "no", "si", "so" are words in many languages; only "LANG so" switches to Somali.
  EXPECT_EQ(parser().parse("so").kind, keyword_kind::none);
  EXPECT_EQ(parser().parse("no").kind, keyword_kind::none);
}

TEST(keyword_parser, long_texts_are_never_keywords) {
  EXPECT_EQ(parser().parse(std::string(200, ' ') + "STOP").kind, keyword_kind::none);
}

// --- catalog conflicts ---------------------------------------------------------------------------

TEST(keyword_parser, refuses_a_word_that_means_stop_and_start) {
  auto languages = catalog().entries();
  languages.erase(languages.begin() + 2, languages.end());  // en and the next one
  languages[1].keywords.start.push_back("Stop");
  auto trimmed = message_catalog::from_languages(std::move(languages));
  ASSERT_TRUE(trimmed) << trimmed.error;
  const auto r = keyword_parser::create(*trimmed.value);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("'Stop'"));
}

TEST(keyword_parser, refuses_a_language_name_that_is_a_keyword) {
  auto languages = catalog().entries();
  languages.erase(languages.begin() + 2, languages.end());
  languages[1].names.push_back("HELP");
  auto trimmed = message_catalog::from_languages(std::move(languages));
  ASSERT_TRUE(trimmed) << trimmed.error;
  EXPECT_FALSE(keyword_parser::create(*trimmed.value));
}

}  // namespace
}  // namespace liaison::i18n
