#include "daemon/services/message_template.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "daemon/services/json_fields.hpp"
#include "daemon/services/message_texts.hpp"
#include "i18n/language.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

bool absent(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value == nullptr || value->is_null();
}

// Gives `target` the template text's members it lacks.
void fill_text(json::object& target, const announcement_text& text) {
  if (absent(target, "body")) {
    target["body"] = text.body;
  }
  if (absent(target, "subject") && !text.subject.empty()) {
    target["subject"] = text.subject;
  }
}

// The language tag as validation will see it: canonical when it is valid, as written otherwise
// (validation then reports it).
std::string canonical_or_as_written(std::string_view tag) {
  auto canonical = i18n::canonicalize_language_tag(tag);
  return canonical ? std::move(*canonical.value) : std::string(tag);
}

}  // namespace

bool is_valid_template_name(std::string_view name) {
  return !name.empty() && name.size() <= max_template_name_bytes &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

template_validation validate_template(std::string_view name, const json::value& input) {
  std::vector<field_error> errors;
  if (!is_valid_template_name(name)) {
    errors.push_back({"name", "1-64 of a-z, 0-9, '-' and '_'"});
  }
  const auto* object = input.if_object();
  if (object == nullptr) {
    errors.push_back({"", "the body must be a JSON object"});
    return {std::nullopt, std::move(errors)};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"name", "description", "source_language", "subject", "body", "translations"});
  // GET's answer may be sent back as it is; a different name is a mistake, not a rename.
  if (auto named = r.string("name", false, max_template_name_bytes + 1); named && *named != name) {
    errors.push_back(
        {"name", "is \"" + *named + "\" but the path names \"" + std::string(name) + "\""});
  }
  message_template t;
  t.name = std::string(name);
  if (auto description = r.string("description", true, max_template_description_bytes)) {
    if (description->empty()) {
      errors.push_back({"description", "must not be empty: it is what staff choose by"});
    }
    t.description = std::move(*description);
  }
  argument_uses uses;
  auto texts = read_message_texts(*object, false, uses, errors);
  check_recipient_argument_uses(uses, errors);
  t.source_language = std::move(texts.source_language);
  t.original = std::move(texts.original);
  t.translations = std::move(texts.translations);
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(t), {}};
}

json::value to_json(const message_template& t) {
  json::object o;
  o["name"] = t.name;
  o["description"] = t.description;
  o["source_language"] = t.source_language;
  if (!t.original.subject.empty()) {
    o["subject"] = t.original.subject;
  }
  o["body"] = t.original.body;
  json::object translations;
  for (const auto& [language, text] : t.translations) {
    translations[language] = text_json(text);
  }
  o["translations"] = std::move(translations);
  return o;
}

std::vector<std::string> template_languages(const message_template& t) {
  std::vector<std::string> languages = {t.source_language};
  for (const auto& [language, text] : t.translations) {
    languages.push_back(language);
  }
  return languages;
}

void fill_from_template(json::object& announcement, const message_template& t) {
  std::map<std::string, const announcement_text*> texts = {{t.source_language, &t.original}};
  for (const auto& [language, text] : t.translations) {
    texts.emplace(language, &text);
  }

  // The announcement's language; unknown when what it gives is no string (validation says so),
  // and then no text of the template is its original.
  std::optional<std::string> source;
  if (absent(announcement, "source_language")) {
    announcement["source_language"] = t.source_language;
    source = t.source_language;
  } else if (const auto* given = announcement.at("source_language").if_string()) {
    source = canonical_or_as_written(*given);
  }
  if (const auto original = source ? texts.find(*source) : texts.end(); original != texts.end()) {
    fill_text(announcement, *original->second);
  }

  if (absent(announcement, "translations")) {
    announcement["translations"] = json::object{};
  }
  auto* translations = announcement["translations"].if_object();
  if (translations == nullptr) {
    return;  // not an object: validation says so
  }
  // The announcement's own translations by canonical tag, so "es-mx" meets the template's es-MX.
  std::map<std::string, std::string> given_keys;
  for (const auto& member : *translations) {
    given_keys.emplace(canonical_or_as_written(member.key()), std::string(member.key()));
  }
  for (const auto& [language, text] : texts) {
    if (source && language == *source) {
      continue;
    }
    const auto given = given_keys.find(language);
    auto& entry = (*translations)[given == given_keys.end() ? language : given->second];
    if (entry.is_null()) {
      entry = json::object{};
    }
    if (auto* object = entry.if_object()) {
      fill_text(*object, *text);
    }
  }
}

}  // namespace liaison::services
