#include "i18n/keywords.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <set>
#include <utility>

#include "i18n/language.hpp"

namespace liaison::i18n {
namespace {

// Letters whose "accent" is part of the letter (no canonical decomposition), folded to the
// plain letter a family types on a keyboard without them: Vietnamese đ, Polish ł, Danish and
// Norwegian ø, Turkish dotless ı. Applied after case folding, so only lowercase forms appear.
char32_t fold_undecomposable(char32_t c) {
  switch (c) {
    case U'đ':
      return U'd';
    case U'ł':
      return U'l';
    case U'ø':
      return U'o';
    case U'ı':
      return U'i';
    default:
      return c;
  }
}

bool is_edge_noise(UChar32 c) {
  constexpr uint32_t noise = U_GC_P_MASK | U_GC_S_MASK | U_GC_Z_MASK | U_GC_CC_MASK | U_GC_CF_MASK;
  return (U_GET_GC_MASK(c) & noise) != 0 || u_isUWhiteSpace(c);
}

bool is_space(UChar32 c) {
  return u_isUWhiteSpace(c) || (U_GET_GC_MASK(c) & U_GC_Z_MASK) != 0;
}

struct split_command {
  std::string head;
  std::string rest;
};

split_command split_first_word(const std::string& normalized) {
  const auto space = normalized.find(' ');
  split_command out;
  out.head = normalized.substr(0, space);
  while (!out.head.empty() && (out.head.back() == ':' || out.head.back() == '=')) {
    out.head.pop_back();
  }
  if (space != std::string::npos) {
    out.rest = normalized.substr(space + 1);
  }
  return out;
}

}  // namespace

std::string_view to_string(keyword_kind kind) noexcept {
  switch (kind) {
    case keyword_kind::none:
      return "none";
    case keyword_kind::stop:
      return "stop";
    case keyword_kind::stop_all:
      return "stop_all";
    case keyword_kind::start:
      return "start";
    case keyword_kind::help:
      return "help";
    case keyword_kind::language_change:
      return "language_change";
    case keyword_kind::unknown_language:
      return "unknown_language";
  }
  return "none";
}

std::string normalize_reply(std::string_view utf8_text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return {};  // ICU data missing: nothing can match, so nothing is taken for a keyword
  }
  const auto input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8_text.data(), static_cast<int32_t>(utf8_text.size())));
  const auto folded = casefold->normalize(input, status);
  const auto decomposed = nfd->normalize(folded, status);
  if (U_FAILURE(status)) {
    return {};
  }

  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK || c == 0x0640 /* Arabic tatweel */) {
      continue;
    }
    stripped.append(static_cast<UChar32>(fold_undecomposable(static_cast<char32_t>(c))));
  }
  const auto composed = nfc->normalize(stripped, status);
  if (U_FAILURE(status)) {
    return {};
  }

  int32_t start = 0;
  int32_t limit = composed.length();
  while (start < limit && is_edge_noise(composed.char32At(start))) {
    start += U16_LENGTH(composed.char32At(start));
  }
  while (limit > start && is_edge_noise(composed.char32At(limit - 1))) {
    limit = composed.moveIndex32(limit, -1);
  }
  icu::UnicodeString collapsed;
  bool in_space = false;
  for (int32_t i = start; i < limit;) {
    const UChar32 c = composed.char32At(i);
    i += U16_LENGTH(c);
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) {
      collapsed.append(static_cast<char16_t>(u' '));
      in_space = false;
    }
    collapsed.append(c);
  }
  std::string out;
  collapsed.toUTF8String(out);
  return out;
}

result<keyword_parser> keyword_parser::create(const message_catalog& catalog) {
  using outcome = result<keyword_parser>;
  keyword_parser parser;

  for (const auto& language : catalog.entries()) {
    const std::array<std::pair<keyword_kind, const std::vector<std::string>*>, 4> lists{{
        {keyword_kind::stop, &language.keywords.stop},
        {keyword_kind::stop_all, &language.keywords.stop_all},
        {keyword_kind::start, &language.keywords.start},
        {keyword_kind::help, &language.keywords.help},
    }};
    for (const auto& [kind, words] : lists) {
      for (const auto& word : *words) {
        auto normalized = normalize_reply(word);
        if (normalized.empty()) {
          return outcome::failure("keyword '" + word + "' of '" + language.tag +
                                  "' is empty once normalized");
        }
        const auto [existing, inserted] =
            parser.words_.try_emplace(normalized, meaning{kind, language.tag, true});
        if (!inserted && existing->second.kind != kind) {
          return outcome::failure("keyword '" + word + "' is " + std::string(to_string(kind)) +
                                  " in '" + language.tag + "' but " +
                                  std::string(to_string(existing->second.kind)) + " in '" +
                                  existing->second.language + "'");
        }
      }
    }
    for (const auto& word : language.keywords.language) {
      auto normalized = normalize_reply(word);
      if (normalized.empty() || normalized.find(' ') != std::string::npos) {
        return outcome::failure("language command '" + word + "' of '" + language.tag +
                                "' must be one word");
      }
      parser.commands_.try_emplace(std::move(normalized), language.tag);
    }
  }

  // Names a catalog file lists: conflicts are errors the catalog must fix.
  for (const auto& language : catalog.entries()) {
    for (const auto& name : language.names) {
      auto normalized = normalize_reply(name);
      if (normalized.empty()) {
        return outcome::failure("language name '" + name + "' of '" + language.tag +
                                "' is empty once normalized");
      }
      if (parser.words_.contains(normalized)) {
        return outcome::failure("language name '" + name + "' of '" + language.tag +
                                "' is also a keyword");
      }
      const auto [existing, inserted] = parser.names_.try_emplace(
          normalized, meaning{keyword_kind::language_change, language.tag, true});
      if (!inserted && existing->second.language != language.tag) {
        return outcome::failure("language name '" + name + "' is listed by both '" +
                                existing->second.language + "' and '" + language.tag + "'");
      }
    }
  }

  // Names ICU knows: each language's own name, its English name and its names in every other
  // catalog language ("inglés" switches a Spanish speaker to English). A name two languages
  // share is ambiguous and dropped; a catalog-listed name wins over an ICU one.
  std::set<std::string> ambiguous;
  const auto add_icu_name = [&](const result<std::string>& name, const std::string& tag) {
    if (!name) {
      return;
    }
    auto normalized = normalize_reply(*name.value);
    if (normalized.empty() || ambiguous.contains(normalized) ||
        parser.words_.contains(normalized)) {
      return;
    }
    const auto [existing, inserted] =
        parser.names_.try_emplace(normalized, meaning{keyword_kind::language_change, tag, false});
    if (!inserted && existing->second.language != tag && !existing->second.from_catalog) {
      parser.names_.erase(existing);
      ambiguous.insert(std::move(normalized));
    }
  };
  for (const auto& language : catalog.entries()) {
    add_icu_name(native_display_name(language.tag), language.tag);
    add_icu_name(display_name(language.tag, "en"), language.tag);
  }
  for (const auto& language : catalog.entries()) {
    for (const auto& in : catalog.entries()) {
      if (&in != &language) {
        add_icu_name(display_name(language.tag, in.tag), language.tag);
      }
    }
  }
  return outcome::success(std::move(parser));
}

keyword_match keyword_parser::parse(std::string_view utf8_text) const {
  if (utf8_text.size() > max_keyword_reply_bytes) {
    return {};
  }
  const auto normalized = normalize_reply(utf8_text);
  if (normalized.empty()) {
    return {};
  }
  if (const auto word = words_.find(normalized); word != words_.end()) {
    return {word->second.kind, word->second.language};
  }
  if (const auto name = names_.find(normalized); name != names_.end()) {
    return {keyword_kind::language_change, name->second.language};
  }
  const auto [head, rest] = split_first_word(normalized);
  const auto command = commands_.find(head);
  if (command == commands_.end()) {
    return {};
  }
  if (const auto name = names_.find(rest); !rest.empty() && name != names_.end()) {
    return {keyword_kind::language_change, name->second.language};
  }
  if (!rest.empty()) {
    // "LANG zh-Hant", "IDIOMA es_MX": a tag, in any case (normalizing lowercased it).
    if (auto tag = canonicalize_language_tag(rest)) {
      return {keyword_kind::language_change, std::move(*tag.value)};
    }
  }
  return {keyword_kind::unknown_language, command->second};
}

}  // namespace liaison::i18n
