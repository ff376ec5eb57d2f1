#include "i18n/utf8.hpp"

#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include <limits>

namespace liaison::i18n {

bool is_valid_utf8(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    return false;
  }
  // Preflight only (no output buffer): ICU reports an ill-formed sequence as it counts.
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, text.data(), static_cast<int32_t>(text.size()), &status);
  return status != U_INVALID_CHAR_FOUND && status != U_ILLEGAL_CHAR_FOUND;
}

std::string repair_utf8(std::string_view text) {
  if (is_valid_utf8(text)) {
    return std::string(text);
  }
  // fromUTF8 turns each ill-formed sequence into U+FFFD.
  text = text.substr(0, static_cast<std::size_t>(std::numeric_limits<int32_t>::max()));
  std::string repaired;
  icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())))
      .toUTF8String(repaired);
  return repaired;
}

}  // namespace liaison::i18n
