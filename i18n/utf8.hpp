// UTF-8 checks for text that comes from outside through a channel other than JSON (form-encoded
// provider callbacks, query strings): ICU decides what is well-formed (no overlong forms,
// surrogates, truncated sequences or code points above U+10FFFF). JSON bodies need none of this:
// Boost.JSON refuses invalid UTF-8 itself.
#pragma once

#include <string>
#include <string_view>

namespace liaison::i18n {

bool is_valid_utf8(std::string_view text);

// `text` with each ill-formed sequence replaced by U+FFFD, for text that must be kept anyway
// (an SMSC's error message in a delivery report).
std::string repair_utf8(std::string_view text);

}  // namespace liaison::i18n
