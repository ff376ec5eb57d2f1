// The texts of a message written once and read in many languages: a source language, the
// original subject and body at the top level, and human translations {language: {subject?,
// body}}. Announcements and named templates (docs/templates.md) carry the same texts, so they are
// read and checked by one function: a text accepted in a template is accepted in an
// announcement that uses it.
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/services/announcement.hpp"
#include "i18n/message_format.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

// What the patterns need from one argument, gathered over every text.
struct argument_use {
  i18n::argument_kind kind = i18n::argument_kind::any;
  std::string first_path;  // where it is first used, for "has no value" errors
};
using argument_uses = std::map<std::string, argument_use>;

struct message_texts {
  std::string source_language;  // canonical BCP 47
  announcement_text original;
  std::map<std::string, announcement_text> translations;  // canonical tag -> text
};

bool is_recipient_argument(std::string_view name);

// Reads `source_language` (required), `subject` and `body` (required) and `translations` of
// `object`, recording every problem with its JSON path: a pattern that does not parse, a bad or
// duplicate language tag, a translation into the source language. `subject_required`: every
// text needs a subject (email is among the channels). Each pattern's arguments are added to
// `uses`. Members other than these are left to the caller.
message_texts read_message_texts(const boost::json::object& object, bool subject_required,
                                 argument_uses& uses, std::vector<field_error>& errors);

// A recipient argument ({guardian_name}, {student_names}, {school}) is a text: an error for each
// one a pattern formats as a number or a date.
void check_recipient_argument_uses(const argument_uses& uses, std::vector<field_error>& errors);

// One text in the JSON form of a translation: {"subject"?, "body"}.
boost::json::object text_json(const announcement_text& text);

}  // namespace liaison::services
