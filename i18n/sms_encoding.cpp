#include "i18n/sms_encoding.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

namespace liaison::i18n {
namespace {

// ---------------------------------------------------------------------------------------------
// 3GPP TS 23.038 §6.2.1, GSM 7-bit default alphabet, indexed by septet value. Written as code
// points (glyphs in the comments) so that look-alikes such as ∆ U+2206 for Δ U+0394 cannot
// creep in. 0x09 is U+00C7 Ç as the spec's table and Unicode's GSM0338.TXT give it; ç is not
// GSM-7 here, so we never promise GSM-7 for a text a carrier would send as UCS-2.

constexpr char32_t escape_to_extension = 0x1B;  // not a character: introduces the extension table

constexpr std::array<char32_t, 128> gsm7_default_alphabet{
    // 0x00-0x0F  @ £ $ ¥ è é ù ì ò Ç LF Ø ø CR Å å
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,  //
    0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,  //
    // 0x10-0x1F  Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ ESC Æ æ ß É
    0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,  //
    0x03A3, 0x0398, 0x039E, escape_to_extension, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
    // 0x20-0x2F  SP ! " # ¤ % & ' ( ) * + , - . /
    U' ', U'!', U'"', U'#', 0x00A4, U'%', U'&', U'\'',  //
    U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',     //
    // 0x30-0x3F
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',  //
    U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',  //
    // 0x40-0x4F  ¡ A-O
    0x00A1, U'A', U'B', U'C', U'D', U'E', U'F', U'G',  //
    U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',    //
    // 0x50-0x5F  P-Z Ä Ö Ñ Ü §
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',            //
    U'X', U'Y', U'Z', 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,  //
    // 0x60-0x6F  ¿ a-o
    0x00BF, U'a', U'b', U'c', U'd', U'e', U'f', U'g',  //
    U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',    //
    // 0x70-0x7F  p-z ä ö ñ ü à
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',            //
    U'x', U'y', U'z', 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,  //
};

// §6.2.1.1, the extension table: each is sent as ESC + this septet, so it costs two.
struct gsm7_extension {
  std::uint8_t septet;
  char32_t character;
};
constexpr std::array<gsm7_extension, 10> gsm7_extension_table{{
    {0x0A, 0x000C},  // form feed
    {0x14, U'^'},
    {0x28, U'{'},
    {0x29, U'}'},
    {0x2F, U'\\'},
    {0x3C, U'['},
    {0x3D, U'~'},
    {0x3E, U']'},
    {0x40, U'|'},
    {0x65, 0x20AC},  // €
}};

// Both tables as one list sorted by character, built at compile time for binary search.
struct gsm7_cost {
  char32_t character;
  std::uint8_t septets;
};
constexpr std::size_t gsm7_character_count =
    gsm7_default_alphabet.size() - 1 + gsm7_extension_table.size();

consteval std::array<gsm7_cost, gsm7_character_count> make_gsm7_costs() {
  std::array<gsm7_cost, gsm7_character_count> costs{};
  std::size_t n = 0;
  for (const char32_t c : gsm7_default_alphabet) {
    if (c != escape_to_extension) {
      costs[n++] = {c, 1};
    }
  }
  for (const auto& extension : gsm7_extension_table) {
    costs[n++] = {extension.character, 2};
  }
  std::ranges::sort(costs, {}, &gsm7_cost::character);
  return costs;
}
constexpr auto gsm7_costs = make_gsm7_costs();

consteval bool each_character_once() {
  for (std::size_t i = 1; i < gsm7_costs.size(); ++i) {
    if (gsm7_costs[i - 1].character == gsm7_costs[i].character) {
      return false;
    }
  }
  return true;
}
static_assert(each_character_once(), "a character appears twice in the GSM-7 tables");

// ---------------------------------------------------------------------------------------------
// Look-alikes: typographic characters with a plain GSM-7 equivalent a reader takes for the same.

struct lookalike {
  char32_t character;
  std::u16string_view replacement;
};
constexpr std::array<lookalike, 19> lookalikes{{
    {0x00A0, u" "},    // no-break space
    {0x2007, u" "},    // figure space
    {0x202F, u" "},    // narrow no-break space (French punctuation)
    {0x2010, u"-"},    // hyphen
    {0x2011, u"-"},    // non-breaking hyphen
    {0x2012, u"-"},    // figure dash
    {0x2013, u"-"},    // en dash
    {0x2014, u"-"},    // em dash
    {0x2015, u"-"},    // horizontal bar
    {0x2212, u"-"},    // minus sign
    {0x2018, u"'"},    // left single quotation mark
    {0x2019, u"'"},    // right single quotation mark, the typographic apostrophe
    {0x201A, u"'"},    // single low-9 quotation mark
    {0x201B, u"'"},    // single high-reversed-9 quotation mark
    {0x201C, u"\""},   // left double quotation mark
    {0x201D, u"\""},   // right double quotation mark
    {0x201E, u"\""},   // double low-9 quotation mark (German, Polish)
    {0x201F, u"\""},   // double high-reversed-9 quotation mark
    {0x2026, u"..."},  // horizontal ellipsis
}};

std::optional<std::u16string_view> plain_form(UChar32 c) {
  for (const auto& entry : lookalikes) {
    if (static_cast<UChar32>(entry.character) == c) {
      return entry.replacement;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

std::size_t septets_of(UChar32 c) {
  return static_cast<std::size_t>(gsm7_septets(static_cast<char32_t>(c)));
}

// Index of the first code point GSM-7 cannot carry, or -1.
int32_t first_non_gsm7(const icu::UnicodeString& text) {
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    if (septets_of(text.char32At(i)) == 0) {
      return i;
    }
  }
  return -1;
}

// Replaces look-alikes; false when there were none.
bool replace_lookalikes(const icu::UnicodeString& text, icu::UnicodeString& out) {
  bool replaced = false;
  out.remove();
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = text.char32At(i);
    if (const auto plain = plain_form(c)) {
      out.append(plain->data(), static_cast<int32_t>(plain->size()));
      replaced = true;
    } else {
      out.append(c);
    }
  }
  return replaced;
}

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

// Decodes strictly: ill-formed sequences (stray continuation bytes, overlong forms, encoded
// surrogates, truncated sequences) are an error naming the byte offset, never U+FFFD.
// Returns the error, empty on success.
std::string decode_utf8(std::string_view utf8_text, icu::UnicodeString& out) {
  out.remove();
  if (utf8_text.size() > max_sms_text_bytes) {
    return "text is longer than " + std::to_string(max_sms_text_bytes) + " bytes";
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8_text.data());
  const auto length = static_cast<int32_t>(utf8_text.size());
  int32_t offset = 0;
  while (offset < length) {
    const int32_t start = offset;
    UChar32 c = 0;
    // ICU's UTF-8 macro is written with C casts; the warning is about ICU's code, not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    U8_NEXT(bytes, offset, length, c);
#pragma GCC diagnostic pop
    if (c < 0) {
      return "text is not valid UTF-8 (at byte " + std::to_string(start) + ")";
    }
    out.append(c);
  }
  return {};
}

}  // namespace

int gsm7_septets(char32_t character) noexcept {
  const auto* found = std::ranges::lower_bound(gsm7_costs, character, {}, &gsm7_cost::character);
  if (found == gsm7_costs.end() || found->character != character) {
    return 0;
  }
  return found->septets;
}

std::string_view to_string(sms_encoding encoding) noexcept {
  switch (encoding) {
    case sms_encoding::gsm7:
      return "GSM-7";
    case sms_encoding::ucs2:
      return "UCS-2";
  }
  return "unknown";
}

struct sms_splitter::state {
  std::unique_ptr<icu::BreakIterator> characters;
  icu::UnicodeString text;     // the decoded message; the iterator points into it
  icu::UnicodeString scratch;  // look-alike replacement
  struct grapheme {
    int32_t start;
    int32_t end;
    std::size_t units;
  };
  std::vector<grapheme> graphemes;

  struct layout {
    std::size_t units = 0;
    std::size_t limit = gsm7_single_segment_septets;
    std::vector<int32_t> segment_ends;  // UTF-16 offsets
    std::size_t cut_characters = 0;
  };

  explicit state(std::unique_ptr<icu::BreakIterator> iterator) : characters(std::move(iterator)) {
    characters->setText(text);
  }

  std::size_t units_of(int32_t start, int32_t end, sms_encoding encoding) const {
    if (encoding == sms_encoding::ucs2) {
      return static_cast<std::size_t>(end - start);
    }
    std::size_t units = 0;
    for (int32_t i = start; i < end; i = text.moveIndex32(i, 1)) {
      units += septets_of(text.char32At(i));
    }
    return units;
  }

  // Cuts `text` into segments along grapheme boundaries (precondition for gsm7: every
  // character is GSM-7).
  layout lay_out(sms_encoding encoding) {
    const bool gsm7 = encoding == sms_encoding::gsm7;
    layout out;
    graphemes.clear();
    characters->setText(text);
    for (int32_t start = characters->first(), end = characters->next();
         end != icu::BreakIterator::DONE; start = end, end = characters->next()) {
      const std::size_t units = units_of(start, end, encoding);
      graphemes.push_back({start, end, units});
      out.units += units;
    }
    const std::size_t single = gsm7 ? gsm7_single_segment_septets : ucs2_single_segment_units;
    out.limit = single;
    if (out.units == 0) {
      return out;
    }
    if (out.units <= single) {
      out.segment_ends.push_back(text.length());
      return out;
    }
    out.limit = gsm7 ? gsm7_multi_segment_septets : ucs2_multi_segment_units;
    std::size_t used = 0;
    for (const auto& g : graphemes) {
      if (g.units > out.limit) {
        // Longer than any segment: start it on a fresh segment and cut it between code
        // points, which keeps surrogate pairs and escapes whole.
        ++out.cut_characters;
        if (used > 0) {
          out.segment_ends.push_back(g.start);
          used = 0;
        }
        for (int32_t i = g.start; i < g.end; i = text.moveIndex32(i, 1)) {
          const int32_t next = text.moveIndex32(i, 1);
          const std::size_t units = units_of(i, next, encoding);
          if (used + units > out.limit) {
            out.segment_ends.push_back(i);
            used = 0;
          }
          used += units;
        }
        continue;
      }
      if (used + g.units > out.limit) {
        out.segment_ends.push_back(g.start);
        used = 0;
      }
      used += g.units;
    }
    out.segment_ends.push_back(text.length());
    return out;
  }
};

sms_splitter::sms_splitter() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> iterator(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !iterator) {
    throw std::runtime_error(std::string("ICU cannot create a character break iterator: ") +
                             u_errorName(status));
  }
  state_ = std::make_unique<state>(std::move(iterator));
}

sms_splitter::sms_splitter(const sms_splitter& other)
    : state_(std::make_unique<state>(
          std::unique_ptr<icu::BreakIterator>(other.state_->characters->clone()))) {}

sms_splitter& sms_splitter::operator=(const sms_splitter& other) {
  if (this != &other) {
    sms_splitter copy(other);
    state_ = std::move(copy.state_);
  }
  return *this;
}

sms_splitter::sms_splitter(sms_splitter&&) noexcept = default;
sms_splitter& sms_splitter::operator=(sms_splitter&&) noexcept = default;
sms_splitter::~sms_splitter() = default;

result<sms_analysis> sms_splitter::analyze(std::string_view utf8_text, const sms_options& options) {
  auto& s = *state_;
  if (auto error = decode_utf8(utf8_text, s.text); !error.empty()) {
    return result<sms_analysis>::failure(std::move(error));
  }
  sms_analysis analysis;
  int32_t blocker = first_non_gsm7(s.text);
  if (blocker >= 0 && options.replace_lookalikes && replace_lookalikes(s.text, s.scratch)) {
    const int32_t remaining = first_non_gsm7(s.scratch);
    if (remaining < 0) {
      s.text.swap(s.scratch);
      analysis.replaced_text = to_utf8(s.text);
      blocker = -1;
    } else {
      // Still UCS-2, so the text goes as written; name the character that really forces it.
      analysis.first_non_gsm7_character =
          to_utf8(icu::UnicodeString(s.scratch.char32At(remaining)));
    }
  }
  if (blocker >= 0) {
    analysis.encoding = sms_encoding::ucs2;
    if (analysis.first_non_gsm7_character.empty()) {
      analysis.first_non_gsm7_character = to_utf8(icu::UnicodeString(s.text.char32At(blocker)));
    }
  }
  const auto layout = s.lay_out(analysis.encoding);
  analysis.units = layout.units;
  analysis.segments = layout.segment_ends.size();
  analysis.per_segment_limit = layout.limit;
  analysis.characters = s.graphemes.size();
  analysis.cut_characters = layout.cut_characters;
  return result<sms_analysis>::success(std::move(analysis));
}

result<std::vector<std::string>> sms_splitter::split(std::string_view utf8_text,
                                                     sms_encoding encoding) {
  using outcome = result<std::vector<std::string>>;
  auto& s = *state_;
  if (auto error = decode_utf8(utf8_text, s.text); !error.empty()) {
    return outcome::failure(std::move(error));
  }
  if (encoding == sms_encoding::gsm7) {
    if (const int32_t blocker = first_non_gsm7(s.text); blocker >= 0) {
      return outcome::failure("text cannot be sent as GSM-7: '" +
                              to_utf8(icu::UnicodeString(s.text.char32At(blocker))) +
                              "' is not in the GSM 7-bit alphabet");
    }
  }
  const auto layout = s.lay_out(encoding);
  std::vector<std::string> parts;
  parts.reserve(layout.segment_ends.size());
  int32_t start = 0;
  for (const int32_t end : layout.segment_ends) {
    parts.push_back(to_utf8(s.text.tempSubStringBetween(start, end)));
    start = end;
  }
  return outcome::success(std::move(parts));
}

result<sms_analysis> analyze_sms(std::string_view utf8_text, const sms_options& options) {
  return sms_splitter().analyze(utf8_text, options);
}

result<std::vector<std::string>> split_sms(std::string_view utf8_text, sms_encoding encoding) {
  return sms_splitter().split(utf8_text, encoding);
}

}  // namespace liaison::i18n
