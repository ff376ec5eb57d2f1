// An announcement (POST /v1/announcements): what a school or the district says once, to an
// audience, to be read by every family in its own language. Validation and the JSON forms are
// plain functions; fan-out (announcement_plan.hpp) and rendering use the validated value.
// The rules are written down in docs/announcements.md.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "i18n/localization.hpp"
#include "i18n/message_format.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

// Who receives it: the union of every selector. `grades` alone are those grades in every school
// the caller may address; with `schools`, those grades in those schools.
struct audience {
  bool all = false;  // every family of the district
  std::vector<std::string> schools;
  std::vector<std::string> grades;
  std::vector<std::string> family_ids;
  // Only these guardians of the named families (a message to one parent); empty = all of them.
  std::vector<std::string> guardian_ids;
  std::vector<std::string> tags;

  bool operator==(const audience&) const = default;
};

// One language's text: ICU MessageFormat patterns with named arguments.
struct announcement_text {
  std::string subject;  // email subject; required when email is among the channels
  std::string body;

  bool operator==(const announcement_text&) const = default;
};

// A question families answer by text ("Reply 1 to register, 2 if you need childcare"): each
// option has a label (what is counted) and the replies that mean it ("1", "YES", "SÍ"), compared
// case-, accent- and width-insensitively (i18n::normalize_reply).
struct rsvp_option {
  std::string label;
  std::vector<std::string> answers;
  // "Reply 3 if you need an interpreter": the meeting's details as an interpretation request
  // (JSON: mode, meeting_type, start, duration_minutes, location, notes, needed_by…) without
  // school, family or language; a family's first answer with this option files one for it.
  // Empty: the option is only counted.
  std::string interpretation{};

  bool operator==(const rsvp_option&) const = default;
};

inline constexpr std::size_t max_rsvp_options = 9;

struct announcement {
  std::string id;
  std::string school;  // the school it is sent for ("Message from …"); empty = the district
  audience to;
  std::vector<config::channel> channels;
  config::priority priority = config::priority::normal;
  std::string source_language;  // canonical BCP 47: the language `original` is written in
  announcement_text original;
  std::map<std::string, announcement_text> translations;  // human translations, canonical tag
  i18n::machine_translation_policy machine_translation = i18n::machine_translation_policy::never;
  // Values of the announcement's own arguments ({workshop_date}, {room}); dates are instants.
  i18n::message_arguments arguments;
  std::optional<std::chrono::system_clock::time_point> send_at;
  std::vector<rsvp_option> rsvp;  // empty: no question
  // Machine translations of `original`, per provider target language: made once when fan-out
  // starts and stored beside the announcement (never read from the API's input, never in its
  // JSON form), so every instance and every family of a language get the same text.
  std::map<std::string, announcement_text> machine_translations;
};

// The option a reply chooses, or -1.
int rsvp_choice(const announcement& a, std::string_view reply);

// Arguments every recipient brings: a pattern may use them without giving values.
inline constexpr std::string_view recipient_arguments[] = {"guardian_name", "student_names",
                                                           "school"};

inline constexpr std::size_t max_audience_selectors = 1000;  // per list
inline constexpr std::size_t max_translations = 100;
inline constexpr std::size_t max_arguments = 50;
// How far ahead an announcement may be scheduled.
inline constexpr auto max_schedule_ahead = std::chrono::days(366);

struct announcement_validation {
  std::optional<announcement> value;
  std::vector<field_error> errors;  // every problem, with its JSON path
};

// Checks everything that can be checked without the directory: every pattern parses and uses
// only known arguments of the right kind, languages are valid, send_at is in the future (when
// `now` is given: a stored announcement is read back without it). `id` is not read from input.
announcement_validation validate_announcement(
    const boost::json::value& input, std::optional<std::chrono::system_clock::time_point> now);

// The canonical JSON form (the API's and the stored one): dates as RFC 3339 in UTC. Reading it
// back with validate_announcement gives the same announcement.
boost::json::value to_json(const announcement& a);

// The text in `language` (a key of translations, or the source language), or nullptr.
const announcement_text* text_in(const announcement& a, std::string_view language);

// Languages with a human-written text: the source language and every translation.
std::vector<std::string> human_languages(const announcement& a);

// The languages a machine translation was stored for (the planner's machine_languages).
std::vector<std::string> machine_languages(const announcement& a);

// A new announcement id: "ann_" + milliseconds since the epoch + 64 random bits.
std::string new_announcement_id(std::chrono::system_clock::time_point now);
bool looks_like_announcement_id(std::string_view id);

}  // namespace liaison::services
