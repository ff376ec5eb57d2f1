#include "daemon/services/interpretation.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <utility>

#include "channels/address.hpp"
#include "daemon/services/family.hpp"
#include "daemon/services/json_fields.hpp"
#include "i18n/language.hpp"
#include "i18n/message_format.hpp"
#include "support/ids.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

constexpr std::string_view id_rule = "use 1-128 letters, digits, '-', '_', '.' or ':'";

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& names,
                        std::string_view text) noexcept {
  for (const auto& [value, name] : names) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names,
                         E value) noexcept {
  for (const auto& [v, name] : names) {
    if (v == value) {
      return name;
    }
  }
  return names.front().second;
}

constexpr std::array<std::pair<interpretation_mode, std::string_view>, 3> mode_names{{
    {interpretation_mode::in_person, "in_person"},
    {interpretation_mode::phone, "phone"},
    {interpretation_mode::video, "video"},
}};

constexpr std::array<std::pair<meeting_type, std::string_view>, 6> meeting_names{{
    {meeting_type::iep, "iep"},
    {meeting_type::section_504, "504"},
    {meeting_type::conference, "conference"},
    {meeting_type::discipline, "discipline"},
    {meeting_type::orientation, "orientation"},
    {meeting_type::other, "other"},
}};

constexpr std::array<std::pair<request_state, std::string_view>, 7> state_names{{
    {request_state::requested, "requested"},
    {request_state::offered, "offered"},
    {request_state::assigned, "assigned"},
    {request_state::confirmed, "confirmed"},
    {request_state::completed, "completed"},
    {request_state::cancelled, "cancelled"},
    {request_state::unfilled, "unfilled"},
}};

constexpr std::array<std::pair<request_event, std::string_view>, 7> event_names{{
    {request_event::offer, "offer"},
    {request_event::assign, "assign"},
    {request_event::confirm, "confirm"},
    {request_event::complete, "complete"},
    {request_event::cancel, "cancel"},
    {request_event::expire, "expire"},
    {request_event::reschedule, "reschedule"},
}};

std::vector<std::string> read_languages(object_reader& r, const char* key,
                                        std::vector<field_error>& errors) {
  std::vector<std::string> languages;
  const auto* list = r.array(key, 20);
  if (list == nullptr) {
    return languages;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto path = r.at(key) + "[" + std::to_string(i) + "]";
    const auto* text = (*list)[i].if_string();
    auto canonical = text != nullptr ? i18n::canonicalize_language_tag(*text)
                                     : i18n::result<std::string>::failure("must be a string");
    if (!canonical) {
      errors.push_back({path, canonical.error});
    } else if (std::find(languages.begin(), languages.end(), *canonical.value) == languages.end()) {
      languages.push_back(std::move(*canonical.value));
    }
  }
  return languages;
}

std::optional<system_clock::time_point> read_instant(object_reader& r, const char* key,
                                                     bool required,
                                                     std::vector<field_error>& errors) {
  auto text = r.string(key, required, 64);
  if (!text) {
    return std::nullopt;
  }
  auto instant = parse_rfc3339(*text);
  if (!instant) {
    errors.push_back({r.at(key),
                      "an RFC 3339 date-time with its offset, e.g. "
                      "\"2026-12-03T15:30:00-05:00\""});
  }
  return instant;
}

}  // namespace

std::string_view to_string(interpretation_mode m) noexcept {
  return name_of(mode_names, m);
}
std::optional<interpretation_mode> interpretation_mode_from(std::string_view text) noexcept {
  return lookup(mode_names, text);
}
std::string_view to_string(meeting_type t) noexcept {
  return name_of(meeting_names, t);
}
std::optional<meeting_type> meeting_type_from(std::string_view text) noexcept {
  return lookup(meeting_names, text);
}
std::string_view to_string(request_state s) noexcept {
  return name_of(state_names, s);
}
std::optional<request_state> request_state_from(std::string_view text) noexcept {
  return lookup(state_names, text);
}
std::string_view to_string(request_event e) noexcept {
  return name_of(event_names, e);
}

bool is_final(request_state s) noexcept {
  return s == request_state::completed || s == request_state::cancelled ||
         s == request_state::unfilled;
}

std::optional<request_state> next_state(request_state from, request_event event) noexcept {
  using s = request_state;
  switch (event) {
    case request_event::offer:
      // Offers go out again when the first round found no one or an assignee dropped out.
      if (from == s::requested || from == s::offered) {
        return s::offered;
      }
      break;
    case request_event::assign:
      if (from == s::requested || from == s::offered) {
        return s::assigned;
      }
      break;
    case request_event::confirm:
      if (from == s::assigned || from == s::confirmed) {
        return s::confirmed;
      }
      break;
    case request_event::complete:
      if (from == s::assigned || from == s::confirmed) {
        return s::completed;
      }
      break;
    case request_event::cancel:
      if (!is_final(from)) {
        return s::cancelled;
      }
      break;
    case request_event::expire:
      if (from == s::requested || from == s::offered) {
        return s::unfilled;
      }
      break;
    case request_event::reschedule:
      if (from == s::assigned || from == s::confirmed) {
        return s::assigned;
      }
      break;
  }
  return std::nullopt;
}

bool is_late_cancellation(request_state before, std::chrono::system_clock::time_point start,
                          std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds window) noexcept {
  const bool booked = before == request_state::assigned || before == request_state::confirmed;
  return booked && start - now < window;
}

interpreter_validation validate_interpreter(std::string_view id, const json::value& input,
                                            std::string_view default_phone_region) {
  std::vector<field_error> errors;
  if (!is_valid_interpreter_id(id)) {
    errors.push_back({"id", "use 1-128 letters, digits, '-', '_' or '.'"});
  }
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"id", "name", "languages", "modes", "phone", "email", "language", "schools",
                    "active", "translator"});
  interpreter i;
  i.id = std::string(id);
  if (auto body_id = r.string("id", false, 128); body_id && *body_id != id) {
    errors.push_back({"id", "does not match the id in the URL"});
  }
  i.name = r.string("name", true).value_or("");
  i.languages = read_languages(r, "languages", errors);
  if (i.languages.empty() && !object->contains("languages")) {
    errors.push_back({"languages", "required: the languages they interpret"});
  }
  if (const auto* modes = r.array("modes", 3)) {
    for (std::size_t k = 0; k < modes->size(); ++k) {
      const auto* text = (*modes)[k].if_string();
      const auto mode = text != nullptr ? interpretation_mode_from(*text) : std::nullopt;
      if (!mode) {
        errors.push_back(
            {"modes[" + std::to_string(k) + "]", "must be \"in_person\", \"phone\" or \"video\""});
      } else if (std::find(i.modes.begin(), i.modes.end(), *mode) == i.modes.end()) {
        i.modes.push_back(*mode);
      }
    }
  }
  if (i.modes.empty()) {
    i.modes = {interpretation_mode::in_person, interpretation_mode::phone,
               interpretation_mode::video};
  }
  if (auto phone = r.string("phone", false, 64)) {
    auto normalized = channels::normalize_phone(*phone, default_phone_region);
    if (normalized.normalized) {
      i.phone = std::move(*normalized.normalized);
    } else {
      errors.push_back({"phone", normalized.error});
    }
  }
  if (auto email = r.string("email", false, 254)) {
    auto normalized = channels::normalize_email(*email);
    if (normalized.normalized) {
      i.email = std::move(*normalized.normalized);
    } else {
      errors.push_back({"email", normalized.error});
    }
  }
  if (i.phone.empty() && i.email.empty() && !object->contains("phone") &&
      !object->contains("email")) {
    errors.push_back({"phone", "a phone or an email is needed to send offers"});
  }
  i.language = "en";
  if (auto language = r.string("language", false, 64)) {
    auto canonical = i18n::canonicalize_language_tag(*language);
    if (canonical) {
      i.language = std::move(*canonical.value);
    } else {
      errors.push_back({"language", canonical.error});
    }
  }
  i.schools = r.id_list("schools", 1000, is_valid_directory_id, id_rule);
  for (const char* flag : {"active", "translator"}) {
    if (const auto* value = object->if_contains(flag); value != nullptr && !value->is_null()) {
      if (!value->is_bool()) {
        errors.push_back({flag, "must be true or false"});
      } else {
        (std::string_view(flag) == "active" ? i.active : i.translator) = value->get_bool();
      }
    }
  }
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(i), {}};
}

json::value to_json(const interpreter& i) {
  json::array modes;
  for (auto m : i.modes) {
    modes.emplace_back(to_string(m));
  }
  json::object o{{"id", i.id},
                 {"name", i.name},
                 {"languages", json::array(i.languages.begin(), i.languages.end())},
                 {"modes", std::move(modes)},
                 {"language", i.language},
                 {"schools", json::array(i.schools.begin(), i.schools.end())},
                 {"active", i.active},
                 {"translator", i.translator}};
  if (!i.phone.empty()) {
    o["phone"] = i.phone;
  }
  if (!i.email.empty()) {
    o["email"] = i.email;
  }
  return o;
}

interpretation_request_validation validate_interpretation_request(
    const json::value& input, std::optional<system_clock::time_point> now,
    std::string_view default_time_zone) {
  std::vector<field_error> errors;
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"school", "family_id", "guardian_id", "language", "mode", "meeting_type",
                    "start", "time_zone", "duration_minutes", "location", "notes", "needed_by"});
  interpretation_request req;
  for (auto [key, member] : {std::pair{"school", &interpretation_request::school},
                             std::pair{"family_id", &interpretation_request::family_id}}) {
    if (auto id = r.string(key, true, 128)) {
      if (!is_valid_directory_id(*id)) {
        errors.push_back({key, std::string(id_rule)});
      }
      req.*member = std::move(*id);
    }
  }
  if (auto guardian = r.string("guardian_id", false, 128)) {
    req.guardian_id = std::move(*guardian);
  }
  if (auto language = r.string("language", true, 64)) {
    auto canonical = i18n::canonicalize_language_tag(*language);
    if (canonical) {
      req.language = std::move(*canonical.value);
    } else {
      errors.push_back({"language", canonical.error});
    }
  }
  if (auto mode = r.string("mode", false, 16)) {
    if (auto parsed = interpretation_mode_from(*mode)) {
      req.mode = *parsed;
    } else {
      errors.push_back({"mode", "must be \"in_person\", \"phone\" or \"video\""});
    }
  }
  if (auto type = r.string("meeting_type", true, 16)) {
    if (auto parsed = meeting_type_from(*type)) {
      req.meeting = *parsed;
    } else {
      errors.push_back(
          {"meeting_type", "one of iep, 504, conference, discipline, orientation, other"});
    }
  }
  req.time_zone = r.string("time_zone", false, 64).value_or(std::string(default_time_zone));
  if (!i18n::is_known_time_zone(req.time_zone)) {
    errors.push_back({"time_zone", "not an IANA time zone like \"America/Chicago\""});
  }
  const auto start = read_instant(r, "start", true, errors);
  // The default deadline is only worked out from a start that was accepted: an instant centuries
  // away minus `now` does not fit in system_clock's 64-bit nanoseconds.
  bool start_accepted = false;
  if (start) {
    req.start = *start;
    if (now && *start <= *now) {
      errors.push_back({"start", "is in the past"});
    } else if (now && *start > *now + std::chrono::days(366)) {
      errors.push_back({"start", "at most a year ahead"});
    } else {
      start_accepted = now.has_value() || *start >= system_clock::time_point{};
    }
  }
  if (const auto* minutes = object->if_contains("duration_minutes"); minutes != nullptr) {
    const auto value = minutes->is_int64() ? minutes->get_int64() : -1;
    if (value < min_meeting_duration.count() || value > max_meeting_duration.count()) {
      errors.push_back({"duration_minutes", "a whole number of minutes from 15 to 480"});
    } else {
      req.duration = std::chrono::minutes(value);
    }
  }
  req.location = r.string("location", false, 500).value_or("");
  req.notes = r.string("notes", false, 2000).value_or("");
  if (const auto needed = read_instant(r, "needed_by", false, errors)) {
    req.needed_by = *needed;
    if (start && *needed > *start) {
      errors.push_back({"needed_by", "after the meeting starts"});
    }
  } else if (start_accepted && !object->contains("needed_by")) {
    const auto left = now ? *start - *now : std::chrono::hours(96);
    req.needed_by = left >= std::chrono::hours(96)
                        ? *start - std::chrono::hours(48)
                        : *start - std::chrono::duration_cast<system_clock::duration>(left / 2);
  }
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(req), {}};
}

json::value to_json(const interpretation_request& r) {
  json::object o{{"school", r.school},
                 {"family_id", r.family_id},
                 {"language", r.language},
                 {"mode", to_string(r.mode)},
                 {"meeting_type", to_string(r.meeting)},
                 {"start", format_rfc3339_utc(r.start)},
                 {"time_zone", r.time_zone},
                 {"duration_minutes", r.duration.count()},
                 {"needed_by", format_rfc3339_utc(r.needed_by)}};
  if (!r.guardian_id.empty()) {
    o["guardian_id"] = r.guardian_id;
  }
  if (!r.location.empty()) {
    o["location"] = r.location;
  }
  if (!r.notes.empty()) {
    o["notes"] = r.notes;
  }
  return o;
}

std::string new_interpretation_request_id(system_clock::time_point now) {
  return new_time_ordered_id("ir_", now);
}

bool looks_like_interpretation_request_id(std::string_view id) {
  return looks_like_time_ordered_id(id, "ir_");
}

bool is_valid_interpreter_id(std::string_view id) {
  return is_valid_directory_id(id) && id.find(':') == std::string_view::npos;
}

}  // namespace liaison::services
