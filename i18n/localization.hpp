// Which text a guardian gets (DESIGN.md §3 step 3), as a pure function: a human translation in
// the guardian's language, else the catalog template, else machine translation if the policy
// allows, else a text in another language with a localized note. The table of cases is in
// docs/i18n.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

namespace liaison::i18n {

enum class machine_translation_policy {
  never,                    // families without a human text get the fallback language and a note
  if_no_human_translation,  // machine-translate only where no human text or template exists
  // Machine-translate into every language but the source, even where a human translation
  // exists: for when the human translations are known to be stale (the body changed after they
  // were made). Human texts are still used where the provider cannot produce the language.
  always,
};

std::string_view to_string(machine_translation_policy policy) noexcept;
// "never", "if_no_human_translation", "always" (the API spelling); nullopt-like failure otherwise.
result<machine_translation_policy> machine_translation_policy_from_string(std::string_view text);

enum class text_source {
  human_translation,    // a text a person wrote: the original or a staff-provided translation
  catalog,              // the message catalog's template
  machine_translation,  // the provider translates the source text into text_language
};

std::string_view to_string(text_source source) noexcept;

struct localization_request {
  std::string guardian_language;  // the guardian's preference (any valid tag)
  std::string district_default;
  // The language the original is written in; machine translation translates from it, and it is
  // counted as a human text even if human_languages omits it. Empty for catalog messages.
  std::string source_language;
  // Languages with a human-written text: for an announcement, its translations (keys of the
  // translations map); empty for catalog messages.
  std::vector<std::string> human_languages;
  // Languages the catalog has a template in, for catalog messages; empty for announcements.
  std::vector<std::string> template_languages;
  // Languages notices (the machine-translation notice, the fallback note, the STOP footer) can
  // be written in: the message catalog's languages.
  std::vector<std::string> notice_languages;
  machine_translation_policy policy = machine_translation_policy::never;
  // Languages the configured provider can translate source_language into. Empty when no
  // provider is configured (or it cannot translate from the source).
  std::vector<std::string> machine_languages;
};

struct localization_choice {
  text_source source = text_source::human_translation;
  // The language of the text to send, spelled as in the request's list it came from (so it is
  // the lookup key of the translation or template, or the provider's target).
  std::string text_language;
  // False when no text in the guardian's language exists and text_language is another one.
  bool in_guardian_language = true;
  bool add_machine_translation_notice = false;  // machine_translated_notice
  bool add_fallback_notice = false;             // fallback_language_notice {language}
  // The catalog language notices, footers and the fallback note are rendered in (spelled as in
  // notice_languages): the guardian's own when the catalog has it, so a Somali family reading
  // an English fallback is told why in Somali.
  std::string notice_language;
  // Locale for dates, numbers and plurals in the text: the guardian's own tag when the text is
  // in the guardian's language (es-MX for the es text), else text_language.
  std::string format_locale;
  std::string guardian_language;  // canonical
};

// Chooses the text for one guardian. The result depends only on the request, so a caller
// fanning out one announcement can memoize it per guardian language. Fails on an invalid tag,
// or when there is no text at all (no human text, template or source language).
//
// "In the guardian's language" means the same ICU language subtag: the fallback chain first
// (es-MX → es), then another variant of the language (pt-PT takes pt-BR; zh-Hant takes zh-Hans
// before English, as fallback_chain does). The fallback language is the closest available text
// by CLDR's language distance (ICU LocaleMatcher: ht → fr), else the district default, else the
// source language.
result<localization_choice> choose_localization(const localization_request& request);

}  // namespace liaison::i18n
