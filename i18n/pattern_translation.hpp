// Machine translation of ICU MessageFormat patterns (announcement bodies and subjects) without
// letting the provider break them: the pattern becomes HTML in which every argument is an empty
// <x-arg> element (providers translate text and leave markup alone), and the provider's answer
// is turned back into a pattern that must parse and use the same arguments as the original.
// Pure: the I/O (provider, cache) is the caller's. The rules are in docs/i18n.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

namespace liaison::i18n {

// A pattern taken apart for translation. segments[0] is the top-level message; every message of
// a plural, select or selectordinal option ("one {# child}") is a segment of its own, so the
// provider translates the option's words while the selectors ("one", "other", "=0") stay as they
// are. Each segment is HTML: text escaped, line breaks as <br>, each argument (and each "#" of a
// plural) replaced by <x-arg id="N"></x-arg>.
struct protected_pattern {
  // A piece of pattern syntax an <x-arg> stands for: verbatim text ("{when, date, long}", "#",
  // "{n, plural, one {"), and for an option's message, the segment to put in its place.
  struct fragment {
    std::string syntax;
    int segment = -1;  // the translated segment that follows `syntax`, or -1
  };
  struct placeholder {
    int id = 0;
    int segment = 0;  // the segment it appears in
    std::vector<fragment> fragments;
  };

  std::vector<std::string> segments;
  // False for a segment with no words to translate (only arguments, spaces and punctuation):
  // the caller sends it as it is instead of asking the provider.
  std::vector<bool> translatable;
  std::vector<placeholder> placeholders;
  // Segments inside a plural or selectordinal option, where a literal '#' must be quoted.
  std::vector<bool> in_plural;
};

// Takes a pattern apart. Fails when the pattern does not parse (intake has refused such patterns
// already, so this is a bug or a stored value from an older version).
result<protected_pattern> protect_pattern(std::string_view pattern);

// Puts a pattern back together from the provider's answers, one per segment in order (a segment
// that was not translatable may be passed back unchanged). Fails, saying why, when an answer
// lost, doubled or invented an <x-arg>, holds markup other than <x-arg> and <br>, or the result
// does not parse or does not use exactly the original's arguments in the same ways: the caller
// then treats the translation as failed.
result<std::string> restore_pattern(std::string_view original, const protected_pattern& prepared,
                                    const std::vector<std::string>& translated_segments);

// HTML from providers back to text (the five XML entities, &nbsp; and numeric character
// references; unknown entities are kept as written). Text goes to HTML with liaison::xml_escape.
std::string unescape_html(std::string_view html);

}  // namespace liaison::i18n
