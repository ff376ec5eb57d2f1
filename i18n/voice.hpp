// Which languages the voice provider can speak: Twilio <Say> language codes and voices for the
// languages Liaison's families use, and "not speakable" for the others (Somali, Haitian Creole,
// Amharic, Tigrinya, Hmong…), whose families get SMS or email instead of a call. The table and
// its source are in docs/i18n.md.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace liaison::i18n {

struct voice_language {
  std::string_view language;      // the catalog/BCP 47 tag this entry serves (es, es-MX, zh-Hant)
  std::string_view say_language;  // <Say language="…">: Twilio's code (es-US, cmn-CN, arb)
  std::string_view voice;         // <Say voice="…">: Polly.* or Google.* (Twilio's names)
};

// The whole table, for reports and the docs test.
std::span<const voice_language> twilio_voice_languages() noexcept;

// The Twilio voice for a text in `language` (pass the render locale: the guardian's tag when the
// text is in the guardian's language, so es-MX gets the Mexican voice): the first entry along the
// tag's fallback chain whose script is the tag's likely script (pa-Arab text is not read by the
// Gurmukhi pa-IN voice). nullopt: Twilio cannot speak it (or the tag is invalid); the district
// default is not tried, because an English voice is no use to a family that cannot read English.
std::optional<voice_language> twilio_voice_for(std::string_view language);

}  // namespace liaison::i18n
