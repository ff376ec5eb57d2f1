// Interpretation requests and the interpreter pool, as plain values: validation and the request
// state machine (DESIGN.md §4): requested → offered → assigned → confirmed → completed, or
// cancelled / unfilled. Every transition is checked here; the store records them.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/field_error.hpp"

namespace liaison::services {

enum class interpretation_mode { in_person, phone, video };
std::string_view to_string(interpretation_mode m) noexcept;
std::optional<interpretation_mode> interpretation_mode_from(std::string_view text) noexcept;

enum class meeting_type { iep, section_504, conference, discipline, orientation, other };
std::string_view to_string(meeting_type t) noexcept;
std::optional<meeting_type> meeting_type_from(std::string_view text) noexcept;

// An interpreter or translator of the district's pool (staff or contractor).
struct interpreter {
  std::string id;
  std::string name;
  std::vector<std::string> languages;  // canonical BCP 47: the languages they interpret
  std::vector<interpretation_mode> modes;
  std::string phone;  // E.164: offers come by SMS
  std::string email;
  std::string language;              // the language offers are written in (default "en")
  std::vector<std::string> schools;  // empty: every school
  bool active = true;
  bool translator = false;  // also takes document translations

  bool operator==(const interpreter&) const = default;
};

struct interpreter_validation {
  std::optional<interpreter> value;
  std::vector<field_error> errors;
};
interpreter_validation validate_interpreter(std::string_view id, const boost::json::value& input,
                                            std::string_view default_phone_region = "US");
boost::json::value to_json(const interpreter& i);

enum class request_state {
  requested,
  offered,
  assigned,
  confirmed,
  completed,
  cancelled,
  unfilled
};
std::string_view to_string(request_state s) noexcept;
std::optional<request_state> request_state_from(std::string_view text) noexcept;

// What moves a request. `offer`: offers went out; `assign`: an interpreter accepted; `confirm`:
// the family confirmed; `complete`: the meeting took place; `cancel`: the coordinator or school
// cancelled; `expire`: nobody accepted by the deadline; `reschedule`: the family asked for
// another time (the request stays assigned, no longer confirmed, until the coordinator acts).
enum class request_event { offer, assign, confirm, complete, cancel, expire, reschedule };
std::string_view to_string(request_event e) noexcept;

// The state after `event`, or nullopt when the event is illegal in `from` (an API answers 409).
std::optional<request_state> next_state(request_state from, request_event event) noexcept;
bool is_final(request_state s) noexcept;

// A cancellation is late when an interpreter was booked (assigned or confirmed) and the meeting
// starts within `window` (vendors charge for those).
bool is_late_cancellation(request_state before, std::chrono::system_clock::time_point start,
                          std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds window) noexcept;

struct interpretation_request {
  std::string id;
  std::string school;
  std::string family_id;
  std::string guardian_id;  // empty: the family's first guardian
  std::string language;     // canonical BCP 47: the family's language at the meeting
  interpretation_mode mode = interpretation_mode::in_person;
  meeting_type meeting = meeting_type::other;
  std::chrono::system_clock::time_point start;
  std::string time_zone;  // IANA zone of the meeting (the school's)
  std::chrono::minutes duration{60};
  std::string location;  // room, address or dial-in
  std::string notes;
  // When it must be filled, else the coordinator calls a vendor. Default: 48 h before the start
  // (or half the time left, when less than 96 h remain).
  std::chrono::system_clock::time_point needed_by;
};

inline constexpr auto min_meeting_duration = std::chrono::minutes(15);
inline constexpr auto max_meeting_duration = std::chrono::minutes(8 * 60);

struct interpretation_request_validation {
  std::optional<interpretation_request> value;
  std::vector<field_error> errors;
};
// `now` given: the start must be in the future (a stored request is read back without it).
interpretation_request_validation validate_interpretation_request(
    const boost::json::value& input, std::optional<std::chrono::system_clock::time_point> now,
    std::string_view default_time_zone);
boost::json::value to_json(const interpretation_request& r);

std::string new_interpretation_request_id(std::chrono::system_clock::time_point now);
bool looks_like_interpretation_request_id(std::string_view id);

// An interpreter's id: a directory id without ':'. Its Redis keys are "interpreter:<id>" and
// "interpreter:<id>:languages", so an id "x:languages" would be another interpreter's key.
bool is_valid_interpreter_id(std::string_view id);

}  // namespace liaison::services
