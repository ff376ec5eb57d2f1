// SMS reply keywords: STOP / STOPALL / START / HELP in English (the carrier words, for
// everyone) and in every catalog language, and language-change replies ("español", "Tiếng
// Việt", "中文", "LANG so"). A keyword is the whole message, compared case- and accent-
// insensitively after NFKC (full-width letters match), ignoring surrounding blanks,
// punctuation and symbols; a sentence that merely contains "stop" is not one. Plain C++ on
// ICU; the rules are in docs/i18n.md.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "i18n/catalog.hpp"
#include "i18n/result.hpp"

namespace liaison::i18n {

enum class keyword_kind {
  none,              // not a keyword: an answer, a question, free text
  stop,              // opt out of SMS
  stop_all,          // opt out of every channel
  start,             // opt back in
  help,              // send the HELP answer
  language_change,   // set the guardian's language to `language`
  unknown_language,  // "LANG xyz": a language command naming no language we know
};

std::string_view to_string(keyword_kind kind) noexcept;

struct keyword_match {
  keyword_kind kind = keyword_kind::none;
  // stop/stop_all/start/help: the catalog language whose list has the word ("en" for the
  // English carrier words, "es" for PARAR). language_change: the canonical tag chosen.
  std::string language;

  friend bool operator==(const keyword_match&, const keyword_match&) = default;
};

// Longer replies are never keywords or language names; the cap skips normalizing long texts.
inline constexpr std::size_t max_keyword_reply_bytes = 128;

// The comparison form of a reply: NFKC case folding (ＳＴＯＰ → stop, İ → i̇), accents and other
// nonspacing marks removed (DỪNG → dung, español → espanol), a few letters without a
// decomposition folded (đ → d, ł → l, ø → o, ı → i), Arabic tatweel removed, leading and trailing
// whitespace, punctuation and symbols removed ("Stop." → stop, "¡ALTO!" → alto), inner
// whitespace runs made one space. Exposed for tests and for the docs' examples.
std::string normalize_reply(std::string_view utf8_text);

// Recognizes keywords. Built once from the catalog; immutable afterwards, so one parser may be
// shared by every thread.
class keyword_parser {
 public:
  // Fails when two languages' lists give one word different meanings (a STOP word that is a
  // START word elsewhere), or a keyword is also a language name: the catalog must be fixed.
  // Names that only ICU supplies and that two languages share are dropped silently (ambiguous).
  static result<keyword_parser> create(const message_catalog& catalog);

  // What a whole SMS reply means. Never fails: anything unrecognized is keyword_kind::none.
  // "YES" is deliberately not START: it answers interpreter offers and RSVPs.
  keyword_match parse(std::string_view utf8_text) const;

 private:
  keyword_parser() = default;

  struct meaning {
    keyword_kind kind = keyword_kind::none;
    std::string language;
    bool from_catalog = true;  // written in a catalog file, not derived from ICU names
  };
  std::unordered_map<std::string, meaning> words_;         // normalized keyword → meaning
  std::unordered_map<std::string, meaning> names_;         // normalized language name → tag
  std::unordered_map<std::string, std::string> commands_;  // normalized "lang" → language
};

}  // namespace liaison::i18n
