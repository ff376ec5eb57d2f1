#include "daemon/services/announcement.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "daemon/services/family.hpp"
#include "daemon/services/interpretation.hpp"
#include "daemon/services/json_fields.hpp"
#include "daemon/services/message_texts.hpp"
#include "i18n/keywords.hpp"
#include "support/ids.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

constexpr std::string_view id_rule = "use 1-128 letters, digits, '-', '_', '.' or ':'";

audience read_audience(object_reader& parent, std::vector<field_error>& errors) {
  audience to;
  const auto* object = parent.object("audience", true);
  if (object == nullptr) {
    return to;
  }
  object_reader r(*object, "audience", errors);
  r.reject_unknown({"all", "schools", "grades", "family_ids", "guardian_ids", "tags"});
  if (const auto* all = object->if_contains("all"); all != nullptr && !all->is_null()) {
    if (!all->is_bool()) {
      errors.push_back({"audience.all", "must be true or false"});
    } else {
      to.all = all->get_bool();
    }
  }
  to.schools = r.id_list("schools", max_audience_selectors, is_valid_directory_id, id_rule);
  to.grades = r.id_list("grades", 30, is_valid_grade,
                        "a OneRoster grade code: PK, TK, KG, 01 … 13, UG, Other");
  to.family_ids = r.id_list("family_ids", max_audience_selectors, is_valid_directory_id, id_rule);
  to.tags = r.id_list("tags", max_audience_selectors, is_valid_directory_id, id_rule);
  to.guardian_ids = r.id_list("guardian_ids", 20, is_valid_directory_id, id_rule);
  if (!to.guardian_ids.empty() && to.family_ids.empty()) {
    errors.push_back({"audience.guardian_ids", "needs family_ids: the guardians' families"});
  }
  if (!to.all && to.schools.empty() && to.grades.empty() && to.family_ids.empty() &&
      to.tags.empty()) {
    errors.push_back({"audience", "names no one: give schools, grades, family_ids, tags or all"});
  }
  return to;
}

// Gives each argument its typed value, by what the patterns do with it.
i18n::message_arguments read_arguments(const json::object* object, const argument_uses& uses,
                                       std::vector<field_error>& errors) {
  i18n::message_arguments values;
  if (object != nullptr && object->size() > max_arguments) {
    errors.push_back({"arguments", "at most " + std::to_string(max_arguments) + " arguments"});
    return values;
  }
  if (object != nullptr) {
    for (const auto& [key, value] : *object) {
      const std::string name(key);
      const std::string path = "arguments." + name;
      if (is_recipient_argument(name)) {
        errors.push_back({path, "is filled in for each recipient; do not give it a value"});
        continue;
      }
      const auto use = uses.find(name);
      const auto kind = use == uses.end() ? i18n::argument_kind::any : use->second.kind;
      if (kind == i18n::argument_kind::date) {
        const auto* text = value.if_string();
        auto instant = text != nullptr ? parse_rfc3339(*text) : std::nullopt;
        if (!instant) {
          errors.push_back({path,
                            "used as a date: give an RFC 3339 date-time with its offset, "
                            "e.g. \"2026-12-03T18:00:00-05:00\""});
          continue;
        }
        values.push_back({name, *instant});
      } else if (value.is_int64()) {
        values.push_back({name, value.get_int64()});
      } else if (value.is_uint64() || value.is_double()) {
        values.push_back({name, value.to_number<double>()});
      } else if (kind == i18n::argument_kind::number) {
        errors.push_back({path, "used as a number: give a JSON number"});
      } else if (value.is_string()) {
        if (value.get_string().size() > 1000) {
          errors.push_back({path, "longer than 1000 bytes"});
          continue;
        }
        values.push_back({name, std::string(value.get_string())});
      } else {
        errors.push_back({path, "must be a string, a number or a date-time string"});
      }
    }
  }
  check_recipient_argument_uses(uses, errors);
  for (const auto& [name, use] : uses) {
    if (is_recipient_argument(name)) {
      continue;
    }
    const bool given =
        std::any_of(values.begin(), values.end(),
                    [&wanted = name](const i18n::message_argument& a) { return a.name == wanted; });
    const bool reported = object != nullptr && object->contains(name);
    if (!given && !reported) {
      errors.push_back({use.first_path, "uses {" + name +
                                            "} but arguments gives it no value (each recipient "
                                            "brings guardian_name, student_names and school)"});
    }
  }
  return values;
}

json::value argument_json(const i18n::argument_value& value) {
  return std::visit(
      [](const auto& v) -> json::value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, system_clock::time_point>) {
          return json::value(format_rfc3339_utc(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return json::value(v);
        } else {
          return json::value(v);
        }
      },
      value);
}

// An option's interpretation template, checked as the request it will become (with stand-ins
// for the family's part). Errors name the template's own fields.
std::string read_interpretation_template(const json::value& value, const std::string& path,
                                         std::optional<system_clock::time_point> now,
                                         std::vector<field_error>& errors) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    errors.push_back({path, "must be an object: the meeting's mode, meeting_type, start…"});
    return {};
  }
  for (const char* filled_in : {"school", "family_id", "guardian_id", "language"}) {
    if (object->contains(filled_in)) {
      errors.push_back({path + "." + filled_in,
                        "is filled in from the announcement and the family who answers"});
    }
  }
  json::object request = *object;
  request["school"] = "school";
  request["family_id"] = "family";
  request["language"] = "en";
  const auto checked = validate_interpretation_request(request, now, "UTC");
  for (const auto& e : checked.errors) {
    errors.push_back({path + "." + e.field, e.message});
  }
  return json::serialize(*object);
}

std::vector<rsvp_option> read_rsvp(const json::object& object,
                                   std::optional<system_clock::time_point> now,
                                   std::vector<field_error>& errors) {
  std::vector<rsvp_option> options;
  object_reader r(object, "rsvp", errors);
  r.reject_unknown({"options"});
  const auto* list = r.array("options", max_rsvp_options);
  if (list == nullptr) {
    if (!object.contains("options")) {
      errors.push_back({"rsvp.options", "required: the answers families may give"});
    }
    return options;
  }
  std::set<std::string> labels;
  std::set<std::string> answers;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = "rsvp.options[" + std::to_string(i) + "]";
    const auto* item = (*list)[i].if_object();
    if (item == nullptr) {
      errors.push_back({path, "must be an object with \"label\" and \"answers\""});
      continue;
    }
    object_reader option_reader(*item, path, errors);
    option_reader.reject_unknown({"label", "answers", "interpretation"});
    rsvp_option option;
    if (const auto* details = item->if_contains("interpretation")) {
      option.interpretation =
          read_interpretation_template(*details, path + ".interpretation", now, errors);
    }
    if (auto label = option_reader.string("label", true, 64)) {
      if (label->empty() || !labels.insert(*label).second) {
        errors.push_back({path + ".label", "must be non-empty and unique"});
      }
      option.label = std::move(*label);
    }
    const auto* replies = option_reader.array("answers", 10);
    if (replies == nullptr || replies->empty()) {
      errors.push_back(
          {path + ".answers", "required: the replies that choose it (\"1\", \"YES\")"});
      continue;
    }
    for (std::size_t j = 0; j < replies->size(); ++j) {
      const auto* answer = (*replies)[j].if_string();
      const auto answer_path = path + ".answers[" + std::to_string(j) + "]";
      if (answer == nullptr || answer->size() > 32 || i18n::normalize_reply(*answer).empty()) {
        errors.push_back({answer_path, "a short reply: 1 to 32 bytes of letters or digits"});
      } else if (!answers.insert(i18n::normalize_reply(*answer)).second) {
        errors.push_back({answer_path, "already chooses another option"});
      } else {
        option.answers.emplace_back(*answer);
      }
    }
    options.push_back(std::move(option));
  }
  return options;
}

}  // namespace

announcement_validation validate_announcement(const json::value& input,
                                              std::optional<system_clock::time_point> now) {
  std::vector<field_error> errors;
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"school", "audience", "channels", "priority", "subject", "body",
                    "source_language", "translations", "machine_translation", "arguments",
                    "send_at", "rsvp"});
  announcement a;

  if (auto school = r.string("school", false, 128)) {
    if (!is_valid_directory_id(*school)) {
      errors.push_back({"school", std::string(id_rule)});
    }
    a.school = std::move(*school);
  }
  a.to = read_audience(r, errors);

  if (const auto* channels = r.array("channels", 3)) {
    a.channels = read_channels(*channels, "channels", errors);
    if (a.channels.empty() && channels->empty()) {
      errors.push_back({"channels", "name at least one of \"sms\", \"email\", \"voice\""});
    }
  } else if (!object->contains("channels")) {
    errors.push_back({"channels", "required: a list of \"sms\", \"email\", \"voice\""});
  }
  const bool has_email =
      std::find(a.channels.begin(), a.channels.end(), config::channel::email) != a.channels.end();

  if (auto priority = r.string("priority", false, 16)) {
    if (*priority == "urgent") {
      a.priority = config::priority::urgent;
    } else if (*priority != "normal") {
      errors.push_back({"priority", "must be \"normal\" or \"urgent\""});
    }
  }

  argument_uses uses;
  auto texts = read_message_texts(*object, has_email, uses, errors);
  a.source_language = std::move(texts.source_language);
  a.original = std::move(texts.original);
  a.translations = std::move(texts.translations);

  if (auto policy = r.string("machine_translation", false, 64)) {
    auto parsed = i18n::machine_translation_policy_from_string(*policy);
    if (parsed) {
      a.machine_translation = *parsed.value;
    } else {
      errors.push_back({"machine_translation", parsed.error});
    }
  }

  a.arguments = read_arguments(r.object("arguments", false), uses, errors);

  if (auto send_at = r.string("send_at", false, 64)) {
    auto instant = parse_rfc3339(*send_at);
    if (!instant) {
      errors.push_back({"send_at",
                        "an RFC 3339 date-time with its offset, e.g. "
                        "\"2026-12-03T07:00:00-05:00\""});
    } else if (now && *instant > *now + max_schedule_ahead) {
      errors.push_back({"send_at", "at most a year ahead"});
    } else if (now && *instant < *now - std::chrono::minutes(5)) {
      errors.push_back({"send_at", "is in the past"});
    } else {
      a.send_at = *instant;
    }
  }

  if (const auto* rsvp = r.object("rsvp", false)) {
    a.rsvp = read_rsvp(*rsvp, now, errors);
    const bool books_interpreters =
        std::any_of(a.rsvp.begin(), a.rsvp.end(),
                    [](const rsvp_option& o) { return !o.interpretation.empty(); });
    if (books_interpreters && a.school.empty()) {
      errors.push_back({"school", "required when an RSVP option requests interpreters"});
    }
  }

  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(a), {}};
}

int rsvp_choice(const announcement& a, std::string_view reply) {
  const auto normalized = i18n::normalize_reply(reply);
  for (std::size_t i = 0; i < a.rsvp.size(); ++i) {
    for (const auto& answer : a.rsvp[i].answers) {
      if (i18n::normalize_reply(answer) == normalized) {
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

json::value to_json(const announcement& a) {
  json::object o;
  if (!a.school.empty()) {
    o["school"] = a.school;
  }
  json::object to;
  if (a.to.all) {
    to["all"] = true;
  }
  auto list = [&to](const char* key, const std::vector<std::string>& items) {
    if (!items.empty()) {
      to[key] = json::array(items.begin(), items.end());
    }
  };
  list("schools", a.to.schools);
  list("grades", a.to.grades);
  list("family_ids", a.to.family_ids);
  list("guardian_ids", a.to.guardian_ids);
  list("tags", a.to.tags);
  o["audience"] = std::move(to);
  json::array channels;
  for (auto c : a.channels) {
    channels.emplace_back(config::to_string(c));
  }
  o["channels"] = std::move(channels);
  o["priority"] = config::to_string(a.priority);
  o["source_language"] = a.source_language;
  if (!a.original.subject.empty()) {
    o["subject"] = a.original.subject;
  }
  o["body"] = a.original.body;
  if (!a.translations.empty()) {
    json::object translations;
    for (const auto& [language, text] : a.translations) {
      translations[language] = text_json(text);
    }
    o["translations"] = std::move(translations);
  }
  o["machine_translation"] = i18n::to_string(a.machine_translation);
  if (!a.arguments.empty()) {
    json::object arguments;
    for (const auto& argument : a.arguments) {
      arguments[argument.name] = argument_json(argument.value);
    }
    o["arguments"] = std::move(arguments);
  }
  if (a.send_at) {
    o["send_at"] = format_rfc3339_utc(*a.send_at);
  }
  if (!a.rsvp.empty()) {
    json::array options;
    for (const auto& option : a.rsvp) {
      json::object entry{{"label", option.label},
                         {"answers", json::array(option.answers.begin(), option.answers.end())}};
      if (!option.interpretation.empty()) {
        entry["interpretation"] = json::parse(option.interpretation);
      }
      options.push_back(std::move(entry));
    }
    o["rsvp"] = {{"options", std::move(options)}};
  }
  return o;
}

const announcement_text* text_in(const announcement& a, std::string_view language) {
  if (language == a.source_language) {
    return &a.original;
  }
  const auto it = a.translations.find(std::string(language));
  return it == a.translations.end() ? nullptr : &it->second;
}

std::vector<std::string> machine_languages(const announcement& a) {
  std::vector<std::string> languages;
  for (const auto& [language, text] : a.machine_translations) {
    languages.push_back(language);
  }
  return languages;
}

std::vector<std::string> human_languages(const announcement& a) {
  std::vector<std::string> languages = {a.source_language};
  for (const auto& [language, text] : a.translations) {
    languages.push_back(language);
  }
  return languages;
}

std::string new_announcement_id(system_clock::time_point now) {
  return new_time_ordered_id("ann_", now);
}

bool looks_like_announcement_id(std::string_view id) {
  return looks_like_time_ordered_id(id, "ann_");
}

}  // namespace liaison::services
