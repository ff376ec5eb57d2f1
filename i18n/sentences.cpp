#include "i18n/sentences.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>

namespace liaison::i18n {

std::string without_last_sentence(std::string_view text, std::string_view language) {
  UErrorCode status = U_ZERO_ERROR;
  const auto locale = icu::Locale::forLanguageTag(std::string(language), status);
  std::unique_ptr<icu::BreakIterator> sentences(icu::BreakIterator::createSentenceInstance(
      U_SUCCESS(status) ? locale : icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !sentences) {
    return std::string(text);
  }
  const auto unicode = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  sentences->setText(unicode);
  sentences->last();
  int32_t end = sentences->previous();  // where the last sentence starts
  if (end == icu::BreakIterator::DONE || end <= 0) {
    return std::string(text);
  }
  while (end > 0 && u_isUWhiteSpace(unicode.char32At(end - 1))) {
    end = unicode.moveIndex32(end, -1);
  }
  std::string out;
  unicode.tempSubString(0, end).toUTF8String(out);
  return out;
}

}  // namespace liaison::i18n
