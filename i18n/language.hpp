// Languages of guardians, catalogs and staff: BCP 47 tags canonicalized and validated by ICU,
// fallback chains (es-MX → es → district default), the best available language for a guardian,
// display names (in the language itself, for menus and language-change replies) and direction.
// The rules are written down in docs/i18n.md.
#pragma once

#include <unicode/uversion.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

U_NAMESPACE_BEGIN
class LocaleMatcher;
U_NAMESPACE_END

namespace liaison::i18n {

// Longer than any tag a family's language needs (language-script-region-variant is ≤ 35);
// the cap keeps error messages and stored fields bounded.
inline constexpr std::size_t max_language_tag_length = 64;

// The canonical BCP 47 form of a tag ("ES_mx" → "es-MX", "iw" → "he", "prs" → "fa-AF"), or
// why it is not acceptable: empty, not well-formed, no language ("und", "x-…"), or a language,
// script or region subtag that ICU has no English name for and that is not one of the languages
// Liaison supports itself (see native_display_name). `_` is accepted as a separator and
// surrounding blanks are ignored, because rosters export POSIX-style ids like "es_MX".
result<std::string> canonicalize_language_tag(std::string_view tag);

// The languages to try for a guardian, most specific first, without duplicates, ending with the
// district default: the tag itself, then its parents by dropping subtags from the end (ICU's
// uloc_getParent). When dropping the region would also lose a script the region implies
// (zh-TW is written in Hant), the language-script form is tried before the bare language:
// zh-TW → zh-Hant → zh → en. Both tags are canonicalized; an invalid one is an error.
result<std::vector<std::string>> fallback_chain(std::string_view tag,
                                                std::string_view district_default);

// Chooses, among the languages a catalog or announcement is available in, the one to use for a
// requested language: the first entry of the fallback chain that is available; else the
// closest available language by ICU's LocaleMatcher (CLDR language distances: pt-PT → pt-BR,
// zh-HK → zh-Hant); else the district default. Build one per set of available languages and
// reuse it: it is immutable, so one instance may be shared by threads.
class language_matcher {
 public:
  // Fails when an available language or the district default is not a valid tag.
  static result<language_matcher> create(const std::vector<std::string>& available,
                                         std::string_view district_default);

  language_matcher(language_matcher&&) noexcept;
  language_matcher& operator=(language_matcher&&) noexcept;
  ~language_matcher();

  // The chosen entry spelled as it was in `available` (so it can be used as a lookup key), or
  // the canonical district default when nothing is close enough. Fails on an invalid request.
  result<std::string> best(std::string_view requested) const;

 private:
  language_matcher();

  std::vector<std::string> available_;            // as given
  std::vector<std::string> canonical_available_;  // same order, canonical
  std::string district_default_;                  // canonical
  std::unique_ptr<icu::LocaleMatcher> matcher_;
};

// One-off form of language_matcher::best; builds a matcher, so not for per-delivery use.
result<std::string> best_available_language(std::string_view requested,
                                            const std::vector<std::string>& available,
                                            std::string_view district_default);

// The language's name in that language ("español", "Tiếng Việt", "中文", "العربية",
// "繁體中文" for zh-Hant, "دری" for fa-AF), from ICU's dialect names, except for the few
// languages ICU 72 has no names of its own for (see the override table in language.cpp).
result<std::string> native_display_name(std::string_view tag);

// The name of `tag` in the language `in_language` ("Spanish" for es in en, "árabe" for ar in es).
result<std::string> display_name(std::string_view tag, std::string_view in_language);

// Whether the language is written right to left (ar, fa, prs, ur, ps, he), judged by ICU from
// its likely script. False for a tag that is not valid.
bool is_right_to_left(std::string_view tag);

}  // namespace liaison::i18n
