#include "daemon/services/message_texts.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "daemon/services/json_fields.hpp"
#include "i18n/language.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

// The stricter of two uses (a number or a date constrains more than "any").
i18n::argument_kind stricter(i18n::argument_kind a, i18n::argument_kind b) {
  return a == i18n::argument_kind::any ? b : a;
}

void check_pattern(const std::string& pattern, const std::string& path, argument_uses& uses,
                   std::vector<field_error>& errors) {
  const auto analysis = i18n::analyze_pattern(pattern);
  if (!analysis.ok) {
    errors.push_back({path, analysis.error});
    return;
  }
  for (const auto& argument : analysis.arguments) {
    auto [it, inserted] = uses.try_emplace(argument.name, argument_use{argument.kind, path});
    if (!inserted) {
      it->second.kind = stricter(it->second.kind, argument.kind);
    }
  }
}

announcement_text read_text(const json::object& object, const std::string& path,
                            bool subject_required, argument_uses& uses,
                            std::vector<field_error>& errors) {
  object_reader r(object, path, errors);
  if (!path.empty()) {  // a translation; the original's members are checked by the caller
    r.reject_unknown({"subject", "body"});
  }
  announcement_text text;
  auto body = r.string("body", true, i18n::max_pattern_bytes);
  if (body) {
    if (body->empty()) {
      errors.push_back({r.at("body"), "must not be empty"});
    } else {
      check_pattern(*body, r.at("body"), uses, errors);
    }
    text.body = std::move(*body);
  }
  if (auto subject = r.string("subject", subject_required, 1000)) {
    if (!subject->empty()) {
      check_pattern(*subject, r.at("subject"), uses, errors);
    } else if (subject_required) {
      errors.push_back({r.at("subject"), "must not be empty: email is among the channels"});
    }
    text.subject = std::move(*subject);
  }
  return text;
}

}  // namespace

bool is_recipient_argument(std::string_view name) {
  return std::find(std::begin(recipient_arguments), std::end(recipient_arguments), name) !=
         std::end(recipient_arguments);
}

message_texts read_message_texts(const json::object& object, bool subject_required,
                                 argument_uses& uses, std::vector<field_error>& errors) {
  message_texts texts;
  object_reader r(object, "", errors);
  if (auto source = r.string("source_language", true, 64)) {
    auto canonical = i18n::canonicalize_language_tag(*source);
    if (canonical) {
      texts.source_language = std::move(*canonical.value);
    } else {
      errors.push_back({"source_language", canonical.error});
    }
  }
  // The original's subject and body sit at the top level, as DESIGN.md §4 lists them.
  texts.original = read_text(object, "", subject_required, uses, errors);

  const auto* translations = r.object("translations", false);
  if (translations == nullptr) {
    return texts;
  }
  if (translations->size() > max_translations) {
    errors.push_back({"translations", "at most " + std::to_string(max_translations)});
    return texts;
  }
  for (const auto& [key, value] : *translations) {
    const std::string path = "translations." + std::string(key);
    auto canonical = i18n::canonicalize_language_tag(key);
    if (!canonical) {
      errors.push_back({path, canonical.error});
      continue;
    }
    if (*canonical.value == texts.source_language) {
      errors.push_back({path, "is the source language: the top-level text is already in it"});
      continue;
    }
    if (texts.translations.contains(*canonical.value)) {
      errors.push_back({path, "a second translation into " + *canonical.value});
      continue;
    }
    const auto* text = value.if_object();
    if (text == nullptr) {
      errors.push_back({path, "must be an object with \"body\" (and \"subject\" for email)"});
      continue;
    }
    texts.translations.emplace(std::move(*canonical.value),
                               read_text(*text, path, subject_required, uses, errors));
  }
  return texts;
}

json::object text_json(const announcement_text& text) {
  json::object o;
  if (!text.subject.empty()) {
    o["subject"] = text.subject;
  }
  o["body"] = text.body;
  return o;
}

void check_recipient_argument_uses(const argument_uses& uses, std::vector<field_error>& errors) {
  for (const auto& [name, use] : uses) {
    if (is_recipient_argument(name) &&
        (use.kind == i18n::argument_kind::number || use.kind == i18n::argument_kind::date)) {
      errors.push_back({use.first_path, "{" + name + "} is a text; it cannot be formatted as a " +
                                            std::string(i18n::to_string(use.kind))});
    }
  }
}

}  // namespace liaison::services
