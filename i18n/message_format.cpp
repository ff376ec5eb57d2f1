#include "i18n/message_format.hpp"

#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/parseerr.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "i18n/language.hpp"

namespace liaison::i18n {
namespace {

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

icu::UnicodeString from_utf8(std::string_view text) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
}

// fromUTF8 silently turns bad bytes into U+FFFD; staff must hear about them instead.
bool is_valid_utf8(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, text.data(), static_cast<int32_t>(text.size()), &status);
  return status != U_INVALID_CHAR_FOUND && status != U_ILLEGAL_CHAR_FOUND;
}

std::string describe_parse_error(UErrorCode status) {
  switch (status) {
    case U_UNMATCHED_BRACES:
      return "unmatched '{' or '}'";
    case U_PATTERN_SYNTAX_ERROR:
      return "syntax error (an argument is written {name}, {name, number}, {name, date, long}, "
             "{name, plural, one {…} other {…}} or {name, select, … other {…}})";
    case U_DEFAULT_KEYWORD_MISSING:
      return "a plural or select argument needs an 'other' case";
    case U_DUPLICATE_KEYWORD:
      return "a plural or select case appears twice";
    case U_ARGUMENT_TYPE_MISMATCH:
      return "named and numbered arguments are mixed";
    case U_INDEX_OUTOFBOUNDS_ERROR:
      return "the pattern is too complex";
    default:
      return std::string("ICU error ") + u_errorName(status);
  }
}

bool is_date_type(const icu::UnicodeString& type) {
  return type.caseCompare(u"date", -1, 0) == 0 || type.caseCompare(u"time", -1, 0) == 0;
}

std::optional<argument_kind> simple_type_kind(const icu::UnicodeString& type) {
  if (is_date_type(type)) {
    return argument_kind::date;
  }
  for (const char16_t* number_type : {u"number", u"spellout", u"ordinal", u"duration"}) {
    if (type.caseCompare(number_type, -1, 0) == 0) {
      return argument_kind::number;
    }
  }
  return std::nullopt;
}

// A 1-based code point position and the text before it, for an error staff can act on.
std::string position_of(const icu::UnicodeString& pattern, int32_t utf16_offset,
                        std::size_t& code_point_offset) {
  utf16_offset = std::clamp(utf16_offset, 0, pattern.length());
  code_point_offset = static_cast<std::size_t>(pattern.countChar32(0, utf16_offset));
  const int32_t context_start = std::max(0, utf16_offset - 16);
  icu::UnicodeString before;
  pattern.extractBetween(context_start, utf16_offset, before);
  std::string out = "at character " + std::to_string(code_point_offset + 1);
  if (!before.isEmpty()) {
    out += " (after '" + to_utf8(before) + "')";
  }
  return out;
}

// A date or time argument of a pattern: where it is, and how it is to be formatted.
struct date_argument {
  int32_t start = 0;  // UTF-16 offsets of "{" and just past "}"
  int32_t limit = 0;
  icu::UnicodeString name;
  bool is_time = false;
  icu::UnicodeString style;  // trimmed: "", "short", …, "::yMMMd", or a fixed pattern
};

struct parsed_pattern {
  pattern_analysis analysis;
  std::vector<date_argument> dates;
};

struct parse_options {
  // The renderer's own rewritten patterns use the reserved "__d<n>" names.
  bool allow_reserved_names = false;
  // Intake also builds a MessageFormat to check argument styles; the renderer builds the real
  // one right after, so it skips this.
  bool check_with_message_format = true;
};

parsed_pattern parse_pattern(const icu::UnicodeString& text, parse_options options = {}) {
  parsed_pattern parsed;
  auto& analysis = parsed.analysis;
  const auto fail = [&](std::string why) {
    analysis.ok = false;
    analysis.error = std::move(why);
    analysis.arguments.clear();
    parsed.dates.clear();
    return parsed;
  };

  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  icu::MessagePattern pattern(UMSGPAT_APOS_DOUBLE_OPTIONAL, status);
  pattern.parse(text, &parse_error, status);
  if (U_FAILURE(status)) {
    const auto where = position_of(text, parse_error.offset, analysis.error_offset);
    return fail("pattern error " + where + ": " + describe_parse_error(status));
  }

  const auto add_argument = [&](std::string name, argument_kind kind,
                                int32_t offset) -> std::string {
    const auto found = std::ranges::find(analysis.arguments, name, &pattern_argument::name);
    if (found == analysis.arguments.end()) {
      analysis.arguments.push_back({std::move(name), kind});
      return {};
    }
    if (found->kind == argument_kind::any) {
      found->kind = kind;
    } else if (kind != argument_kind::any && kind != found->kind) {
      return "argument '" + name + "' " + position_of(text, offset, analysis.error_offset) +
             " is used as " + std::string(to_string(kind)) + " and elsewhere as " +
             std::string(to_string(found->kind));
    }
    return {};
  };

  const int32_t parts = pattern.countParts();
  for (int32_t i = 0; i < parts; ++i) {
    const auto& part = pattern.getPart(i);
    if (part.getType() != UMSGPAT_PART_TYPE_ARG_START) {
      continue;
    }
    const auto& name_part = pattern.getPart(i + 1);
    if (name_part.getType() == UMSGPAT_PART_TYPE_ARG_NUMBER) {
      return fail("numbered argument " + position_of(text, part.getIndex(), analysis.error_offset) +
                  ": name the argument instead ({school}, not {0})");
    }
    const auto name = to_utf8(pattern.getSubstring(name_part));
    if (name.starts_with("__") && !options.allow_reserved_names) {
      return fail("argument '" + name + "' " +
                  position_of(text, part.getIndex(), analysis.error_offset) +
                  ": names starting with '__' are reserved");
    }
    argument_kind kind = argument_kind::any;
    switch (part.getArgType()) {
      case UMSGPAT_ARG_TYPE_NONE:
        break;
      case UMSGPAT_ARG_TYPE_SIMPLE: {
        const auto type = pattern.getSubstring(pattern.getPart(i + 2));
        const auto simple = simple_type_kind(type);
        if (!simple) {
          return fail("argument '" + name + "' " +
                      position_of(text, part.getIndex(), analysis.error_offset) +
                      ": unknown type '" + to_utf8(type) +
                      "' (use number, date, time, plural, select, selectordinal or spellout)");
        }
        kind = *simple;
        if (kind == argument_kind::date) {
          date_argument date;
          date.start = part.getIndex();
          date.limit = pattern.getPart(pattern.getLimitPartIndex(i)).getLimit();
          // getSubstring returns a read-only alias of the MessagePattern's buffer, which dies
          // with it; copy-assigning from an lvalue makes a real copy (moving would keep the alias).
          date.name = from_utf8(name);
          date.is_time = type.caseCompare(u"time", -1, 0) == 0;
          const auto& style_part = pattern.getPart(i + 3);
          if (style_part.getType() == UMSGPAT_PART_TYPE_ARG_STYLE) {
            const auto style_alias = pattern.getSubstring(style_part);
            date.style = style_alias;
            date.style.trim();
          }
          parsed.dates.push_back(std::move(date));
        }
        break;
      }
      case UMSGPAT_ARG_TYPE_SELECT:
        kind = argument_kind::text;
        break;
      case UMSGPAT_ARG_TYPE_PLURAL:
      case UMSGPAT_ARG_TYPE_SELECTORDINAL:
      case UMSGPAT_ARG_TYPE_CHOICE:
        kind = argument_kind::number;
        break;
    }
    if (auto why = add_argument(name, kind, part.getIndex()); !why.empty()) {
      return fail(std::move(why));
    }
  }

  analysis.ok = true;
  if (!options.check_with_message_format) {
    return parsed;
  }
  // MessagePattern checks the syntax; building a MessageFormat also checks what is inside an
  // argument (number skeletons, date patterns). Dates are checked again when compiled.
  UParseError format_error{};
  status = U_ZERO_ERROR;
  const icu::MessageFormat format(text, icu::Locale::getEnglish(), format_error, status);
  if (U_FAILURE(status)) {
    const auto where = position_of(text, format_error.offset, analysis.error_offset);
    return fail("pattern error " + where + ": ICU cannot format it (" + u_errorName(status) + ")");
  }
  return parsed;
}

double to_udate(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double, std::milli>(when.time_since_epoch()).count();
}

std::unique_ptr<icu::DateFormat> make_date_format(const date_argument& date,
                                                  const icu::Locale& locale, UErrorCode& status) {
  std::unique_ptr<icu::DateFormat> format;
  const auto& style = date.style;
  const auto style_is = [&style](const char16_t* keyword) {
    return style.caseCompare(keyword, -1, 0) == 0;
  };
  if (style.startsWith(u"::")) {
    format.reset(
        icu::DateFormat::createInstanceForSkeleton(style.tempSubString(2), locale, status));
  } else if (style.isEmpty() || style_is(u"short") || style_is(u"medium") || style_is(u"long") ||
             style_is(u"full")) {
    auto named = icu::DateFormat::kDefault;
    if (style_is(u"short")) {
      named = icu::DateFormat::kShort;
    } else if (style_is(u"long")) {
      named = icu::DateFormat::kLong;
    } else if (style_is(u"full")) {
      named = icu::DateFormat::kFull;
    }
    format.reset(date.is_time ? icu::DateFormat::createTimeInstance(named, locale)
                              : icu::DateFormat::createDateInstance(named, locale));
  } else {
    format = std::make_unique<icu::SimpleDateFormat>(style, locale, status);
  }
  if (U_FAILURE(status) || !format) {
    if (U_SUCCESS(status)) {
      status = U_MEMORY_ALLOCATION_ERROR;
    }
    return nullptr;
  }
  return format;
}

// One pattern compiled for one locale and time zone. Date and time arguments are cut out of
// the pattern and formatted by date formats set to the zone, because ICU's MessageFormat
// builds its own date formats in the process-wide default zone and only lets top-level ones be
// replaced (not those inside a plural or select).
struct compiled_format {
  std::unique_ptr<icu::MessageFormat> format;
  std::vector<pattern_argument> arguments;  // of the pattern as written
  std::vector<bool> passed_through;         // per argument: still in the rewritten pattern
  // A date format and the last instant it formatted: the deliveries of one announcement share
  // their dates, so within a (pattern, locale, zone) the same instant comes back again and again
  // and its text is reused instead of formatted anew (date formatting is most of a render).
  struct memoized_date_format {
    std::unique_ptr<icu::DateFormat> format;
    std::optional<UDate> last_instant;
    icu::UnicodeString last_text;

    const icu::UnicodeString& text_of(UDate instant) {
      if (last_instant != instant) {
        last_text.remove();
        format->format(instant, last_text);
        last_instant = instant;
      }
      return last_text;
    }
  };
  struct date_slot {
    std::size_t argument = 0;  // index into arguments
    memoized_date_format format;
  };
  std::vector<date_slot> dates;
  // ICU names, in the order values are passed: arguments passed through, then "__d<n>".
  std::vector<icu::UnicodeString> icu_names;
  std::vector<std::size_t> icu_name_argument;  // for each passed-through name: its argument
  // For a date given to a plain {name}: short date and time. Built on first use.
  memoized_date_format plain_date_format;
  icu::Locale locale;
  std::unique_ptr<icu::TimeZone> zone;

  // Rendering by splicing. A string given to a plain {name} changes nothing ICU decides (no
  // plural, select or format looks at it; ICU copies it as is), so the message is formatted
  // once with a private-use marker in place of each such string, cut at the markers, and each
  // later message with the same other values is the pieces joined with its own strings. In a
  // fan-out only the guardian's and students' names differ from one delivery to the next, so
  // ICU runs once per language and zone instead of once per delivery.
  bool can_splice = false;  // the pattern has no private-use characters of its own
  struct spliced_text {
    bool valid = false;
    std::vector<bool> spliced;                 // per argument: put in a marker's place
    std::vector<argument_value> other_values;  // per argument not spliced: its value
    std::vector<std::string> pieces;           // text around the markers (markers.size() + 1)
    std::vector<std::size_t> markers;          // per marker, in order: its argument
    // When the other values change on every message (a count per recipient), rebuilding costs
    // more than formatting; so after a rebuild that was never reused, only every
    // `rebuild_every`th miss rebuilds, the others format directly.
    std::size_t reuses = 0;
    std::size_t misses = 0;
    static constexpr std::size_t rebuild_every = 16;
  } splice;
};

// The markers: one private-use code point per argument.
constexpr UChar32 first_splice_marker = 0xE000;
constexpr UChar32 last_splice_marker = 0xF8FF;

bool has_private_use(const icu::UnicodeString& text) {
  for (int32_t i = 0; i < text.length(); ++i) {
    const auto c = text.charAt(i);
    if (c >= first_splice_marker && c <= last_splice_marker) {
      return true;
    }
  }
  return false;
}

std::string_view kind_of(const argument_value& value) {
  switch (value.index()) {
    case 0:
      return "a string";
    case 1:
    case 2:
      return "a number";
    default:
      return "a date";
  }
}

bool accepts(argument_kind kind, const argument_value& value) {
  switch (kind) {
    case argument_kind::any:
      return true;
    case argument_kind::number:
      return std::holds_alternative<std::int64_t>(value) || std::holds_alternative<double>(value);
    case argument_kind::date:
      return std::holds_alternative<std::chrono::system_clock::time_point>(value);
    case argument_kind::text:
      return std::holds_alternative<std::string>(value);
  }
  return false;
}

}  // namespace

std::string_view to_string(argument_kind kind) noexcept {
  switch (kind) {
    case argument_kind::any:
      return "any";
    case argument_kind::number:
      return "number";
    case argument_kind::date:
      return "date";
    case argument_kind::text:
      return "text";
  }
  return "any";
}

std::vector<std::string> pattern_analysis::argument_names() const {
  std::vector<std::string> names;
  names.reserve(arguments.size());
  for (const auto& argument : arguments) {
    names.push_back(argument.name);
  }
  return names;
}

pattern_analysis analyze_pattern(std::string_view pattern) {
  if (pattern.size() > max_pattern_bytes) {
    pattern_analysis analysis;
    analysis.error = "pattern is longer than " + std::to_string(max_pattern_bytes) + " bytes";
    return analysis;
  }
  if (!is_valid_utf8(pattern)) {
    pattern_analysis analysis;
    analysis.error = "pattern is not valid UTF-8";
    return analysis;
  }
  return parse_pattern(from_utf8(pattern)).analysis;
}

bool is_known_time_zone(std::string_view zone) {
  if (zone.empty()) {
    return false;
  }
  const std::unique_ptr<icu::TimeZone> parsed(icu::TimeZone::createTimeZone(from_utf8(zone)));
  icu::UnicodeString id;
  return parsed && parsed->getID(id) != icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID);
}

struct message_renderer::state {
  const message_catalog* catalog = nullptr;
  renderer_options options;
  using cache = std::unordered_map<std::string, std::unique_ptr<compiled_format>>;
  cache catalog_formats;
  cache pattern_formats;
  std::size_t constructions = 0;
  // Reused for every message so a cache hit allocates only for the argument values and the
  // output.
  std::string key;
  std::vector<icu::Formattable> values;
  std::vector<const argument_value*> found;

  result<std::unique_ptr<compiled_format>> compile(std::string_view pattern_text,
                                                   std::string_view locale_tag,
                                                   std::string_view zone_id);
  // Checks the arguments against the pattern (filling `found`), then formats.
  result<std::string> format(compiled_format& compiled, const message_arguments& arguments);
  // Whether argument i's value can be spliced in (compiled_format::can_splice).
  bool spliceable(const compiled_format& compiled, std::size_t i) const;
  result<std::string> format_spliced(compiled_format& compiled);
  // Runs ICU on the `found` values, with a marker for each argument as_marker says (empty: none).
  // Returns why it failed, if it did.
  std::optional<std::string> format_with_icu(compiled_format& compiled,
                                             const std::vector<bool>& as_marker,
                                             icu::UnicodeString& out);
};

result<std::unique_ptr<compiled_format>> message_renderer::state::compile(
    std::string_view pattern_text, std::string_view locale_tag, std::string_view zone_id) {
  using outcome = result<std::unique_ptr<compiled_format>>;
  auto canonical = canonicalize_language_tag(locale_tag);
  if (!canonical) {
    return outcome::failure("locale: " + canonical.error);
  }
  if (!zone_id.empty() && !is_known_time_zone(zone_id)) {
    return outcome::failure("unknown time zone '" + std::string(zone_id) + "'");
  }
  if (pattern_text.size() > max_pattern_bytes || !is_valid_utf8(pattern_text)) {
    return outcome::failure(analyze_pattern(pattern_text).error);
  }
  const auto text = from_utf8(pattern_text);
  auto parsed =
      parse_pattern(text, {.allow_reserved_names = false, .check_with_message_format = false});
  if (!parsed.analysis.ok) {
    return outcome::failure(std::move(parsed.analysis.error));
  }

  auto compiled = std::make_unique<compiled_format>();
  UErrorCode status = U_ZERO_ERROR;
  compiled->locale = icu::Locale::forLanguageTag(*canonical.value, status);
  compiled->zone.reset(icu::TimeZone::createTimeZone(zone_id.empty() ? icu::UnicodeString(u"UTC")
                                                                     : from_utf8(zone_id)));
  compiled->arguments = std::move(parsed.analysis.arguments);
  compiled->can_splice = !has_private_use(text) &&
                         compiled->arguments.size() <=
                             static_cast<std::size_t>(last_splice_marker - first_splice_marker);

  // Cut each date argument out, leaving a plain {__d<n>} to receive its formatted text.
  icu::UnicodeString rewritten;
  int32_t copied = 0;
  std::vector<icu::UnicodeString> date_names;
  for (std::size_t n = 0; n < parsed.dates.size(); ++n) {
    const auto& date = parsed.dates[n];
    rewritten.append(text, copied, date.start - copied);
    icu::UnicodeString slot_name(u"__d");
    slot_name.append(from_utf8(std::to_string(n)));
    rewritten.append(u'{').append(slot_name).append(u'}');
    copied = date.limit;
    date_names.push_back(slot_name);

    status = U_ZERO_ERROR;
    auto date_format = make_date_format(date, compiled->locale, status);
    ++constructions;
    if (!date_format) {
      return outcome::failure("argument '" + to_utf8(date.name) + "': invalid date style '" +
                              to_utf8(date.style) + "' (" + u_errorName(status) + ")");
    }
    date_format->setTimeZone(*compiled->zone);
    const auto argument_index = static_cast<std::size_t>(
        std::ranges::find(compiled->arguments, to_utf8(date.name), &pattern_argument::name) -
        compiled->arguments.begin());
    compiled->dates.push_back({argument_index, {std::move(date_format), std::nullopt, {}}});
  }
  rewritten.append(text, copied, text.length() - copied);

  // Which arguments still appear after the cut (used outside a date argument too).
  const auto remaining =
      parse_pattern(rewritten, {.allow_reserved_names = true, .check_with_message_format = false})
          .analysis.arguments;
  compiled->passed_through.assign(compiled->arguments.size(), false);
  for (std::size_t i = 0; i < compiled->arguments.size(); ++i) {
    if (std::ranges::find(remaining, compiled->arguments[i].name, &pattern_argument::name) !=
        remaining.end()) {
      compiled->passed_through[i] = true;
      compiled->icu_names.push_back(from_utf8(compiled->arguments[i].name));
      compiled->icu_name_argument.push_back(i);
    }
  }
  for (auto& name : date_names) {
    compiled->icu_names.push_back(std::move(name));
  }

  UParseError parse_error{};
  status = U_ZERO_ERROR;
  compiled->format =
      std::make_unique<icu::MessageFormat>(rewritten, compiled->locale, parse_error, status);
  ++constructions;
  if (U_FAILURE(status)) {
    return outcome::failure(std::string("ICU cannot compile the pattern: ") + u_errorName(status));
  }
  return outcome::success(std::move(compiled));
}

result<std::string> message_renderer::state::format(compiled_format& compiled,
                                                    const message_arguments& arguments) {
  using outcome = result<std::string>;
  // ICU prints a missing argument as "{name}" and carries on; a family must never see that.
  found.assign(compiled.arguments.size(), nullptr);
  for (std::size_t i = 0; i < compiled.arguments.size(); ++i) {
    const auto& wanted = compiled.arguments[i];
    const auto given = std::ranges::find(arguments, wanted.name, &message_argument::name);
    if (given == arguments.end()) {
      return outcome::failure("missing argument '" + wanted.name + "'");
    }
    if (!accepts(wanted.kind, given->value)) {
      return outcome::failure("argument '" + wanted.name + "' must be " +
                              (wanted.kind == argument_kind::text
                                   ? std::string("a string")
                                   : "a " + std::string(to_string(wanted.kind))) +
                              ", got " + std::string(kind_of(given->value)));
    }
    found[i] = &given->value;
  }

  if (compiled.can_splice) {
    return format_spliced(compiled);
  }
  icu::UnicodeString out;
  if (auto failed = format_with_icu(compiled, {}, out)) {
    return outcome::failure(std::move(*failed));
  }
  return outcome::success(to_utf8(out));
}

bool message_renderer::state::spliceable(const compiled_format& compiled, std::size_t i) const {
  return compiled.arguments[i].kind == argument_kind::any && compiled.passed_through[i] &&
         std::holds_alternative<std::string>(*found[i]);
}

result<std::string> message_renderer::state::format_spliced(compiled_format& compiled) {
  using outcome = result<std::string>;
  auto& splice = compiled.splice;
  const std::size_t count = compiled.arguments.size();
  bool reusable = splice.valid;
  for (std::size_t i = 0; i < count && reusable; ++i) {
    reusable = splice.spliced[i] ? spliceable(compiled, i) : splice.other_values[i] == *found[i];
  }
  if (!reusable && splice.valid && splice.reuses == 0 &&
      ++splice.misses % compiled_format::spliced_text::rebuild_every != 0) {
    icu::UnicodeString out;
    if (auto failed = format_with_icu(compiled, {}, out)) {
      return outcome::failure(std::move(*failed));
    }
    return outcome::success(to_utf8(out));
  }
  if (reusable) {
    ++splice.reuses;
  } else {
    splice.valid = false;
    splice.reuses = 0;
    splice.misses = 0;
    splice.spliced.assign(count, false);
    splice.other_values.assign(count, argument_value{});
    for (std::size_t i = 0; i < count; ++i) {
      splice.spliced[i] = spliceable(compiled, i);
      if (!splice.spliced[i]) {
        splice.other_values[i] = *found[i];
      }
    }
    icu::UnicodeString out;
    if (auto failed = format_with_icu(compiled, splice.spliced, out)) {
      return outcome::failure(std::move(*failed));
    }
    splice.pieces.clear();
    splice.markers.clear();
    int32_t piece_start = 0;
    for (int32_t at = 0; at < out.length(); ++at) {
      const UChar32 c = out.charAt(at);
      if (c < first_splice_marker || c > last_splice_marker) {
        continue;
      }
      splice.pieces.push_back(to_utf8(out.tempSubStringBetween(piece_start, at)));
      splice.markers.push_back(static_cast<std::size_t>(c - first_splice_marker));
      piece_start = at + 1;
    }
    splice.pieces.push_back(to_utf8(out.tempSubString(piece_start)));
    splice.valid = true;
  }

  std::size_t length = 0;
  for (const auto& piece : splice.pieces) {
    length += piece.size();
  }
  for (const auto marker : splice.markers) {
    length += std::get<std::string>(*found[marker]).size();
  }
  std::string text;
  text.reserve(length);
  for (std::size_t n = 0; n < splice.markers.size(); ++n) {
    text += splice.pieces[n];
    text += std::get<std::string>(*found[splice.markers[n]]);
  }
  text += splice.pieces.back();
  return outcome::success(std::move(text));
}

std::optional<std::string> message_renderer::state::format_with_icu(
    compiled_format& compiled, const std::vector<bool>& as_marker, icu::UnicodeString& out) {
  values.clear();
  for (const std::size_t i : compiled.icu_name_argument) {
    const auto& value = *found[i];
    if (!as_marker.empty() && as_marker[i]) {
      values.emplace_back(icu::UnicodeString(first_splice_marker + static_cast<UChar32>(i)));
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      values.emplace_back(from_utf8(*text));
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      values.emplace_back(static_cast<int64_t>(*integer));
    } else if (const auto* real = std::get_if<double>(&value)) {
      values.emplace_back(*real);
    } else {
      auto& plain = compiled.plain_date_format;
      if (!plain.format) {
        plain.format.reset(icu::DateFormat::createDateTimeInstance(
            icu::DateFormat::kShort, icu::DateFormat::kShort, compiled.locale));
        ++constructions;
        if (!plain.format) {
          return std::string("ICU cannot build a date format");
        }
        plain.format->setTimeZone(*compiled.zone);
      }
      values.emplace_back(
          plain.text_of(to_udate(std::get<std::chrono::system_clock::time_point>(value))));
    }
  }
  for (auto& date : compiled.dates) {
    values.emplace_back(date.format.text_of(
        to_udate(std::get<std::chrono::system_clock::time_point>(*found[date.argument]))));
  }

  UErrorCode status = U_ZERO_ERROR;
  compiled.format->format(compiled.icu_names.data(), values.data(),
                          static_cast<int32_t>(values.size()), out, status);
  if (U_FAILURE(status)) {
    return std::string("ICU cannot format the message: ") + u_errorName(status);
  }
  return std::nullopt;
}

message_renderer::message_renderer(const message_catalog& catalog, renderer_options options)
    : state_(std::make_unique<state>()) {
  state_->catalog = &catalog;
  state_->options = options;
}
message_renderer::message_renderer(message_renderer&&) noexcept = default;
message_renderer& message_renderer::operator=(message_renderer&&) noexcept = default;
message_renderer::~message_renderer() = default;

result<std::string> message_renderer::render(message_key key, const render_target& target,
                                             const message_arguments& arguments) {
  using outcome = result<std::string>;
  const std::string_view locale = target.locale.empty() ? target.text_language : target.locale;
  auto& cache_key = state_->key;
  cache_key.assign(to_string(key));
  cache_key.append(1, '\x1f').append(target.text_language);
  cache_key.append(1, '\x1f').append(locale);
  cache_key.append(1, '\x1f').append(target.time_zone);

  auto found = state_->catalog_formats.find(cache_key);
  if (found == state_->catalog_formats.end()) {
    const auto* language = state_->catalog->find(target.text_language);
    if (language == nullptr) {
      return outcome::failure("language '" + target.text_language + "' is not in the catalog");
    }
    auto compiled = state_->compile(language->patterns[static_cast<std::size_t>(key)], locale,
                                    target.time_zone);
    if (!compiled) {
      return outcome::failure(std::string(to_string(key)) + ": " + compiled.error);
    }
    found = state_->catalog_formats.emplace(cache_key, std::move(*compiled.value)).first;
  }
  auto rendered = state_->format(*found->second, arguments);
  if (!rendered) {
    return outcome::failure(std::string(to_string(key)) + ": " + rendered.error);
  }
  return rendered;
}

result<std::string> message_renderer::render_pattern(std::string_view pattern,
                                                     const render_target& target,
                                                     const message_arguments& arguments) {
  using outcome = result<std::string>;
  const std::string_view locale = target.locale.empty() ? target.text_language : target.locale;
  auto& cache_key = state_->key;
  cache_key.assign(locale);
  cache_key.append(1, '\x1f').append(target.time_zone);
  cache_key.append(1, '\x1f').append(pattern);

  auto found = state_->pattern_formats.find(cache_key);
  if (found == state_->pattern_formats.end()) {
    if (locale.empty()) {
      return outcome::failure("no locale to render in");
    }
    auto compiled = state_->compile(pattern, locale, target.time_zone);
    if (!compiled) {
      return outcome::failure(std::move(compiled.error));
    }
    if (state_->pattern_formats.size() >= state_->options.max_cached_patterns) {
      state_->pattern_formats.clear();
    }
    found = state_->pattern_formats.emplace(cache_key, std::move(*compiled.value)).first;
  }
  return state_->format(*found->second, arguments);
}

std::size_t message_renderer::formatter_constructions() const noexcept {
  return state_->constructions;
}

std::size_t message_renderer::cached_formats() const noexcept {
  return state_->catalog_formats.size() + state_->pattern_formats.size();
}

}  // namespace liaison::i18n
