#include "daemon/services/translation_request.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "daemon/services/announcement.hpp"
#include "daemon/services/family.hpp"
#include "daemon/services/json_fields.hpp"
#include "i18n/language.hpp"
#include "support/ids.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

constexpr std::array<std::pair<translation_state, std::string_view>, 5> state_names{{
    {translation_state::requested, "requested"},
    {translation_state::offered, "offered"},
    {translation_state::assigned, "assigned"},
    {translation_state::delivered, "delivered"},
    {translation_state::cancelled, "cancelled"},
}};

std::optional<std::string> canonical_language(std::string_view path, std::string_view text,
                                              std::vector<field_error>& errors) {
  auto canonical = i18n::canonicalize_language_tag(text);
  if (!canonical) {
    errors.push_back({std::string(path), "not a BCP 47 language tag like \"es\" or \"zh-Hant\""});
    return std::nullopt;
  }
  return std::move(*canonical.value);
}

}  // namespace

translation_request_validation validate_translation_request(
    const json::value& input, std::optional<system_clock::time_point> now) {
  std::vector<field_error> errors;
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"school", "title", "text", "announcement_id", "source_language",
                    "target_languages", "due", "notes"});
  translation_request req;
  if (auto school = r.string("school", true, 128)) {
    if (!is_valid_directory_id(*school)) {
      errors.push_back({"school", "1 to 128 letters, digits, '.', '_', ':' or '-'"});
    }
    req.school = std::move(*school);
  }
  req.title = r.string("title", true, 200).value_or("");
  req.text = r.string("text", false, max_translation_text_bytes).value_or("");
  req.announcement_id = r.string("announcement_id", false, 64).value_or("");
  if (!req.announcement_id.empty() && !looks_like_announcement_id(req.announcement_id)) {
    errors.push_back({"announcement_id", "not an announcement id"});
  }
  if (req.text.empty() == req.announcement_id.empty()) {
    errors.push_back({"text", "give the document's text or an announcement_id, not both"});
  }
  if (auto source = r.string("source_language", false, 64)) {
    if (auto canonical = canonical_language("source_language", *source, errors)) {
      req.source_language = std::move(*canonical);
    }
  } else {
    req.source_language = "en";
  }
  if (const auto* targets = r.array("target_languages", max_translation_targets)) {
    for (std::size_t i = 0; i < targets->size(); ++i) {
      const auto path = "target_languages[" + std::to_string(i) + "]";
      const auto* text = (*targets)[i].if_string();
      if (text == nullptr) {
        errors.push_back({path, "must be a string"});
        continue;
      }
      auto canonical = canonical_language(path, *text, errors);
      if (!canonical) {
        continue;
      }
      if (*canonical == req.source_language) {
        errors.push_back({path, "is the source language"});
      } else if (std::find(req.target_languages.begin(), req.target_languages.end(), *canonical) ==
                 req.target_languages.end()) {
        req.target_languages.push_back(std::move(*canonical));
      }
    }
    if (targets->empty()) {
      errors.push_back({"target_languages", "at least one language"});
    }
  } else if (!object->contains("target_languages")) {
    errors.push_back({"target_languages", "required: the languages to translate into"});
  }
  if (auto due = r.string("due", true, 64)) {
    if (auto instant = parse_rfc3339(*due)) {
      req.due = *instant;
      if (now && *instant <= *now) {
        errors.push_back({"due", "is in the past"});
      }
    } else {
      errors.push_back({"due", "an RFC 3339 date-time with its offset"});
    }
  }
  req.notes = r.string("notes", false, 2000).value_or("");
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(req), {}};
}

json::value to_json(const translation_request& r) {
  json::object o{
      {"school", r.school},
      {"title", r.title},
      {"source_language", r.source_language},
      {"target_languages", json::array(r.target_languages.begin(), r.target_languages.end())},
      {"due", format_rfc3339_utc(r.due)}};
  if (!r.text.empty()) {
    o["text"] = r.text;
  }
  if (!r.announcement_id.empty()) {
    o["announcement_id"] = r.announcement_id;
  }
  if (!r.notes.empty()) {
    o["notes"] = r.notes;
  }
  return o;
}

std::string_view to_string(translation_state s) noexcept {
  for (const auto& [state, name] : state_names) {
    if (state == s) {
      return name;
    }
  }
  return "unknown";
}

std::optional<translation_state> translation_state_from(std::string_view text) noexcept {
  for (const auto& [state, name] : state_names) {
    if (name == text) {
      return state;
    }
  }
  return std::nullopt;
}

std::optional<translation_state> next_translation_state(translation_state from,
                                                        translation_event event) noexcept {
  using s = translation_state;
  switch (event) {
    case translation_event::offer:
      if (from == s::requested || from == s::offered) {
        return s::offered;
      }
      break;
    case translation_event::assign:
      if (from == s::requested || from == s::offered) {
        return s::assigned;
      }
      break;
    case translation_event::deliver:
      // Staff may also file a translation they got elsewhere (a vendor).
      if (from != s::delivered && from != s::cancelled) {
        return s::delivered;
      }
      break;
    case translation_event::cancel:
      if (from != s::delivered && from != s::cancelled) {
        return s::cancelled;
      }
      break;
  }
  return std::nullopt;
}

std::string new_translation_request_id(system_clock::time_point now) {
  return new_time_ordered_id("tr_", now);
}

bool looks_like_translation_request_id(std::string_view id) {
  return looks_like_time_ordered_id(id, "tr_");
}

}  // namespace liaison::services
