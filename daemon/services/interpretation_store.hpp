// The interpreter pool and interpretation requests in Redis (hash tag {i}):
//   <prefix>:{i}:interpreter:<id>                JSON
//   <prefix>:{i}:interpreters:language:<tag>     set of interpreter ids (for matching offers)
//   <prefix>:{i}:request:<id>                    hash: json, state, assigned_to, who, when
//   <prefix>:{i}:request:<id>:history            stream: every transition (from, to, event,
//                                                by, at, note)
//   <prefix>:{i}:requests                        sorted set of request ids by creation time
//   <prefix>:{i}:deadlines                       sorted set: requests waiting for an
//                                                interpreter, by needed_by
//   <prefix>:{i}:reminders                       sorted set: "<request id>|<offset>" by the
//                                                time the reminder is due
//   <prefix>:{i}:awaiting:<phone>                the request a family's 1/2 answers (expires
//                                                when the meeting starts)
// Transitions are compare-and-set in one script: with several liaisond instances, a transition
// computed from a state that changed meanwhile is refused, never applied twice.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/services/interpretation.hpp"
#include "daemon/services/translation_request.hpp"
#include "queue/lua_script.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::services {

struct request_transition {
  std::string from;
  std::string to;
  std::string event;
  std::string by;
  std::string at;
  std::string note;
};

struct stored_request {
  interpretation_request value;
  request_state state = request_state::requested;
  std::string assigned_to;  // interpreter id
  std::string created_by;
  std::string created_at;
  bool late_cancellation = false;  // cancelled within the window after an interpreter was booked
  std::vector<request_transition> history;
};

enum class transition_result { applied, illegal, not_found };

// A translation request as stored, with each target language's state (docs/interpretation.md).
struct stored_translation {
  translation_request value;
  std::map<std::string, translation_state> states;  // target language -> state
  std::map<std::string, std::string> translators;   // target language -> translator id
  std::map<std::string, std::string> texts;         // target language -> delivered translation
  std::string created_by;
  std::string created_at;
};

struct translation_step_outcome {
  transition_result result = transition_result::applied;
  translation_state state = translation_state::requested;  // after, or as found
};

struct transition_outcome {
  transition_result result = transition_result::applied;
  request_state state = request_state::requested;  // after (applied) or as found (illegal)
};

class interpretation_store {
 public:
  interpretation_store(queue::redis_connection& redis, std::string key_prefix);

  // True when new. The language index follows the interpreter's languages.
  boost::asio::awaitable<boost::system::result<bool>> put_interpreter(const interpreter& i);
  boost::asio::awaitable<boost::system::result<std::optional<interpreter>>> get_interpreter(
      std::string_view id);

  // Active interpreters of `language` or its base language (es-MX: es-MX and es).
  boost::asio::awaitable<boost::system::result<std::vector<interpreter>>> interpreters_for_language(
      std::string_view language);

  // Offers: a 4-digit code per open request (reserved until the deadline, so no two open
  // requests share one), and which numbers it was offered to (number -> interpreter id).
  boost::asio::awaitable<boost::system::result<bool>> reserve_offer_code(
      std::string_view code, std::string_view request_id,
      std::chrono::system_clock::time_point until);
  boost::asio::awaitable<boost::system::result<void>> note_offers(
      std::string_view request_id, std::string_view code,
      const std::vector<std::pair<std::string, std::string>>& phone_to_interpreter);
  // The request and interpreter a code means for this number, if it was offered to it.
  boost::asio::awaitable<boost::system::result<std::optional<std::pair<std::string, std::string>>>>
  find_offer(std::string_view code, std::string_view phone);

  // Every number a code was offered to, with its interpreter.
  boost::asio::awaitable<boost::system::result<std::vector<std::pair<std::string, std::string>>>>
  offered_numbers(std::string_view code);

  // Requests still waiting for an interpreter whose deadline (needed_by) is at or before `now`.
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> past_deadline(
      std::chrono::system_clock::time_point now, std::size_t count);

  boost::asio::awaitable<boost::system::result<void>> create_request(
      const interpretation_request& r, std::string_view by,
      std::chrono::system_clock::time_point now);
  boost::asio::awaitable<boost::system::result<std::optional<stored_request>>> load_request(
      std::string_view id);
  // The newest `count` requests (with their state), newest first.
  boost::asio::awaitable<boost::system::result<std::vector<stored_request>>> recent_requests(
      std::size_t count);

  // Requests created in [from, to), oldest first, with their history (reports); at most `max`.
  boost::asio::awaitable<boost::system::result<std::vector<stored_request>>>
  requests_created_between(std::chrono::system_clock::time_point from,
                           std::chrono::system_clock::time_point to, std::size_t max);

  // Claims the one request a family may file through an announcement's RSVP: true when this
  // call is the first (SET NX, kept 90 days).
  boost::asio::awaitable<boost::system::result<bool>> claim_rsvp_request(
      std::string_view announcement_id, std::string_view family_id, std::string_view request_id);

  // Reminders: each member ("<request id>|<offset>") is due at its time.
  boost::asio::awaitable<boost::system::result<void>> add_reminders(
      const std::vector<std::pair<std::chrono::system_clock::time_point, std::string>>& due);
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> due_reminders(
      std::chrono::system_clock::time_point now, std::size_t count);
  boost::asio::awaitable<boost::system::result<void>> remove_reminder(std::string_view member);

  // The request a family's number answers with 1 or 2 (the last reminder it got), until `until`.
  boost::asio::awaitable<boost::system::result<void>> await_family_answer(
      std::string_view phone, std::string_view request_id,
      std::chrono::system_clock::time_point until);
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> awaited_request(
      std::string_view phone);
  boost::asio::awaitable<boost::system::result<void>> forget_family_answer(std::string_view phone);

  // Translation requests: <prefix>:{i}:translation:<id> (hash: json, created_by, created_at,
  // state:<language>, translator:<language>, text:<language>), <prefix>:{i}:translations
  // (sorted set by creation time).
  boost::asio::awaitable<boost::system::result<void>> create_translation(
      const translation_request& r, std::string_view by, std::chrono::system_clock::time_point now);
  boost::asio::awaitable<boost::system::result<std::optional<stored_translation>>> load_translation(
      std::string_view id);
  boost::asio::awaitable<boost::system::result<std::vector<stored_translation>>>
  recent_translations(std::size_t count);
  // One target language's step, compare-and-set like `transition`; `extra` fields are stored
  // with it (translator:<language>, text:<language>…).
  // (Overloads, not a defaulted argument: GCC 12 destroys a coroutine's defaulted class-type
  // argument twice; docs/architecture.md, "Compiler notes".)
  boost::asio::awaitable<boost::system::result<translation_step_outcome>> translation_step(
      std::string_view id, std::string_view language, translation_event event,
      std::map<std::string, std::string> extra);
  boost::asio::awaitable<boost::system::result<translation_step_outcome>> translation_step(
      std::string_view id, std::string_view language, translation_event event);

  // Applies `event` if the state machine allows it from the current state (checked and
  // written atomically); `extra` fields are stored with it (assigned_to…).
  boost::asio::awaitable<boost::system::result<transition_outcome>> transition(
      std::string_view id, request_event event, std::string_view by, std::string_view note,
      std::chrono::system_clock::time_point now, std::map<std::string, std::string> extra);
  boost::asio::awaitable<boost::system::result<transition_outcome>> transition(
      std::string_view id, request_event event, std::string_view by, std::string_view note,
      std::chrono::system_clock::time_point now);

 private:
  std::string key(std::string_view suffix) const;
  // Members of a sorted set scored at or before `now` (ms since the epoch), at most `count`.
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> due_members(
      std::string set, std::chrono::system_clock::time_point now, std::size_t count);

  queue::redis_connection& redis_;
  std::string prefix_;
  queue::lua_script put_interpreter_script_;
  queue::lua_script transition_script_;
  queue::lua_script field_cas_script_;
};

}  // namespace liaison::services
