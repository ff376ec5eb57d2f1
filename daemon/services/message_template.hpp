// Named templates (PUT /v1/templates/{name}; docs/templates.md): the texts of a message a
// district sends again and again ("snow-day", "parent-academy"), written and translated once.
// An announcement naming one (`"template": "snow-day"`) takes from it whatever texts it does not
// give itself. Validation and the JSON forms are plain functions; template_store keeps them.
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/services/announcement.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

struct message_template {
  std::string name;
  std::string description;      // what staff see in the list ("School closed for snow")
  std::string source_language;  // canonical BCP 47: the language `original` is written in
  announcement_text original;   // subject optional: only email uses it
  std::map<std::string, announcement_text> translations;  // canonical tag -> text

  bool operator==(const message_template&) const = default;
};

inline constexpr std::size_t max_template_name_bytes = 64;
inline constexpr std::size_t max_template_description_bytes = 500;

// 1-64 of a-z, 0-9, '-' and '_': a name that reads the same in a URL, a key and a log line.
bool is_valid_template_name(std::string_view name);

struct template_validation {
  std::optional<message_template> value;
  std::vector<field_error> errors;  // every problem, with its JSON path ("name" for the name)
};

// `description`, and the texts as an announcement's are checked (message_texts.hpp): every
// pattern parses, languages are valid and distinct. Arguments are not given values here: the
// announcement that uses the template gives them.
template_validation validate_template(std::string_view name, const boost::json::value& input);

// The canonical JSON form (the API's and the stored one), with `name`; validate_template reads it
// back as the same template.
boost::json::value to_json(const message_template& t);

// The source language, then every translation's.
std::vector<std::string> template_languages(const message_template& t);

// Fills an announcement request (its JSON, before validation) from a template: the
// announcement's own source_language, subject, body and translations win, field by field; the
// template's texts fill in the rest. When the announcement is written in another language than
// the template, the template's text in that language becomes its original and the template's
// original one of its translations.
void fill_from_template(boost::json::object& announcement, const message_template& t);

}  // namespace liaison::services
