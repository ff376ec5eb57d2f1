#include "i18n/sms_encoding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/unistr.h>

#include <string>
#include <vector>

namespace liaison::i18n {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string repeat(std::string_view text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) {
    out += text;
  }
  return out;
}

icu::UnicodeString utf16(const std::string& text) {
  return icu::UnicodeString::fromUTF8(text);
}

std::size_t ucs2_units(const std::string& text) {
  return static_cast<std::size_t>(utf16(text).length());
}

std::size_t septets(const std::string& text) {
  const auto u = utf16(text);
  std::size_t total = 0;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    total += static_cast<std::size_t>(gsm7_septets(static_cast<char32_t>(u.char32At(i))));
  }
  return total;
}

sms_analysis analyze(const std::string& text, sms_options options = {}) {
  auto r = analyze_sms(text, options);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or(sms_analysis{});
}

std::vector<std::string> split(const std::string& text, sms_encoding encoding) {
  auto r = split_sms(text, encoding);
  EXPECT_TRUE(r) << r.error;
  return r.value.value_or(std::vector<std::string>{});
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += part;
  }
  return out;
}

const std::string family =
    "\U0001F468\u200D\U0001F469\u200D\U0001F467";        // 👨‍👩‍👧, 8 units
const std::string somali_flag = "\U0001F1F8\U0001F1F4";  // 🇸🇴, 4 units

// --- the GSM 03.38 table ---------------------------------------------------------------------

TEST(gsm7_septets, has_127_basic_and_10_extension_characters) {
  std::size_t basic = 0;
  std::size_t extension = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    const int cost = gsm7_septets(c);
    basic += cost == 1 ? 1 : 0;
    extension += cost == 2 ? 1 : 0;
  }
  EXPECT_EQ(basic, 127u);  // 128 positions, one of which is the escape
  EXPECT_EQ(extension, 10u);
}

TEST(gsm7_septets, extension_characters_cost_two) {
  for (const char32_t c : {U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€', U'\f'}) {
    EXPECT_EQ(gsm7_septets(c), 2) << static_cast<unsigned>(c);
  }
}

TEST(gsm7_septets, maps_ascii_lookalike_positions_correctly) {
  EXPECT_EQ(gsm7_septets(U'@'), 1);
  EXPECT_EQ(gsm7_septets(U'$'), 1);
  EXPECT_EQ(gsm7_septets(U'_'), 1);
  EXPECT_EQ(gsm7_septets(U'¤'), 1);
  EXPECT_EQ(gsm7_septets(U'`'), 0);     // the only printable ASCII character GSM-7 lacks
  EXPECT_EQ(gsm7_septets(U'\x1B'), 0);  // the escape is not a character
}

TEST(gsm7_septets, has_greek_capitals_not_their_math_lookalikes) {
  EXPECT_EQ(gsm7_septets(U'\u0394'), 1);  // Δ GREEK CAPITAL LETTER DELTA
  EXPECT_EQ(gsm7_septets(U'\u2206'), 0);  // ∆ INCREMENT
  EXPECT_EQ(gsm7_septets(U'\u03A9'), 1);  // Ω GREEK CAPITAL LETTER OMEGA
  EXPECT_EQ(gsm7_septets(U'\u2126'), 0);  // Ω OHM SIGN
}

TEST(gsm7_septets, has_some_spanish_accents_but_not_others) {
  for (const char32_t c : {U'ñ', U'Ñ', U'é', U'É', U'ü', U'Ü', U'¿', U'¡', U'à', U'Ç'}) {
    EXPECT_EQ(gsm7_septets(c), 1) << static_cast<unsigned>(c);
  }
  for (const char32_t c : {U'á', U'í', U'ó', U'ú', U'Á', U'ç', U'ã', U'õ', U'ê'}) {
    EXPECT_EQ(gsm7_septets(c), 0) << static_cast<unsigned>(c);
  }
}

// --- GSM-7 segments ------------------------------------------------------------------------------

TEST(analyze_sms, fits_160_ascii_characters_in_one_segment) {
  const auto a = analyze(std::string(160, 'a'));
  EXPECT_EQ(a.encoding, sms_encoding::gsm7);
  EXPECT_EQ(a.units, 160u);
  EXPECT_EQ(a.segments, 1u);
  EXPECT_EQ(a.per_segment_limit, 160u);
  EXPECT_EQ(a.characters, 160u);
}

TEST(analyze_sms, needs_two_segments_of_153_for_161_ascii_characters) {
  const auto a = analyze(std::string(161, 'a'));
  EXPECT_EQ(a.segments, 2u);
  EXPECT_EQ(a.per_segment_limit, 153u);
}

TEST(analyze_sms, needs_a_third_segment_after_306_septets) {
  EXPECT_EQ(analyze(std::string(306, 'a')).segments, 2u);
  EXPECT_EQ(analyze(std::string(307, 'a')).segments, 3u);
}

TEST(analyze_sms, counts_extension_characters_as_two_septets) {
  const auto a = analyze("^{}\\[~]|€\f");
  EXPECT_EQ(a.encoding, sms_encoding::gsm7);
  EXPECT_EQ(a.units, 20u);
  EXPECT_EQ(a.characters, 10u);
}

TEST(analyze_sms, fits_80_euro_signs_in_one_segment_but_not_81) {
  EXPECT_EQ(analyze(repeat("€", 80)).segments, 1u);
  EXPECT_EQ(analyze(repeat("€", 81)).segments, 2u);
}

TEST(split_sms, keeps_an_escape_and_its_extension_character_together) {
  const std::string text = std::string(152, 'a') + "€" + std::string(20, 'b');
  const auto parts = split(text, sms_encoding::gsm7);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(152, 'a'));
  EXPECT_THAT(parts[1], StartsWith("€"));
  EXPECT_EQ(joined(parts), text);
}

TEST(analyze_sms, counts_the_segment_an_unsplittable_escape_adds) {
  // 306 septets would fit in two segments if the escape could straddle them; it cannot.
  const std::string text = std::string(152, 'a') + "€" + std::string(152, 'b');
  EXPECT_EQ(analyze(text).units, 306u);
  EXPECT_EQ(analyze(text).segments, 3u);
  EXPECT_EQ(split(text, sms_encoding::gsm7).size(), 3u);
}

TEST(split_sms, keeps_crlf_together) {
  const std::string text = std::string(152, 'a') + "\r\n" + std::string(20, 'b');
  const auto parts = split(text, sms_encoding::gsm7);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(152, 'a'));
  EXPECT_THAT(parts[1], StartsWith("\r\n"));
}

TEST(split_sms, fills_gsm7_segments_up_to_153_septets) {
  const std::string text = repeat("Snow day {tomorrow} ~ €5 ", 30);
  const auto parts = split(text, sms_encoding::gsm7);
  ASSERT_GT(parts.size(), 1u);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_LE(septets(parts[i]), 153u);
    if (i + 1 < parts.size()) {  // short only when the next character is a 2-septet one
      EXPECT_GE(septets(parts[i]), 152u);
    }
  }
  EXPECT_EQ(joined(parts), text);
  EXPECT_EQ(analyze(text).segments, parts.size());
}

TEST(split_sms, gives_the_whole_text_as_one_part_when_it_fits) {
  const auto parts = split(std::string(160, 'a'), sms_encoding::gsm7);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].size(), 160u);
}

TEST(split_sms, refuses_gsm7_for_a_text_gsm7_cannot_carry) {
  auto r = split_sms("Reunión", sms_encoding::gsm7);
  EXPECT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("'ó'"));
}

// --- languages
// -------------------------------------------------------------------------------------

TEST(analyze_sms, keeps_spanish_with_only_gsm_accents_in_gsm7) {
  const auto a = analyze("¡Mañana no hay clases! Niños: café a las 8, ¿sí?");
  EXPECT_EQ(a.encoding, sms_encoding::ucs2) << "í is not GSM-7";
  EXPECT_EQ(analyze("¡Mañana no hay clases! Niños y señoras, ¿qué tal?").encoding,
            sms_encoding::gsm7);
}

TEST(analyze_sms, names_the_character_that_forces_ucs2) {
  const auto a = analyze("Reunión de padres");
  EXPECT_EQ(a.encoding, sms_encoding::ucs2);
  EXPECT_EQ(a.first_non_gsm7_character, "ó");
  EXPECT_EQ(a.units, 17u);
  EXPECT_EQ(a.per_segment_limit, 70u);
}

TEST(analyze_sms, keeps_somali_and_haitian_creole_in_gsm7) {
  EXPECT_EQ(analyze("Waalidiinta sharafta leh, dugsigu wuu xiran yahay berri.").encoding,
            sms_encoding::gsm7);
  EXPECT_EQ(analyze("Paran yo, lekòl la ap fèmen demen akòz move tan.").encoding,
            sms_encoding::gsm7);
}

TEST(analyze_sms, sends_vietnamese_arabic_and_chinese_as_ucs2) {
  for (const std::string text : {"Trường học đóng cửa ngày mai.", "المدرسة مغلقة غدا",
                                 "明天学校停课。", "Школа завтра закрыта."}) {
    const auto a = analyze(text);
    EXPECT_EQ(a.encoding, sms_encoding::ucs2) << text;
    EXPECT_EQ(a.units, ucs2_units(text)) << text;
    EXPECT_EQ(a.segments, 1u) << text;
  }
}

// --- UCS-2 segments
// ----------------------------------------------------------------------------------

TEST(analyze_sms, fits_70_ucs2_units_in_one_segment_but_not_71) {
  EXPECT_EQ(analyze(repeat("Ж", 70)).segments, 1u);
  const auto a = analyze(repeat("Ж", 71));
  EXPECT_EQ(a.segments, 2u);
  EXPECT_EQ(a.per_segment_limit, 67u);
}

TEST(analyze_sms, needs_a_third_ucs2_segment_after_134_units) {
  EXPECT_EQ(analyze(repeat("Ж", 134)).segments, 2u);
  EXPECT_EQ(analyze(repeat("Ж", 135)).segments, 3u);
}

TEST(analyze_sms, counts_an_emoji_as_two_ucs2_units_and_one_character) {
  const auto a = analyze("\U0001F600");  // 😀
  EXPECT_EQ(a.encoding, sms_encoding::ucs2);
  EXPECT_EQ(a.units, 2u);
  EXPECT_EQ(a.characters, 1u);
  EXPECT_EQ(analyze(std::string(68, 'x') + "\U0001F600").segments, 1u);
  EXPECT_EQ(analyze(std::string(69, 'x') + "\U0001F600").segments, 2u);
}

TEST(analyze_sms, counts_grapheme_clusters_as_characters) {
  const auto a =
      analyze(family + somali_flag + "e\u0301");  // 👨‍👩‍👧 🇸🇴 é (combining)
  EXPECT_EQ(a.characters, 3u);
  EXPECT_EQ(a.units, 8u + 4u + 2u);
}

TEST(split_sms, never_splits_a_surrogate_pair) {
  const std::string text = std::string(66, 'x') + "\U0001F600" + std::string(10, 'y');
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(66, 'x'));
  EXPECT_THAT(parts[1], StartsWith("\U0001F600"));
}

TEST(split_sms, never_splits_a_zwj_emoji_sequence) {
  const std::string text = std::string(62, 'x') + family + std::string(10, 'y');
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(62, 'x'));
  EXPECT_EQ(parts[1], family + std::string(10, 'y'));
}

TEST(split_sms, never_splits_a_flag) {
  const std::string text = std::string(65, 'x') + somali_flag + std::string(10, 'y');
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(65, 'x'));
  EXPECT_EQ(parts[1], somali_flag + std::string(10, 'y'));
}

TEST(split_sms, never_separates_a_combining_mark_from_its_base) {
  const std::string text = std::string(66, 'x') + "e\u0301" + std::string(10, 'y');
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(66, 'x'));
  EXPECT_THAT(parts[1], StartsWith("e\u0301"));
}

TEST(split_sms, fills_ucs2_segments_up_to_67_units) {
  const std::string text = repeat("Trường học đóng cửa ngày mai. ", 10);
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_GT(parts.size(), 2u);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_LE(ucs2_units(parts[i]), 67u);
    if (i + 1 < parts.size()) {
      EXPECT_GE(ucs2_units(parts[i]), 66u);
    }
  }
  EXPECT_EQ(joined(parts), text);
  EXPECT_EQ(analyze(text).segments, parts.size());
}

TEST(split_sms, cuts_a_character_longer_than_a_segment_between_code_points) {
  const std::string zalgo = "a" + repeat("\u0301", 100);  // one grapheme of 101 units
  const std::string text = "xyz" + zalgo + "end";
  const auto parts = split(text, sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "xyz");  // the long character starts a fresh segment
  for (const auto& part : parts) {
    EXPECT_LE(ucs2_units(part), 67u);
  }
  EXPECT_EQ(joined(parts), text);
  EXPECT_EQ(analyze(text).cut_characters, 1u);
}

TEST(split_sms, may_send_gsm_text_as_ucs2) {
  const auto parts = split(std::string(71, 'a'), sms_encoding::ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 67u);
}

// --- look-alikes
// ------------------------------------------------------------------------------------

TEST(analyze_sms, replaces_lookalikes_to_stay_in_gsm7_when_asked) {
  const auto a = analyze("“Snow day” — the school’s closed…\u00A0Stay safe – ‘really’",
                         {.replace_lookalikes = true});
  EXPECT_EQ(a.encoding, sms_encoding::gsm7);
  ASSERT_TRUE(a.replaced_text);
  EXPECT_EQ(*a.replaced_text, "\"Snow day\" - the school's closed... Stay safe - 'really'");
  EXPECT_EQ(a.units, a.replaced_text->size());
}

TEST(analyze_sms, keeps_lookalikes_unless_asked) {
  const auto a = analyze("“Snow day”");
  EXPECT_EQ(a.encoding, sms_encoding::ucs2);
  EXPECT_FALSE(a.replaced_text);
  EXPECT_EQ(a.first_non_gsm7_character, "“");
}

TEST(analyze_sms, keeps_lookalikes_when_the_text_needs_ucs2_anyway) {
  const auto a = analyze("“Reunión” mañana", {.replace_lookalikes = true});
  EXPECT_EQ(a.encoding, sms_encoding::ucs2);
  EXPECT_FALSE(a.replaced_text);
  EXPECT_EQ(a.first_non_gsm7_character, "ó");
  EXPECT_EQ(a.units, ucs2_units("“Reunión” mañana"));
}

TEST(analyze_sms, leaves_gsm7_text_untouched_with_replacement_on) {
  EXPECT_FALSE(analyze("Plain \"text\"", {.replace_lookalikes = true}).replaced_text);
}

// --- edge cases
// ---------------------------------------------------------------------------------------

TEST(analyze_sms, gives_zero_segments_for_an_empty_text) {
  const auto a = analyze("");
  EXPECT_EQ(a.encoding, sms_encoding::gsm7);
  EXPECT_EQ(a.units, 0u);
  EXPECT_EQ(a.segments, 0u);
  EXPECT_EQ(a.characters, 0u);
  EXPECT_TRUE(split("", sms_encoding::gsm7).empty());
}

TEST(analyze_sms, rejects_invalid_utf8_naming_the_byte) {
  for (const std::string& bad : {std::string("ok\xC3\x28"), std::string("\x80"),
                                 std::string("\xC0\xAF"),          // overlong '/'
                                 std::string("ab\xED\xA0\x80"),    // encoded surrogate
                                 std::string("trunc\xE2\x82")}) {  // truncated €
    auto r = analyze_sms(bad);
    EXPECT_FALSE(r);
    EXPECT_THAT(r.error, HasSubstr("not valid UTF-8 (at byte"));
  }
  EXPECT_THAT(analyze_sms("ok\xC3\x28").error, HasSubstr("at byte 2"));
  EXPECT_FALSE(split_sms("\xFF", sms_encoding::ucs2));
}

TEST(analyze_sms, rejects_a_text_longer_than_the_cap) {
  auto r = analyze_sms(std::string(max_sms_text_bytes + 1, 'a'));
  EXPECT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("longer than"));
}

TEST(sms_splitter, is_reusable_and_copies_are_independent) {
  sms_splitter splitter;
  sms_splitter copy = splitter;
  EXPECT_EQ(splitter.analyze(std::string(161, 'a')).value->segments, 2u);
  EXPECT_EQ(copy.analyze(family).value->characters, 1u);
  EXPECT_EQ(splitter.analyze("Ж").value->encoding, sms_encoding::ucs2);
  EXPECT_EQ(copy.split(std::string(62, 'x') + family + std::string(10, 'y'), sms_encoding::ucs2)
                .value->size(),
            2u);
}

}  // namespace
}  // namespace liaison::i18n
