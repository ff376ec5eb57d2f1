#include "i18n/voice.hpp"

#include <unicode/locid.h>

#include <array>
#include <string>

#include "i18n/language.hpp"

namespace liaison::i18n {
namespace {

// Twilio <Say> voices. Amazon Polly voices (Twilio's "Polly.<Name>") for the languages Polly
// speaks; Google voices (Twilio's "Google.<voice name>") for the languages Polly lacks
// (Vietnamese, Ukrainian, Filipino, Bengali, Tamil, Telugu, Punjabi, Gujarati, Taiwanese Mandarin,
// Cantonese). Standard (not neural) voices where there is a choice: they exist in every region
// and cost least. See docs/i18n.md for the source and what is deliberately absent.
constexpr std::array voice_table{
    voice_language{"en", "en-US", "Polly.Joanna"},
    voice_language{"en-GB", "en-GB", "Polly.Amy"},
    voice_language{"es", "es-US", "Polly.Lupe"},
    voice_language{"es-MX", "es-MX", "Polly.Mia"},
    voice_language{"es-ES", "es-ES", "Polly.Lucia"},
    voice_language{"fr", "fr-FR", "Polly.Celine"},
    voice_language{"fr-CA", "fr-CA", "Polly.Chantal"},
    voice_language{"pt", "pt-BR", "Polly.Camila"},
    voice_language{"pt-PT", "pt-PT", "Polly.Ines"},
    voice_language{"de", "de-DE", "Polly.Marlene"},
    voice_language{"it", "it-IT", "Polly.Carla"},
    voice_language{"ro", "ro-RO", "Polly.Carmen"},
    voice_language{"pl", "pl-PL", "Polly.Ewa"},
    voice_language{"tr", "tr-TR", "Polly.Filiz"},
    voice_language{"ru", "ru-RU", "Polly.Tatyana"},
    voice_language{"ja", "ja-JP", "Polly.Mizuki"},
    voice_language{"ko", "ko-KR", "Polly.Seoyeon"},
    voice_language{"hi", "hi-IN", "Polly.Aditi"},
    voice_language{"ar", "arb", "Polly.Zeina"},
    voice_language{"zh", "cmn-CN", "Polly.Zhiyu"},
    voice_language{"zh-Hant", "cmn-TW", "Google.cmn-TW-Standard-A"},
    voice_language{"zh-HK", "yue-HK", "Google.yue-HK-Standard-A"},
    voice_language{"vi", "vi-VN", "Google.vi-VN-Standard-A"},
    voice_language{"uk", "uk-UA", "Google.uk-UA-Standard-A"},
    voice_language{"fil", "fil-PH", "Google.fil-PH-Standard-A"},
    voice_language{"bn", "bn-IN", "Google.bn-IN-Standard-A"},
    voice_language{"ta", "ta-IN", "Google.ta-IN-Standard-A"},
    voice_language{"te", "te-IN", "Google.te-IN-Standard-A"},
    voice_language{"pa", "pa-IN", "Google.pa-IN-Standard-A"},
    voice_language{"gu", "gu-IN", "Google.gu-IN-Standard-A"},
};

std::string likely_script(std::string_view tag) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(tag, status);
  locale.addLikelySubtags(status);
  return U_SUCCESS(status) ? locale.getScript() : "";
}

}  // namespace

std::span<const voice_language> twilio_voice_languages() noexcept {
  return voice_table;
}

std::optional<voice_language> twilio_voice_for(std::string_view language) {
  // The tag as its own default: the chain then holds only the language's own forms.
  const auto chain = fallback_chain(language, language);
  if (!chain) {
    return std::nullopt;
  }
  const auto script = likely_script(chain.value->front());
  for (const auto& candidate : *chain.value) {
    for (const auto& entry : voice_table) {
      if (entry.language == candidate && likely_script(entry.language) == script) {
        return entry;
      }
    }
  }
  return std::nullopt;
}

}  // namespace liaison::i18n
