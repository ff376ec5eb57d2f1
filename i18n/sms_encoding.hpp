// SMS encoding and segmentation: whether a text fits the GSM 7-bit alphabet (3GPP TS 23.038)
// or needs UCS-2, what it costs in segments, and how to cut it into segments without breaking a
// user-perceived character. Used for the announcement preview and by the SMS channel.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

namespace liaison::i18n {

enum class sms_encoding { gsm7, ucs2 };

std::string_view to_string(sms_encoding encoding) noexcept;  // "GSM-7", "UCS-2"

// Segment capacities. A concatenated message's user data header (6 octets) takes 7 septets
// or 3 UCS-2 units from the 140 octets of each part.
inline constexpr std::size_t gsm7_single_segment_septets = 160;
inline constexpr std::size_t gsm7_multi_segment_septets = 153;
inline constexpr std::size_t ucs2_single_segment_units = 70;
inline constexpr std::size_t ucs2_multi_segment_units = 67;

// Longer texts are refused rather than analyzed: no provider takes them (Twilio's limit is
// 1600 characters), and the cap keeps offsets within ICU's 32-bit indexes.
inline constexpr std::size_t max_sms_text_bytes = 64 * 1024;

// What a character costs in the GSM 7-bit default alphabet: 1 septet from the basic table, 2
// from the extension table (escape + code: ^ { } \ [ ~ ] | € and form feed), 0 when GSM-7 cannot
// represent it.
int gsm7_septets(char32_t character) noexcept;

struct sms_options {
  // Replace typographic look-alikes (“ ” ‘ ’ – — … non-breaking space) with their plain forms
  // when, and only when, that makes the whole text GSM-7: a message that needs UCS-2 anyway keeps
  // its typography. A choice for the sender: it changes the text, but can cut the cost in half.
  bool replace_lookalikes = false;
};

struct sms_analysis {
  sms_encoding encoding = sms_encoding::gsm7;
  std::size_t units = 0;     // septets (GSM-7) or UTF-16 code units (UCS-2; emoji count 2)
  std::size_t segments = 0;  // 0 for an empty text, which no provider will send
  // Capacity of each segment: 160/70 when the text fits one, else 153/67.
  std::size_t per_segment_limit = gsm7_single_segment_septets;
  std::size_t characters = 0;  // user-perceived characters (extended grapheme clusters)
  // The text to send when look-alikes were replaced; unset when the text is sent as given.
  std::optional<std::string> replaced_text;
  // For UCS-2: the first character GSM-7 cannot carry (UTF-8), to tell staff why it costs more.
  std::string first_non_gsm7_character;
  // Characters too long for one segment (pathological: hundreds of combining marks, very long
  // emoji sequences) that had to be cut between code points; 0 in any real message.
  std::size_t cut_characters = 0;
};

// Analyzes and splits texts. Holds ICU's character break iterator and buffers so no iterator
// is created per message: keep one per worker thread (it is not thread-safe; copies are
// independent; a moved-from splitter may only be destroyed or assigned to). The segment count of
// analyze() is the number of parts split() produces.
class sms_splitter {
 public:
  // Throws std::runtime_error when ICU's break rules cannot be loaded (broken ICU install).
  sms_splitter();
  sms_splitter(const sms_splitter& other);
  sms_splitter& operator=(const sms_splitter& other);
  sms_splitter(sms_splitter&&) noexcept;
  sms_splitter& operator=(sms_splitter&&) noexcept;
  ~sms_splitter();

  // Fails on invalid UTF-8 or a text longer than max_sms_text_bytes.
  result<sms_analysis> analyze(std::string_view utf8_text, const sms_options& options = {});

  // The text cut into parts of at most 160/153 septets (GSM-7) or 70/67 units (UCS-2), never
  // inside a grapheme cluster, so never inside a surrogate pair, an extension-table escape,
  // a combining sequence, a ZWJ emoji sequence or a flag. Pass analyze()'s replaced_text when
  // set. Fails on invalid UTF-8, an over-long text, or gsm7 for a text GSM-7 cannot carry.
  // An empty text gives no parts.
  result<std::vector<std::string>> split(std::string_view utf8_text, sms_encoding encoding);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// One-off forms that build a splitter each call; not for per-delivery use.
result<sms_analysis> analyze_sms(std::string_view utf8_text, const sms_options& options = {});
result<std::vector<std::string>> split_sms(std::string_view utf8_text, sms_encoding encoding);

}  // namespace liaison::i18n
