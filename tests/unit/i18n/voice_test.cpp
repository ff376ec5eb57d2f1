#include "i18n/voice.hpp"

#include <gtest/gtest.h>

#include <string>

#include "i18n/language.hpp"

namespace liaison::i18n {
namespace {

std::string say_language(std::string_view tag) {
  const auto voice = twilio_voice_for(tag);
  return voice ? std::string(voice->say_language) : "not speakable";
}

TEST(twilio_voice_for, speaks_the_common_languages) {
  EXPECT_EQ(say_language("en"), "en-US");
  EXPECT_EQ(say_language("es"), "es-US");
  EXPECT_EQ(say_language("fr"), "fr-FR");
  EXPECT_EQ(say_language("pt"), "pt-BR");
  EXPECT_EQ(say_language("ru"), "ru-RU");
  EXPECT_EQ(say_language("ar"), "arb");
  EXPECT_EQ(say_language("zh-Hans"), "cmn-CN");
  EXPECT_EQ(say_language("vi"), "vi-VN");
  EXPECT_EQ(say_language("ko"), "ko-KR");
  EXPECT_EQ(say_language("uk"), "uk-UA");
}

TEST(twilio_voice_for, picks_the_regional_voice_along_the_fallback_chain) {
  EXPECT_EQ(say_language("es-MX"), "es-MX");
  EXPECT_EQ(say_language("es-419"), "es-US");
  EXPECT_EQ(say_language("pt-PT"), "pt-PT");
  EXPECT_EQ(say_language("fr-CA"), "fr-CA");
  EXPECT_EQ(say_language("en-GB"), "en-GB");
}

TEST(twilio_voice_for, does_not_read_traditional_chinese_with_a_simplified_voice) {
  EXPECT_EQ(say_language("zh-Hant"), "cmn-TW");
  EXPECT_EQ(say_language("zh-TW"), "cmn-TW");
  EXPECT_EQ(say_language("zh-HK"), "yue-HK");
  EXPECT_EQ(say_language("zh-CN"), "cmn-CN");
}

TEST(twilio_voice_for, does_not_read_shahmukhi_punjabi_with_the_gurmukhi_voice) {
  EXPECT_EQ(say_language("pa"), "pa-IN");
  EXPECT_EQ(say_language("pa-PK"), "not speakable");
}

TEST(twilio_voice_for, reports_languages_twilio_cannot_speak) {
  for (const char* tag : {"so", "ht", "am", "ti", "hmn", "my", "km", "ne", "ps", "fa", "fa-AF",
                          "prs", "sw", "rw", "ur", "uz"}) {
    EXPECT_EQ(say_language(tag), "not speakable") << tag;
  }
}

TEST(twilio_voice_for, never_falls_back_to_english) {
  EXPECT_FALSE(twilio_voice_for("so-SO").has_value());
}

TEST(twilio_voice_for, an_invalid_tag_is_not_speakable) {
  EXPECT_FALSE(twilio_voice_for("not a tag").has_value());
}

TEST(twilio_voice_languages, every_entry_is_a_canonical_tag_with_a_voice) {
  for (const auto& entry : twilio_voice_languages()) {
    const auto canonical = canonicalize_language_tag(entry.language);
    ASSERT_TRUE(canonical) << entry.language;
    EXPECT_EQ(*canonical.value, entry.language);
    EXPECT_FALSE(entry.say_language.empty());
    EXPECT_TRUE(entry.voice.starts_with("Polly.") || entry.voice.starts_with("Google."))
        << entry.voice;
    EXPECT_EQ(twilio_voice_for(entry.language)->say_language, entry.say_language) << entry.language;
  }
}

}  // namespace
}  // namespace liaison::i18n
