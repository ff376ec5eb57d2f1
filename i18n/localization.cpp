#include "i18n/localization.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "i18n/language.hpp"

namespace liaison::i18n {
namespace {

// The language subtag of a canonical tag ("zh" of "zh-Hant-TW").
std::string_view language_of(std::string_view canonical_tag) {
  return canonical_tag.substr(0, canonical_tag.find('-'));
}

// A list of tags as given, with their canonical forms.
struct language_list {
  std::vector<std::string> given;
  std::vector<std::string> canonical;
};

result<language_list> canonical_list(const std::vector<std::string>& tags, std::string_view what) {
  language_list list;
  for (const auto& tag : tags) {
    auto canonical = canonicalize_language_tag(tag);
    if (!canonical) {
      return result<language_list>::failure(std::string(what) + ": " + canonical.error);
    }
    list.given.push_back(tag);
    list.canonical.push_back(std::move(*canonical.value));
  }
  return result<language_list>::success(std::move(list));
}

// The entry of `list` in the guardian's own language: the first of the guardian's fallback
// chain (same language subtag) that is listed; else, among the entries of that language, the one
// ICU's LocaleMatcher finds closest (pt-PT → pt-BR, zh-HK → zh-Hant). Returns the index.
std::optional<std::size_t> same_language_match(const std::vector<std::string>& own_chain,
                                               std::string_view guardian,
                                               const language_list& list) {
  for (const auto& candidate : own_chain) {
    const auto found = std::ranges::find(list.canonical, candidate);
    if (found != list.canonical.end()) {
      return static_cast<std::size_t>(found - list.canonical.begin());
    }
  }
  std::vector<std::string> relatives;
  for (const auto& tag : list.canonical) {
    if (language_of(tag) == language_of(guardian)) {
      relatives.push_back(tag);
    }
  }
  if (relatives.empty()) {
    return std::nullopt;
  }
  std::string best = relatives.front();
  if (relatives.size() > 1) {
    // The matcher's own default is the first relative, so the answer is always one of them.
    if (auto matched = best_available_language(guardian, relatives, relatives.front())) {
      best = std::move(*matched.value);
    }
  }
  return static_cast<std::size_t>(std::ranges::find(list.canonical, best) - list.canonical.begin());
}

}  // namespace

std::string_view to_string(machine_translation_policy policy) noexcept {
  switch (policy) {
    case machine_translation_policy::never:
      return "never";
    case machine_translation_policy::if_no_human_translation:
      return "if_no_human_translation";
    case machine_translation_policy::always:
      return "always";
  }
  return "never";
}

result<machine_translation_policy> machine_translation_policy_from_string(std::string_view text) {
  for (const auto policy :
       {machine_translation_policy::never, machine_translation_policy::if_no_human_translation,
        machine_translation_policy::always}) {
    if (text == to_string(policy)) {
      return result<machine_translation_policy>::success(policy);
    }
  }
  return result<machine_translation_policy>::failure(
      "machine translation policy must be never, if_no_human_translation or always");
}

std::string_view to_string(text_source source) noexcept {
  switch (source) {
    case text_source::human_translation:
      return "human_translation";
    case text_source::catalog:
      return "catalog";
    case text_source::machine_translation:
      return "machine_translation";
  }
  return "human_translation";
}

result<localization_choice> choose_localization(const localization_request& request) {
  using outcome = result<localization_choice>;
  auto chain = fallback_chain(request.guardian_language, request.district_default);
  if (!chain) {
    return outcome::failure(std::move(chain.error));
  }
  const std::string guardian = chain.value->front();
  const std::string district_default = chain.value->back();
  std::vector<std::string> own_chain;
  for (const auto& tag : *chain.value) {
    if (language_of(tag) == language_of(guardian)) {
      own_chain.push_back(tag);
    }
  }

  std::string source;
  if (!request.source_language.empty()) {
    auto canonical = canonicalize_language_tag(request.source_language);
    if (!canonical) {
      return outcome::failure("source language: " + canonical.error);
    }
    source = std::move(*canonical.value);
  }
  std::vector<std::string> human_tags = request.human_languages;
  if (!request.source_language.empty() &&
      std::ranges::find(human_tags, request.source_language) == human_tags.end()) {
    human_tags.push_back(request.source_language);
  }
  auto human = canonical_list(human_tags, "human translation language");
  auto templates = canonical_list(request.template_languages, "template language");
  auto notices = canonical_list(request.notice_languages, "notice language");
  auto machine = canonical_list(request.machine_languages, "machine translation language");
  for (const auto* list : {&human, &templates, &notices, &machine}) {
    if (!*list) {
      return outcome::failure(list->error);
    }
  }

  localization_choice choice;
  choice.guardian_language = guardian;
  const auto choose = [&](text_source kind, const language_list& list, std::size_t index) {
    choice.source = kind;
    choice.text_language = list.given[index];
    choice.in_guardian_language = language_of(list.canonical[index]) == language_of(guardian);
    choice.format_locale = choice.in_guardian_language ? guardian : list.canonical[index];
  };

  const bool guardian_reads_source =
      !source.empty() && language_of(source) == language_of(guardian);
  const auto human_match = same_language_match(own_chain, guardian, *human.value);
  const auto template_match = same_language_match(own_chain, guardian, *templates.value);
  const auto machine_match = same_language_match(own_chain, guardian, *machine.value);

  if (request.policy == machine_translation_policy::always && machine_match &&
      !guardian_reads_source) {
    choose(text_source::machine_translation, *machine.value, *machine_match);
  } else if (human_match) {
    choose(text_source::human_translation, *human.value, *human_match);
  } else if (template_match) {
    choose(text_source::catalog, *templates.value, *template_match);
  } else if (request.policy != machine_translation_policy::never && machine_match &&
             !source.empty()) {
    choose(text_source::machine_translation, *machine.value, *machine_match);
  } else {
    // Another language: the closest by CLDR's distances (ht → fr), else the district default,
    // else the source, among the texts that exist.
    language_list available;
    std::vector<text_source> kinds;
    for (std::size_t i = 0; i < human.value->given.size(); ++i) {
      available.given.push_back(human.value->given[i]);
      available.canonical.push_back(human.value->canonical[i]);
      kinds.push_back(text_source::human_translation);
    }
    for (std::size_t i = 0; i < templates.value->given.size(); ++i) {
      available.given.push_back(templates.value->given[i]);
      available.canonical.push_back(templates.value->canonical[i]);
      kinds.push_back(text_source::catalog);
    }
    if (available.given.empty()) {
      return outcome::failure("no text to send: no human translation, template or source language");
    }
    std::optional<std::size_t> index;
    if (auto closest = best_available_language(guardian, available.canonical, district_default)) {
      const auto found = std::ranges::find(available.canonical, *closest.value);
      if (found != available.canonical.end()) {
        index = static_cast<std::size_t>(found - available.canonical.begin());
      }
    }
    if (!index && !source.empty()) {
      index = static_cast<std::size_t>(std::ranges::find(available.canonical, source) -
                                       available.canonical.begin());
    }
    if (!index || *index >= available.given.size()) {
      index = 0;
    }
    choose(kinds[*index], available, *index);
    choice.add_fallback_notice = !choice.in_guardian_language;
  }
  choice.add_machine_translation_notice = choice.source == text_source::machine_translation;

  // Notices: in the guardian's own language when the catalog has it, else in the text's.
  auto notice_index = same_language_match(own_chain, guardian, *notices.value);
  if (!notice_index) {
    const auto text_canonical = canonicalize_language_tag(choice.text_language);
    const std::vector<std::string> text_chain{text_canonical.value.value_or("")};
    notice_index = same_language_match(text_chain, text_chain.front(), *notices.value);
  }
  if (!notice_index) {
    const auto found = std::ranges::find(notices.value->canonical, district_default);
    if (found != notices.value->canonical.end()) {
      notice_index = static_cast<std::size_t>(found - notices.value->canonical.begin());
    }
  }
  choice.notice_language = notice_index ? notices.value->given[*notice_index] : district_default;
  return outcome::success(std::move(choice));
}

}  // namespace liaison::i18n
