#include "i18n/language.hpp"

#include <unicode/localematcher.h>
#include <unicode/locdspnm.h>
#include <unicode/locid.h>
#include <unicode/uloc.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

namespace liaison::i18n {
namespace {

// Languages whose own names ICU 72 (CLDR 42) lacks, so that native_display_name would answer in
// another language: ICU has no Haitian Creole data and `ht` inherits from fr_HT ("créole
// haïtien", French); it has no Hmong data at all and answers "Hmong" (English). Both are among
// the most common home languages of US English learners, so Liaison names them itself. A
// language listed here is also accepted by canonicalize_language_tag even if a future ICU drops
// its English name. Add an entry only with a name a native speaker has confirmed.
struct own_language {
  std::string_view language;  // ISO 639 code, as ICU canonicalizes it
  std::string_view native_name;
};
constexpr std::array own_languages{
    own_language{"ht", "Kreyòl ayisyen"},
    own_language{"hmn", "Hmoob"},
};

std::optional<std::string_view> own_native_name(std::string_view language) {
  for (const auto& entry : own_languages) {
    if (entry.language == language) {
      return entry.native_name;
    }
  }
  return std::nullopt;
}

// A tag as it may be quoted in an error message: bytes outside printable ASCII are escaped so
// a garbage tag from a roster cannot garble a log line or a JSON answer.
std::string quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      std::array<char, 5> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\x%02X", static_cast<unsigned>(byte));
      out += escaped.data();
    }
  }
  out += '\'';
  return out;
}

std::string_view trim_blanks(std::string_view text) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

// ICU answers a display-name request it has no data for with the code itself, which is how we
// tell a subtag ICU knows ("Spanish", "Mexico", "Traditional Han") from one it does not.
bool has_english_name(const icu::UnicodeString& name, std::string_view code) {
  return name != icu::UnicodeString::fromUTF8(
                     icu::StringPiece(code.data(), static_cast<int32_t>(code.size())));
}

std::string bcp47(const icu::Locale& locale) {
  UErrorCode status = U_ZERO_ERROR;
  auto tag = locale.toLanguageTag<std::string>(status);
  return U_SUCCESS(status) ? tag : std::string{};
}

// Parses, canonicalizes and validates a tag (the rule is in canonicalize_language_tag's comment
// and docs/i18n.md).
result<icu::Locale> parse_language_tag(std::string_view tag) {
  using outcome = result<icu::Locale>;
  const std::string_view trimmed = trim_blanks(tag);
  if (trimmed.empty()) {
    return outcome::failure("language tag is empty");
  }
  if (trimmed.size() > max_language_tag_length) {
    return outcome::failure("language tag " + quoted(trimmed.substr(0, max_language_tag_length)) +
                            "… is longer than " + std::to_string(max_language_tag_length) +
                            " characters");
  }
  std::string text(trimmed);
  std::ranges::replace(text, '_', '-');

  UErrorCode status = U_ZERO_ERROR;
  // forLanguageTag fails unless the whole string parses, so "es-MX-?" is not silently "es-MX".
  icu::Locale locale = icu::Locale::forLanguageTag(text, status);
  if (U_FAILURE(status) || locale.isBogus()) {
    return outcome::failure("language tag " + quoted(trimmed) + " is not a well-formed BCP 47 tag");
  }
  locale.canonicalize(status);  // UTS #35: aliases (iw → he, tl → fil, prs → fa-AF), case
  if (U_FAILURE(status) || locale.isBogus()) {
    return outcome::failure("language tag " + quoted(trimmed) + " cannot be canonicalized");
  }

  const std::string_view language = locale.getLanguage();
  if (language.empty()) {  // "und", "x-private"
    return outcome::failure("language tag " + quoted(trimmed) + " names no language");
  }
  const icu::Locale& english = icu::Locale::getEnglish();
  icu::UnicodeString name;
  if (!own_native_name(language) &&
      !has_english_name(locale.getDisplayLanguage(english, name), language)) {
    return outcome::failure("language tag " + quoted(trimmed) + ": unknown language '" +
                            std::string(language) + "'");
  }
  const std::string_view script = locale.getScript();
  if (!script.empty() && !has_english_name(locale.getDisplayScript(english, name), script)) {
    return outcome::failure("language tag " + quoted(trimmed) + ": unknown script '" +
                            std::string(script) + "'");
  }
  const std::string_view region = locale.getCountry();
  if (!region.empty() && !has_english_name(locale.getDisplayCountry(english, name), region)) {
    return outcome::failure("language tag " + quoted(trimmed) + ": unknown region '" +
                            std::string(region) + "'");
  }
  // ICU drops a "yes" or "true" value from every extension, as UTS #35 says for -u- keys only:
  // "pal-y-yes" would become "pal-y", which is not a tag. The canonical form must read back.
  const auto canonical = bcp47(locale);
  UErrorCode reread = U_ZERO_ERROR;
  if (canonical.empty() || icu::Locale::forLanguageTag(canonical, reread).isBogus() ||
      U_FAILURE(reread)) {
    return outcome::failure("language tag " + quoted(trimmed) + " has no BCP 47 form");
  }
  return outcome::success(std::move(locale));
}

std::string likely_script(const icu::Locale& locale) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale maximized(locale);
  maximized.addLikelySubtags(status);
  return U_SUCCESS(status) ? maximized.getScript() : "";
}

// The fallback chain without the district default (see fallback_chain in the header).
std::vector<std::string> chain_of(const icu::Locale& requested) {
  std::vector<std::string> chain;
  const auto add = [&chain](const icu::Locale& locale) {
    auto tag = bcp47(locale);
    if (!tag.empty() && std::ranges::find(chain, tag) == chain.end()) {
      chain.push_back(std::move(tag));
    }
  };
  add(requested);
  const icu::Locale base(requested.getBaseName());  // without extensions (-u-…, -x-…)
  add(base);

  const std::string language = requested.getLanguage();
  const bool script_given = *requested.getScript() != '\0';
  const std::string implied_script = likely_script(base);
  std::string id = base.getBaseName();
  for (;;) {
    std::array<char, ULOC_FULLNAME_CAPACITY> parent{};
    UErrorCode status = U_ZERO_ERROR;
    uloc_getParent(id.c_str(), parent.data(), static_cast<int32_t>(parent.size()), &status);
    if (U_FAILURE(status) || parent[0] == '\0' || id == parent.data()) {
      break;
    }
    const icu::Locale parent_locale(parent.data());
    const bool bare_language =
        *parent_locale.getScript() == '\0' && *parent_locale.getCountry() == '\0';
    // Dropping to the bare language would lose a script the region implied (zh-TW is written in
    // Hant, bare zh in Hans): try language-script first.
    if (bare_language && !script_given && !implied_script.empty() &&
        implied_script != likely_script(icu::Locale(language.c_str()))) {
      add(icu::Locale((language + "_" + implied_script).c_str()));
    }
    add(parent_locale);
    id = parent.data();
  }
  return chain;
}

result<std::string> name_of(const icu::Locale& locale, const icu::Locale& in) {
  std::unique_ptr<icu::LocaleDisplayNames> names(
      icu::LocaleDisplayNames::createInstance(in, ULDN_DIALECT_NAMES));
  if (!names) {
    return result<std::string>::failure("ICU could not load display names");
  }
  icu::UnicodeString name;
  names->localeDisplayName(icu::Locale(locale.getBaseName()), name);
  return result<std::string>::success(to_utf8(name));
}

}  // namespace

result<std::string> canonicalize_language_tag(std::string_view tag) {
  auto parsed = parse_language_tag(tag);
  if (!parsed) {
    return result<std::string>::failure(std::move(parsed.error));
  }
  return result<std::string>::success(bcp47(*parsed.value));
}

result<std::vector<std::string>> fallback_chain(std::string_view tag,
                                                std::string_view district_default) {
  using outcome = result<std::vector<std::string>>;
  auto requested = parse_language_tag(tag);
  if (!requested) {
    return outcome::failure(std::move(requested.error));
  }
  auto fallback = parse_language_tag(district_default);
  if (!fallback) {
    return outcome::failure("district default: " + fallback.error);
  }
  auto chain = chain_of(*requested.value);
  auto last = bcp47(*fallback.value);
  if (std::ranges::find(chain, last) == chain.end()) {
    chain.push_back(std::move(last));
  }
  return outcome::success(std::move(chain));
}

language_matcher::language_matcher() = default;
language_matcher::language_matcher(language_matcher&&) noexcept = default;
language_matcher& language_matcher::operator=(language_matcher&&) noexcept = default;
language_matcher::~language_matcher() = default;

result<language_matcher> language_matcher::create(const std::vector<std::string>& available,
                                                  std::string_view district_default) {
  using outcome = result<language_matcher>;
  language_matcher matcher;
  auto fallback = parse_language_tag(district_default);
  if (!fallback) {
    return outcome::failure("district default: " + fallback.error);
  }
  matcher.district_default_ = bcp47(*fallback.value);

  std::vector<icu::Locale> locales;
  locales.reserve(available.size());
  for (const auto& tag : available) {
    auto parsed = parse_language_tag(tag);
    if (!parsed) {
      return outcome::failure("available language: " + parsed.error);
    }
    matcher.available_.push_back(tag);
    matcher.canonical_available_.push_back(bcp47(*parsed.value));
    locales.push_back(std::move(*parsed.value));
  }

  UErrorCode status = U_ZERO_ERROR;
  icu::LocaleMatcher::Builder builder;
  // No default locale: "nothing close enough" must be visible so we can use the district default.
  builder.setSupportedLocales(locales.begin(), locales.end()).setNoDefaultLocale();
  auto built = builder.build(status);
  if (U_FAILURE(status)) {
    return outcome::failure(std::string("ICU could not build a language matcher: ") +
                            u_errorName(status));
  }
  matcher.matcher_ = std::make_unique<icu::LocaleMatcher>(std::move(built));
  return outcome::success(std::move(matcher));
}

result<std::string> language_matcher::best(std::string_view requested) const {
  auto parsed = parse_language_tag(requested);
  if (!parsed) {
    return result<std::string>::failure(std::move(parsed.error));
  }
  for (const auto& candidate : chain_of(*parsed.value)) {
    const auto found = std::ranges::find(canonical_available_, candidate);
    if (found != canonical_available_.end()) {
      return result<std::string>::success(
          available_[static_cast<std::size_t>(found - canonical_available_.begin())]);
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  const auto match = matcher_->getBestMatchResult(*parsed.value, status);
  if (U_SUCCESS(status) && match.getSupportedIndex() >= 0) {
    return result<std::string>::success(
        available_[static_cast<std::size_t>(match.getSupportedIndex())]);
  }
  return result<std::string>::success(district_default_);
}

result<std::string> best_available_language(std::string_view requested,
                                            const std::vector<std::string>& available,
                                            std::string_view district_default) {
  auto matcher = language_matcher::create(available, district_default);
  if (!matcher) {
    return result<std::string>::failure(std::move(matcher.error));
  }
  return matcher.value->best(requested);
}

result<std::string> native_display_name(std::string_view tag) {
  auto parsed = parse_language_tag(tag);
  if (!parsed) {
    return result<std::string>::failure(std::move(parsed.error));
  }
  if (const auto own = own_native_name(parsed.value->getLanguage())) {
    return result<std::string>::success(std::string(*own));
  }
  return name_of(*parsed.value, *parsed.value);
}

result<std::string> display_name(std::string_view tag, std::string_view in_language) {
  auto parsed = parse_language_tag(tag);
  if (!parsed) {
    return result<std::string>::failure(std::move(parsed.error));
  }
  auto in = parse_language_tag(in_language);
  if (!in) {
    return result<std::string>::failure("display language: " + in.error);
  }
  const std::string_view language = parsed.value->getLanguage();
  if (language == in.value->getLanguage()) {
    if (const auto own = own_native_name(language)) {
      return result<std::string>::success(std::string(*own));
    }
  }
  return name_of(*parsed.value, *in.value);
}

bool is_right_to_left(std::string_view tag) {
  const auto parsed = parse_language_tag(tag);
  return parsed && parsed.value->isRightToLeft();
}

}  // namespace liaison::i18n
