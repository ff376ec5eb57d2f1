// ICU MessageFormat with named arguments: validating a pattern at intake (analyze_pattern) and
// rendering patterns in a guardian's locale and time zone with cached, compiled formatters
// (message_renderer). Catalog strings and staff-written announcement bodies go through the same
// code. The rules are written down in docs/i18n.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "i18n/catalog.hpp"
#include "i18n/result.hpp"

namespace liaison::i18n {

// What a pattern does with an argument, which decides the values it accepts.
enum class argument_kind {
  any,     // {name}: a string, a number, or a date (dates formatted short date + short time)
  number,  // {name, number…}, {name, plural…}, {name, selectordinal…}, {name, spellout…}
  date,    // {name, date…}, {name, time…}
  text,    // {name, select…}: the string that picks the branch
};

std::string_view to_string(argument_kind kind) noexcept;  // "any", "number", "date", "text"

struct pattern_argument {
  std::string name;
  // When the pattern uses the argument in two ways, the stricter one (e.g. "{n} and
  // {n, plural…}" is number).
  argument_kind kind = argument_kind::any;
};

// What intake tells staff about an announcement body or template.
struct pattern_analysis {
  bool ok = false;
  // Why not, with the position as a 1-based character (code point) offset: "pattern error at
  // character 17 (after 'Hello {name, plu'): …". Empty when ok.
  std::string error;
  std::size_t error_offset = 0;  // 0-based code point offset of the error, when there is one
  std::vector<pattern_argument> arguments;  // each name once, in order of first appearance

  std::vector<std::string> argument_names() const;
};

// Longest pattern accepted: far above any SMS or email body, and it keeps ICU's 32-bit offsets
// and the formatter cache bounded.
inline constexpr std::size_t max_pattern_bytes = 64 * 1024;

// Parses an ICU MessageFormat pattern (apostrophe mode "double optional", ICU's default) and
// lists its named arguments. Refuses numbered arguments ({0}: staff must name what they mean),
// argument names starting with "__" (reserved for the renderer), unknown argument types,
// invalid UTF-8 and over-long text. Cheap enough for intake; not cached.
pattern_analysis analyze_pattern(std::string_view pattern);

// One named argument value. Dates are instants; they are shown in the render target's time
// zone. Strings are UTF-8.
using argument_value =
    std::variant<std::string, std::int64_t, double, std::chrono::system_clock::time_point>;

struct message_argument {
  std::string name;
  argument_value value;
};
using message_arguments = std::vector<message_argument>;

// Where and how a message is shown.
struct render_target {
  // For catalog messages: which catalog language's pattern to use (a catalog language, as
  // message_catalog::languages() spells it). Ignored for ad-hoc patterns.
  std::string text_language;
  // The locale dates, numbers and plurals follow; usually the guardian's own tag when it is a
  // variant of text_language (es-MX for the es text), else text_language. Empty: text_language.
  std::string locale;
  // IANA time zone of the guardian ("America/Chicago"). Empty: UTC.
  std::string time_zone;
};

struct renderer_options {
  // Ad-hoc patterns (announcement bodies) are cached by text, locale and zone. When the cache
  // holds this many, it is emptied: announcements come and go, and this keeps memory bounded
  // without bookkeeping on the hot path. Catalog formats are never evicted.
  std::size_t max_cached_patterns = 4096;
};

// Formats catalog messages and ad-hoc patterns. Compiled formats (icu::MessageFormat and the
// date formats inside it, already set to the target's time zone) are cached per (pattern,
// language, locale, zone): after the first message for a language and zone, rendering builds
// no ICU formatter.
//
// Not thread-safe: keep one per worker thread (like sms_splitter). ICU's MessageFormat::format
// is const but lazily creates its plural rules and default number format inside, so one
// instance must not be used by two threads at once.
class message_renderer {
 public:
  // The catalog must outlive the renderer.
  explicit message_renderer(const message_catalog& catalog, renderer_options options = {});
  message_renderer(message_renderer&&) noexcept;
  message_renderer& operator=(message_renderer&&) noexcept;
  ~message_renderer();

  // The catalog message `key` in target.text_language. Fails when the language is not in the
  // catalog, the locale or zone is invalid, or an argument is missing or of the wrong kind
  // (the error names it). Arguments the pattern does not use are ignored.
  result<std::string> render(message_key key, const render_target& target,
                             const message_arguments& arguments);

  // An ad-hoc pattern (an announcement body, validated at intake by analyze_pattern) in
  // target.locale. Same failures, plus an invalid pattern.
  result<std::string> render_pattern(std::string_view pattern, const render_target& target,
                                     const message_arguments& arguments);

  // ICU formatters (MessageFormat, DateFormat) built so far; stays constant once every
  // (pattern, locale, zone) in use has been seen. For tests and benchmarks.
  std::size_t formatter_constructions() const noexcept;
  std::size_t cached_formats() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// Whether ICU knows the time zone id: IANA ids ("America/Chicago", "Asia/Kabul") and the legacy
// aliases ICU keeps ("CST"); config and rosters should use IANA ids.
bool is_known_time_zone(std::string_view zone);

}  // namespace liaison::i18n
