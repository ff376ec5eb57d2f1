// The message catalog: Liaison's own system strings (opt-out confirmation, HELP reply, voice
// prompts, interpreter offers…) as ICU MessageFormat patterns, one JSON file per language,
// plus each language's SMS keywords and extra names for language-change replies. Loaded and
// validated once at start; immutable afterwards, so one catalog is shared by every thread.
// The file format and the review process are in docs/i18n.md.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

namespace liaison::i18n {

// The system strings. Each names its arguments in docs/i18n.md and in en.json's descriptions.
enum class message_key {
  opt_out_confirmation,
  opt_in_confirmation,
  help_reply,                       // {district}, {phone}
  stop_footer,                      // "Reply STOP to opt out"
  machine_translated_notice,        //
  fallback_language_notice,         // {language}: the guardian's language, named in this language
  message_from_school,              // {school}
  voice_intro,                      // {school}
  voice_keypad_prompt,              // press 1 to confirm, 2 to repeat, 3 for a call back
  interpreter_offer,                // {language}, {meeting_type}, {date}, {code}
  interpreter_offer_filled,         //
  interpreter_confirmation,         //
  meeting_confirmation_family,      // {date}, {language}
  meeting_reminder_family,          // {date}
  language_changed,                 // {language}
  voice_keypad_thanks,              // said before hanging up after a keypad answer was recorded
  meeting_reply_prompt_family,      // "Reply 1 to confirm, or 2 if you need another time."
  meeting_reminder_interpreter,     // {language}, {date}
  meeting_confirmed_family,         // the answer to the family's 1
  meeting_reschedule_family,        // the answer to the family's 2
  meeting_cancelled,                // {date}: to the family and the interpreter
  translation_offer,                // {language}, {title}, {date}, {code}
  translation_confirmation,         // to the translator whose YES won
  interpreter_offer_email_subject,  // {language}, {date}
  interpreter_offer_email,          // {language}, {meeting_type}, {date}, {link} (last)
  offer_page_accept,                // button on the offer page
  offer_page_decline,               // button on the offer page
  interpreter_offer_declined,       // shown after declining on the offer page
};
inline constexpr std::size_t message_key_count = 28;

std::string_view to_string(message_key key) noexcept;  // "opt_out_confirmation", …
std::optional<message_key> message_key_from_string(std::string_view name) noexcept;

// The words that make a whole SMS reply a command, as written in one language's file.
struct keyword_lists {
  std::vector<std::string> stop;      // opt out of SMS
  std::vector<std::string> stop_all;  // opt out of every channel
  std::vector<std::string> start;     // opt back in
  std::vector<std::string> help;      // the HELP answer
  std::vector<std::string> language;  // "LANG so", "IDIOMA es": the word before a language
};

// One language's file.
struct catalog_language {
  std::string tag;  // canonical BCP 47 (also the file name: es.json, zh-Hant.json, fa-AF.json)
  bool right_to_left = false;
  // Whether a native speaker has reviewed the strings. Only English is, today; the others were
  // written by the engineering team and must be reviewed before a district relies on them.
  bool reviewed = false;
  // Names a family may reply with to choose this language, beyond the ones ICU knows (its
  // native and English names and its names in the other catalog languages): "中文", "Kreyòl",
  // "Tagalog", "Farsi".
  std::vector<std::string> names;
  keyword_lists keywords;
  std::array<std::string, message_key_count> patterns;  // indexed by message_key
};

// English is the reference language: it must exist, and every other language must have the
// same keys with the same argument names.
inline constexpr std::string_view catalog_reference_language = "en";

class message_catalog {
 public:
  // Reads every *.json file of `directory` and validates them all; the first problem fails the
  // whole load (with the file and key in the message), so a broken catalog stops the daemon at
  // start instead of sending a broken message. Checks: the file name is the canonical tag and
  // equals "language"; "direction" matches ICU's is_right_to_left; "reviewed" is a boolean;
  // every message key is present, no unknown key; every pattern parses (analyze_pattern) and
  // has exactly the reference language's argument names and kinds; keywords and names are
  // non-empty strings.
  static result<message_catalog> load(const std::filesystem::path& directory);

  // Builds a catalog from languages already in memory (tests); same validation as load.
  static result<message_catalog> from_languages(std::vector<catalog_language> languages);

  // Canonical tags, sorted, reference language first.
  const std::vector<std::string>& languages() const noexcept { return tags_; }
  const std::vector<catalog_language>& entries() const noexcept { return languages_; }

  // The language with exactly this canonical tag, or null.
  const catalog_language* find(std::string_view tag) const noexcept;
  const catalog_language& reference() const noexcept { return languages_.front(); }

 private:
  std::vector<catalog_language> languages_;  // same order as tags_
  std::vector<std::string> tags_;
};

}  // namespace liaison::i18n
