#include "i18n/pattern_translation.hpp"

#include <unicode/messagepattern.h>
#include <unicode/parseerr.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "i18n/message_format.hpp"
#include "support/markup.hpp"

namespace liaison::i18n {
namespace {

constexpr std::string_view placeholder_tag = "x-arg";

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

std::string placeholder_html(int id) {
  return "<" + std::string(placeholder_tag) + " id=\"" + std::to_string(id) + "\"></" +
         std::string(placeholder_tag) + ">";
}

// Whether a text has anything a translator would translate: a letter in any script.
bool has_letters(const icu::UnicodeString& text) {
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    if (u_isalpha(text.char32At(i))) {
      return true;
    }
  }
  return false;
}

// Walks a parsed pattern and writes one HTML segment per message.
class protector {
 public:
  protector(const icu::MessagePattern& parsed, const icu::UnicodeString& text,
            protected_pattern& out)
      : parsed_(parsed), text_(text), out_(out) {}

  int new_segment(bool in_plural) {
    out_.segments.emplace_back();
    out_.translatable.push_back(false);
    out_.in_plural.push_back(in_plural);
    return static_cast<int>(out_.segments.size()) - 1;
  }

  // The message starting at part `start` (a MSG_START) into `segment`.
  void message(int32_t start, int segment) {
    const int32_t limit = parsed_.getLimitPartIndex(start);
    int32_t previous = parsed_.getPart(start).getLimit();
    for (int32_t i = start + 1; i <= limit; ++i) {
      const auto& part = parsed_.getPart(i);
      literal(text_.tempSubStringBetween(previous, part.getIndex()), segment);
      previous = part.getLimit();
      switch (part.getType()) {
        case UMSGPAT_PART_TYPE_INSERT_CHAR:
          literal(icu::UnicodeString(static_cast<UChar32>(part.getValue())), segment);
          break;
        case UMSGPAT_PART_TYPE_REPLACE_NUMBER:
          add_placeholder(segment, {{"#", -1}});
          break;
        case UMSGPAT_PART_TYPE_ARG_START: {
          const int32_t arg_limit = parsed_.getLimitPartIndex(i);
          argument(i, arg_limit, segment);
          previous = parsed_.getPart(arg_limit).getLimit();
          i = arg_limit;
          break;
        }
        default:  // SKIP_SYNTAX (a quoting apostrophe), MSG_LIMIT
          break;
      }
    }
  }

 private:
  void literal(const icu::UnicodeString& text, int segment) {
    if (text.isEmpty()) {
      return;
    }
    auto html = xml_escape(to_utf8(text), markup_place::element_text);
    std::string with_breaks;
    for (const char c : html) {
      with_breaks += c == '\n' ? std::string("<br>") : std::string(1, c);
    }
    out_.segments[static_cast<std::size_t>(segment)] += with_breaks;
    if (has_letters(text)) {
      out_.translatable[static_cast<std::size_t>(segment)] = true;
    }
  }

  void add_placeholder(int segment, std::vector<protected_pattern::fragment> fragments) {
    const int id = static_cast<int>(out_.placeholders.size()) + 1;
    out_.placeholders.push_back({id, segment, std::move(fragments)});
    out_.segments[static_cast<std::size_t>(segment)] += placeholder_html(id);
  }

  // One argument: a simple one stands for itself; a plural/select keeps its syntax and has each
  // option's message translated as a segment of its own.
  void argument(int32_t start, int32_t limit, int segment) {
    const auto& part = parsed_.getPart(start);
    const auto type = part.getArgType();
    const int32_t end = parsed_.getPart(limit).getLimit();
    if (type == UMSGPAT_ARG_TYPE_NONE || type == UMSGPAT_ARG_TYPE_SIMPLE) {
      add_placeholder(segment, {{to_utf8(text_.tempSubStringBetween(part.getIndex(), end)), -1}});
      return;
    }
    const bool plural = type == UMSGPAT_ARG_TYPE_PLURAL || type == UMSGPAT_ARG_TYPE_SELECTORDINAL;
    std::vector<protected_pattern::fragment> fragments;
    // Reserve the id first so the parent's placeholder precedes its options' placeholders.
    const int id = static_cast<int>(out_.placeholders.size()) + 1;
    out_.placeholders.push_back({id, segment, {}});
    out_.segments[static_cast<std::size_t>(segment)] += placeholder_html(id);
    int32_t syntax_from = part.getIndex();
    for (int32_t i = start + 1; i < limit; ++i) {
      const auto& option = parsed_.getPart(i);
      if (option.getType() != UMSGPAT_PART_TYPE_MSG_START) {
        continue;
      }
      const int option_segment = new_segment(plural);
      fragments.push_back(
          {to_utf8(text_.tempSubStringBetween(syntax_from, option.getLimit())), option_segment});
      message(i, option_segment);
      const int32_t option_limit = parsed_.getLimitPartIndex(i);
      syntax_from = parsed_.getPart(option_limit).getIndex();
      i = option_limit;
    }
    fragments.push_back({to_utf8(text_.tempSubStringBetween(syntax_from, end)), -1});
    out_.placeholders[static_cast<std::size_t>(id - 1)].fragments = std::move(fragments);
  }

  const icu::MessagePattern& parsed_;
  const icu::UnicodeString& text_;
  protected_pattern& out_;
};

// Literal text as MessageFormat pattern text: apostrophes doubled, braces (and '#' inside a
// plural option) quoted, so a translator's "l'école" or "{" cannot change the pattern.
std::string quote_literal(std::string_view text, bool in_plural) {
  std::string out;
  for (const char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '{' || c == '}' || (c == '#' && in_plural)) {
      out += '\'';
      out += c;
      out += '\'';
    } else {
      out += c;
    }
  }
  return out;
}

std::string lowercase_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// The number in `id="12"`, `id='12'` or `id=12` of a tag's attributes, or -1.
int id_attribute(std::string_view attributes) {
  const auto at = lowercase_ascii(attributes).find("id");
  if (at == std::string::npos) {
    return -1;
  }
  std::size_t i = at + 2;
  const auto skip_spaces = [&] {
    while (i < attributes.size() && (attributes[i] == ' ' || attributes[i] == '\t')) {
      ++i;
    }
  };
  skip_spaces();
  if (i >= attributes.size() || attributes[i] != '=') {
    return -1;
  }
  ++i;
  skip_spaces();
  if (i < attributes.size() && (attributes[i] == '"' || attributes[i] == '\'')) {
    ++i;
  }
  int id = -1;
  const auto [end, ec] =
      std::from_chars(attributes.data() + i, attributes.data() + attributes.size(), id);
  (void)end;
  return ec == std::errc() ? id : -1;
}

// Turns the translated segments back into pattern text, checking the placeholders as it goes.
class restorer {
 public:
  restorer(const protected_pattern& prepared, const std::vector<std::string>& translated)
      : prepared_(prepared), translated_(translated), seen_(prepared.placeholders.size(), 0) {}

  result<std::string> segment(int index) {
    using outcome = result<std::string>;
    const auto& html = translated_[static_cast<std::size_t>(index)];
    const bool in_plural = prepared_.in_plural[static_cast<std::size_t>(index)];
    std::string out;
    std::string text;  // the text run since the last tag, still HTML
    const auto flush = [&] {
      out += quote_literal(unescape_html(text), in_plural);
      text.clear();
    };
    for (std::size_t i = 0; i < html.size();) {
      if (html[i] != '<') {
        text += html[i++];
        continue;
      }
      const auto close = html.find('>', i);
      if (close == std::string::npos) {
        return outcome::failure("the translation has an unclosed '<'");
      }
      const std::string_view tag(html.data() + i + 1, close - i - 1);
      i = close + 1;
      const auto name_end = tag.find_first_of(" \t\n/");
      const auto name = lowercase_ascii(tag.substr(0, name_end == 0 ? 1 : name_end));
      if (name == "br" || (name == "/" && lowercase_ascii(tag) == "/br")) {
        flush();
        out += '\n';
      } else if (name == placeholder_tag) {
        flush();
        const int id = id_attribute(tag.substr(name.size()));
        if (id < 1 || static_cast<std::size_t>(id) > prepared_.placeholders.size()) {
          return outcome::failure("the translation has an argument marker that was not sent");
        }
        const auto& placeholder = prepared_.placeholders[static_cast<std::size_t>(id - 1)];
        if (placeholder.segment != index || seen_[static_cast<std::size_t>(id - 1)]++ != 0) {
          return outcome::failure("the translation repeats or moves an argument");
        }
        for (const auto& fragment : placeholder.fragments) {
          out += fragment.syntax;
          if (fragment.segment >= 0) {
            auto option = segment(fragment.segment);
            if (!option) {
              return option;
            }
            out += *option.value;
          }
        }
      } else if (name == "/" && lowercase_ascii(tag) == "/" + std::string(placeholder_tag)) {
        // The closing half of a placeholder: nothing to write.
      } else {
        return outcome::failure("the translation added markup <" + std::string(tag) + ">");
      }
    }
    flush();
    return outcome::success(std::move(out));
  }

  bool every_placeholder_once() const {
    return std::ranges::all_of(seen_, [](int n) { return n == 1; });
  }

 private:
  const protected_pattern& prepared_;
  const std::vector<std::string>& translated_;
  std::vector<int> seen_;
};

std::vector<pattern_argument> sorted_arguments(std::vector<pattern_argument> arguments) {
  std::ranges::sort(arguments, {}, &pattern_argument::name);
  return arguments;
}

}  // namespace

result<protected_pattern> protect_pattern(std::string_view pattern) {
  using outcome = result<protected_pattern>;
  const auto text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(pattern.data(), static_cast<int32_t>(pattern.size())));
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  icu::MessagePattern parsed(UMSGPAT_APOS_DOUBLE_OPTIONAL, status);
  parsed.parse(text, &parse_error, status);
  if (U_FAILURE(status)) {
    return outcome::failure(std::string("the pattern does not parse: ") + u_errorName(status));
  }
  protected_pattern out;
  protector walk(parsed, text, out);
  walk.message(0, walk.new_segment(false));
  return outcome::success(std::move(out));
}

result<std::string> restore_pattern(std::string_view original, const protected_pattern& prepared,
                                    const std::vector<std::string>& translated_segments) {
  using outcome = result<std::string>;
  if (translated_segments.size() != prepared.segments.size()) {
    return outcome::failure("expected " + std::to_string(prepared.segments.size()) +
                            " translated segments, got " +
                            std::to_string(translated_segments.size()));
  }
  for (std::size_t i = 0; i < translated_segments.size(); ++i) {
    const bool blank = std::ranges::all_of(translated_segments[i], [](char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    });
    if (prepared.translatable[i] && blank) {
      return outcome::failure("the translation is empty");
    }
  }
  restorer walk(prepared, translated_segments);
  auto restored = walk.segment(0);
  if (!restored) {
    return restored;
  }
  if (!walk.every_placeholder_once()) {
    return outcome::failure("the translation lost an argument");
  }
  const auto before = analyze_pattern(original);
  const auto after = analyze_pattern(*restored.value);
  if (!after.ok) {
    return outcome::failure("the translated pattern does not parse: " + after.error);
  }
  const auto want = sorted_arguments(before.arguments);
  const auto got = sorted_arguments(after.arguments);
  const bool same =
      want.size() == got.size() && std::ranges::equal(want, got, [](const auto& a, const auto& b) {
        return a.name == b.name && a.kind == b.kind;
      });
  if (!same) {
    return outcome::failure("the translated pattern does not use the original's arguments");
  }
  return restored;
}

std::string unescape_html(std::string_view html) {
  struct named_entity {
    std::string_view name;
    std::string_view text;
  };
  // What translation services write: the XML five and the no-break space.
  constexpr std::array<named_entity, 6> named{
      {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\u00a0"}}};
  std::string out;
  out.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    const auto semicolon = html[i] == '&' ? html.find(';', i) : std::string_view::npos;
    if (semicolon == std::string_view::npos || semicolon - i > 10) {
      out += html[i++];
      continue;
    }
    const auto entity = html.substr(i + 1, semicolon - i - 1);
    std::string decoded;
    if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const auto digits = entity.substr(hex ? 2 : 1);
      UChar32 code_point = 0;
      const auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), code_point, hex ? 16 : 10);
      if (ec == std::errc() && end == digits.data() + digits.size() && code_point > 0 &&
          code_point <= 0x10FFFF && !U_IS_SURROGATE(code_point)) {
        std::array<char, U8_MAX_LENGTH> bytes{};
        int32_t length = 0;
        UBool error = false;
        U8_APPEND(reinterpret_cast<uint8_t*>(bytes.data()), length, U8_MAX_LENGTH, code_point,
                  error);
        if (!error) {
          decoded.assign(bytes.data(), static_cast<std::size_t>(length));
        }
      }
    } else {
      const auto found = std::ranges::find(named, entity, &named_entity::name);
      if (found != named.end()) {
        decoded = found->text;
      }
    }
    if (decoded.empty()) {
      out += html[i++];  // not an entity we know: keep the '&' as written
      continue;
    }
    out += decoded;
    i = semicolon + 1;
  }
  return out;
}

}  // namespace liaison::i18n
