// SMS reply keywords (i18n/keywords.hpp): every inbound text from any phone goes through
// keyword_parser::parse, then decide_inbound (daemon/services/inbound_sms.hpp) turns the match
// into opt-outs and a reply. Checks that parsing is a function of the comparison form, that the
// languages it names are the catalog's, and that the decision is consistent with the keyword.
//
// Input: the text, as a family would send it.
#include "i18n/keywords.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "daemon/services/inbound_sms.hpp"
#include "fuzz/fuzz_target.hpp"
#include "i18n/language.hpp"

namespace {

using namespace liaison;

const i18n::keyword_parser& parser() {
  static const i18n::keyword_parser built = [] {
    auto r = i18n::keyword_parser::create(fuzz::catalog());
    fuzz::check(static_cast<bool>(r), "the catalog's keywords are consistent");
    return std::move(*r.value);
  }();
  return built;
}

bool is_catalog_language(const std::string& tag) {
  const auto& tags = fuzz::catalog().languages();
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fuzz::check;
  const auto text = fuzz::as_text(data, size);
  const auto match = parser().parse(text);
  const auto normalized = i18n::normalize_reply(text);
  if (text.size() > i18n::max_keyword_reply_bytes) {
    check(match.kind == i18n::keyword_kind::none, "a long reply is never a keyword");
    return 0;
  }
  check(normalized.find("  ") == std::string::npos, "inner whitespace runs become one space");
  check(normalized.empty() || (normalized.front() != ' ' && normalized.back() != ' '),
        "the comparison form has no surrounding blanks");

  switch (match.kind) {
    case i18n::keyword_kind::stop:
    case i18n::keyword_kind::stop_all:
    case i18n::keyword_kind::start:
    case i18n::keyword_kind::help:
    case i18n::keyword_kind::unknown_language:
      check(is_catalog_language(match.language), "a keyword's language is a catalog language");
      break;
    case i18n::keyword_kind::language_change: {
      // "LANG sg" may choose a language outside the catalog (docs/i18n.md), but always a
      // canonical tag, which the directory stores as the guardian's language.
      const auto canonical = i18n::canonicalize_language_tag(match.language);
      check(canonical.value == match.language, "a language change names a canonical tag");
      break;
    }
    case i18n::keyword_kind::none:
      check(match.language.empty(), "no keyword, no language");
      break;
  }

  for (const std::optional<std::string>& guardian :
       {std::optional<std::string>{}, std::optional<std::string>{"vi"}}) {
    const auto decision = services::decide_inbound(match, guardian, "en");
    check(!decision.reply_language.empty(), "there is always a language to answer in");
    check(decision.reply.has_value() == (match.kind != i18n::keyword_kind::none),
          "every keyword, and nothing else, is answered");
    for (const auto c : decision.opt_out) {
      check(std::find(decision.opt_in.begin(), decision.opt_in.end(), c) == decision.opt_in.end(),
            "a reply never opts a channel both out and in");
    }
    check(decision.new_language.has_value() == (match.kind == i18n::keyword_kind::language_change),
          "only a language change changes the language");
  }
  return 0;
}
