// Sentences as ICU's sentence break rules for a language see them (UAX #29 plus the locale's
// exceptions): used where a catalog text is shown without its last sentence.
#pragma once

#include <string>
#include <string_view>

namespace liaison::i18n {

// `text` without its last sentence (and the spaces before it); `text` itself when it is one
// sentence. E.g. an offer without its "To accept or decline, open <link>" on the page that link
// opens.
std::string without_last_sentence(std::string_view text, std::string_view language);

}  // namespace liaison::i18n
