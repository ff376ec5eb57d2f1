#include "daemon/services/interpretation_store.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

// Replaces an interpreter and moves its language index entries; the languages it is indexed
// under are kept in a set next to the document, so they are removed even if the rules change.
// KEYS[1] interpreter, KEYS[2] its indexed languages; ARGV[1] id, ARGV[2] JSON, ARGV[3] language
// index key prefix, ARGV[4..] the languages to index it under (none when inactive).
constexpr const char* put_interpreter_source = R"lua(
local existed = redis.call('EXISTS', KEYS[1])
for _, language in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('SREM', ARGV[3] .. language, ARGV[1])
end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], ARGV[2])
for i = 4, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SADD', ARGV[3] .. ARGV[i], ARGV[1])
end
return existed
)lua";

// Compare-and-set of a request's state with its history entry. KEYS[1] request, KEYS[2]
// history, KEYS[3] the deadlines set; ARGV[1] expected state, ARGV[2] new state, ARGV[3] event,
// ARGV[4] by, ARGV[5] at, ARGV[6] note, ARGV[7] request id, ARGV[8..] extra field, value...
// Returns 'ok', 'not_found' or the current state. A request that is no longer waiting for an
// interpreter leaves the deadlines set.
constexpr const char* transition_source = R"lua(
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return 'not_found' end
if current ~= ARGV[1] then return current end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_at', ARGV[5])
if ARGV[2] ~= 'requested' and ARGV[2] ~= 'offered' then redis.call('ZREM', KEYS[3], ARGV[7]) end
if #ARGV > 7 then redis.call('HSET', KEYS[1], unpack(ARGV, 8)) end
redis.call('XADD', KEYS[2], '*', 'from', current, 'to', ARGV[2], 'event', ARGV[3],
           'by', ARGV[4], 'at', ARGV[5], 'note', ARGV[6])
return 'ok'
)lua";

// Compare-and-set of one hash field. KEYS[1] hash; ARGV[1] field, ARGV[2] expected, ARGV[3] new
// value, ARGV[4..] extra field, value... Returns 'ok', 'not_found' or the current value.
constexpr const char* field_cas_source = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not_found' end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current ~= ARGV[2] then return current or '' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if #ARGV > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
return 'ok'
)lua";

boost::system::error_code redis_failure() {
  return boost::system::errc::make_error_code(boost::system::errc::io_error);
}

std::map<std::string, std::string> pairs(const queue::redis_reply& reply) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    fields[reply.elements[i].text] = reply.elements[i + 1].text;
  }
  return fields;
}

std::optional<stored_request> request_from(const std::map<std::string, std::string>& fields) {
  const auto json_text = fields.find("json");
  if (json_text == fields.end()) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto json = boost::json::parse(json_text->second, ec);
  if (ec) {
    return std::nullopt;
  }
  auto validated = validate_interpretation_request(json, std::nullopt, "UTC");
  if (!validated.value) {
    return std::nullopt;
  }
  stored_request out;
  out.value = std::move(*validated.value);
  const auto get = [&fields](const char* key) {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  };
  out.value.id = get("id");
  out.state = request_state_from(get("state")).value_or(request_state::requested);
  out.assigned_to = get("assigned_to");
  out.created_by = get("created_by");
  out.created_at = get("created_at");
  out.late_cancellation = get("late_cancellation") == "true";
  return out;
}

void add_history(stored_request& stored, const queue::redis_reply& entries) {
  for (const auto& entry : entries.elements) {
    if (entry.elements.size() != 2) {
      continue;
    }
    auto f = pairs(entry.elements[1]);
    stored.history.push_back({f["from"], f["to"], f["event"], f["by"], f["at"], f["note"]});
  }
}

std::string milliseconds_since_epoch(system_clock::time_point t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

interpretation_store::interpretation_store(queue::redis_connection& redis, std::string key_prefix)
    : redis_(redis),
      prefix_(std::move(key_prefix)),
      put_interpreter_script_(put_interpreter_source),
      transition_script_(transition_source),
      field_cas_script_(field_cas_source) {}

std::string interpretation_store::key(std::string_view suffix) const {
  return prefix_ + ":{i}:" + std::string(suffix);
}

boost::asio::awaitable<boost::system::result<bool>> interpretation_store::put_interpreter(
    const interpreter& i) {
  std::vector<std::string> keys = {key("interpreter:" + i.id),
                                   key("interpreter:" + i.id + ":languages")};
  std::vector<std::string> args = {i.id, boost::json::serialize(to_json(i)),
                                   key("interpreters:language:")};
  if (i.active) {
    args.insert(args.end(), i.languages.begin(), i.languages.end());
  }
  auto reply = co_await put_interpreter_script_.run(redis_, std::move(keys), std::move(args));
  if (!reply) {
    co_return boost::system::result<bool>{boost::system::in_place_error, reply.error()};
  }
  co_return reply->integer == 0;
}

boost::asio::awaitable<boost::system::result<std::optional<interpreter>>>
interpretation_store::get_interpreter(std::string_view id) {
  std::vector<std::string> command = {"GET", key("interpreter:" + std::string(id))};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return std::optional<interpreter>{};
  }
  boost::system::error_code ec;
  const auto json = boost::json::parse(reply->text, ec);
  if (ec) {
    co_return redis_failure();
  }
  auto validated = validate_interpreter(id, json);
  if (!validated.value) {
    co_return redis_failure();
  }
  co_return validated.value;
}

boost::asio::awaitable<boost::system::result<std::vector<interpreter>>>
interpretation_store::interpreters_for_language(std::string_view language) {
  const auto base = language.substr(0, language.find('-'));
  std::vector<std::string> command = {"SUNION",
                                      key("interpreters:language:" + std::string(language)),
                                      key("interpreters:language:" + std::string(base))};
  auto ids = co_await redis_.exec_one(std::move(command));
  if (!ids) {
    co_return ids.error();
  }
  std::vector<interpreter> found;
  for (const auto& id : ids->elements) {
    auto one = co_await get_interpreter(id.text);
    if (!one) {
      co_return one.error();
    }
    if (*one) {
      found.push_back(std::move(**one));
    }
  }
  // Deterministic order (offers go out in the same order every time).
  std::sort(found.begin(), found.end(),
            [](const interpreter& a, const interpreter& b) { return a.id < b.id; });
  co_return found;
}

boost::asio::awaitable<boost::system::result<bool>> interpretation_store::reserve_offer_code(
    std::string_view code, std::string_view request_id, system_clock::time_point until) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until.time_since_epoch());
  std::vector<std::string> command = {
      "SET",  key("offer:" + std::string(code)), std::string(request_id), "NX",
      "PXAT", std::to_string(ms.count())};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return boost::system::result<bool>{boost::system::in_place_error, reply.error()};
  }
  co_return !reply->is_nil();
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::note_offers(
    std::string_view request_id, std::string_view code,
    const std::vector<std::pair<std::string, std::string>>& phone_to_interpreter) {
  std::vector<std::string> hset = {"HSET", key("offer:" + std::string(code) + ":numbers")};
  for (const auto& [phone, id] : phone_to_interpreter) {
    hset.push_back(phone);
    hset.push_back(id);
  }
  queue::redis_request request;
  request.push(std::move(hset));
  // The numbers expire with the code.
  request.push({"PEXPIRETIME", key("offer:" + std::string(code))});
  if (!request_id.starts_with("tr_")) {  // a translation's offers are "<id>|<language>"
    request.push({"HSET", key("request:" + std::string(request_id)), "offer_code", code});
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  const auto expires = (*replies)[1].integer;
  if (expires > 0) {
    std::vector<std::string> command = {"PEXPIREAT", key("offer:" + std::string(code) + ":numbers"),
                                        std::to_string(expires)};
    if (auto set = co_await redis_.exec_one(std::move(command)); !set) {
      co_return set.error();
    }
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<std::pair<std::string, std::string>>>>
interpretation_store::find_offer(std::string_view code, std::string_view phone) {
  queue::redis_request request;
  request.push({"GET", key("offer:" + std::string(code))});
  request.push({"HGET", key("offer:" + std::string(code) + ":numbers"), phone});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if ((*replies)[0].is_nil() || (*replies)[1].is_nil()) {
    co_return std::optional<std::pair<std::string, std::string>>{};
  }
  co_return std::optional<std::pair<std::string, std::string>>{
      std::pair{(*replies)[0].text, (*replies)[1].text}};
}

boost::asio::awaitable<boost::system::result<std::vector<std::pair<std::string, std::string>>>>
interpretation_store::offered_numbers(std::string_view code) {
  std::vector<std::string> command = {"HGETALL", key("offer:" + std::string(code) + ":numbers")};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  std::vector<std::pair<std::string, std::string>> numbers;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    numbers.emplace_back(reply->elements[i].text, reply->elements[i + 1].text);
  }
  co_return numbers;
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
interpretation_store::past_deadline(system_clock::time_point now, std::size_t count) {
  co_return co_await due_members(key("deadlines"), now, count);
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
interpretation_store::due_members(std::string set, system_clock::time_point now,
                                  std::size_t count) {
  std::vector<std::string> command = {
      "ZRANGEBYSCORE",      std::move(set), "-inf", milliseconds_since_epoch(now), "LIMIT", "0",
      std::to_string(count)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  std::vector<std::string> members;
  for (const auto& element : reply->elements) {
    members.push_back(element.text);
  }
  co_return members;
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::create_request(
    const interpretation_request& r, std::string_view by, system_clock::time_point now) {
  const auto at = format_rfc3339_utc(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  queue::redis_request request;
  request.push({"MULTI"});
  request.push({"HSET", key("request:" + r.id), "id", r.id, "json",
                boost::json::serialize(to_json(r)), "state", to_string(request_state::requested),
                "created_by", by, "created_at", at, "updated_at", at});
  request.push({"XADD", key("request:" + r.id + ":history"), "*", "from", "", "to",
                to_string(request_state::requested), "event", "create", "by", by, "at", at, "note",
                ""});
  request.push({"ZADD", key("requests"), std::to_string(ms.count()), r.id});
  const auto deadline =
      std::chrono::duration_cast<std::chrono::milliseconds>(r.needed_by.time_since_epoch());
  request.push({"ZADD", key("deadlines"), std::to_string(deadline.count()), r.id});
  request.push({"EXEC"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!queue::transaction_succeeded(*replies)) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<stored_request>>>
interpretation_store::load_request(std::string_view id) {
  queue::redis_request request;
  request.push({"HGETALL", key("request:" + std::string(id))});
  request.push({"XRANGE", key("request:" + std::string(id) + ":history"), "-", "+"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  const auto& fields = (*replies)[0];
  if (fields.kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  if (fields.elements.empty()) {
    co_return std::optional<stored_request>{};
  }
  auto stored = request_from(pairs(fields));
  if (!stored) {
    co_return redis_failure();
  }
  add_history(*stored, (*replies)[1]);
  co_return stored;
}

boost::asio::awaitable<boost::system::result<std::vector<stored_request>>>
interpretation_store::recent_requests(std::size_t count) {
  std::vector<std::string> command = {"ZREVRANGE", key("requests"), "0",
                                      std::to_string(count == 0 ? 0 : count - 1)};
  auto ids = co_await redis_.exec_one(std::move(command));
  if (!ids) {
    co_return ids.error();
  }
  queue::redis_request request;
  for (const auto& id : ids->elements) {
    request.push({"HGETALL", key("request:" + id.text)});
  }
  std::vector<stored_request> out;
  if (request.empty()) {
    co_return out;
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& reply : *replies) {
    if (auto stored = request_from(pairs(reply))) {
      out.push_back(std::move(*stored));
    }
  }
  co_return out;
}

boost::asio::awaitable<boost::system::result<std::vector<stored_request>>>
interpretation_store::requests_created_between(system_clock::time_point from,
                                               system_clock::time_point to, std::size_t max) {
  std::vector<std::string> command = {"ZRANGEBYSCORE",
                                      key("requests"),
                                      milliseconds_since_epoch(from),
                                      "(" + milliseconds_since_epoch(to),
                                      "LIMIT",
                                      "0",
                                      std::to_string(max)};
  auto ids = co_await redis_.exec_one(std::move(command));
  if (!ids) {
    co_return ids.error();
  }
  std::vector<stored_request> out;
  // One round trip per page of requests: each request's hash and history.
  constexpr std::size_t page = 200;
  for (std::size_t first = 0; first < ids->elements.size(); first += page) {
    const auto last = std::min(ids->elements.size(), first + page);
    queue::redis_request request;
    for (std::size_t i = first; i < last; ++i) {
      const auto& id = ids->elements[i].text;
      request.push({"HGETALL", key("request:" + id)});
      request.push({"XRANGE", key("request:" + id + ":history"), "-", "+"});
    }
    auto replies = co_await redis_.exec(request);
    if (!replies) {
      co_return replies.error();
    }
    for (std::size_t i = 0; i + 1 < replies->size(); i += 2) {
      if (auto stored = request_from(pairs((*replies)[i]))) {
        add_history(*stored, (*replies)[i + 1]);
        out.push_back(std::move(*stored));
      }
    }
  }
  co_return out;
}

boost::asio::awaitable<boost::system::result<bool>> interpretation_store::claim_rsvp_request(
    std::string_view announcement_id, std::string_view family_id, std::string_view request_id) {
  constexpr auto kept = std::chrono::days(90);
  std::vector<std::string> command = {
      "SET",
      key("rsvp-request:" + std::string(announcement_id) + ":" + std::string(family_id)),
      std::string(request_id),
      "NX",
      "PX",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(kept).count())};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return boost::system::result<bool>{boost::system::in_place_error, reply.error()};
  }
  co_return !reply->is_nil();
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::add_reminders(
    const std::vector<std::pair<system_clock::time_point, std::string>>& due) {
  if (due.empty()) {
    co_return boost::system::result<void>{};
  }
  std::vector<std::string> command = {"ZADD", key("reminders")};
  for (const auto& [at, member] : due) {
    command.push_back(milliseconds_since_epoch(at));
    command.push_back(member);
  }
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
interpretation_store::due_reminders(system_clock::time_point now, std::size_t count) {
  co_return co_await due_members(key("reminders"), now, count);
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::remove_reminder(
    std::string_view member) {
  std::vector<std::string> command = {"ZREM", key("reminders"), std::string(member)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::await_family_answer(
    std::string_view phone, std::string_view request_id, system_clock::time_point until) {
  std::vector<std::string> command = {"SET", key("awaiting:" + std::string(phone)),
                                      std::string(request_id), "PXAT",
                                      milliseconds_since_epoch(until)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_store::awaited_request(std::string_view phone) {
  std::vector<std::string> command = {"GET", key("awaiting:" + std::string(phone))};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return std::optional<std::string>{};
  }
  co_return std::optional<std::string>{reply->text};
}

boost::asio::awaitable<boost::system::result<void>> interpretation_store::forget_family_answer(
    std::string_view phone) {
  std::vector<std::string> command = {"DEL", key("awaiting:" + std::string(phone))};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

namespace {

std::optional<stored_translation> translation_from(
    const std::map<std::string, std::string>& fields) {
  const auto json_text = fields.find("json");
  if (json_text == fields.end()) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto json = boost::json::parse(json_text->second, ec);
  if (ec) {
    return std::nullopt;
  }
  auto validated = validate_translation_request(json, std::nullopt);
  if (!validated.value) {
    return std::nullopt;
  }
  stored_translation out;
  out.value = std::move(*validated.value);
  for (const auto& [field, value] : fields) {
    if (field == "id") {
      out.value.id = value;
    } else if (field == "created_by") {
      out.created_by = value;
    } else if (field == "created_at") {
      out.created_at = value;
    } else if (field.starts_with("state:")) {
      out.states[field.substr(6)] =
          translation_state_from(value).value_or(translation_state::requested);
    } else if (field.starts_with("translator:")) {
      out.translators[field.substr(11)] = value;
    } else if (field.starts_with("text:")) {
      out.texts[field.substr(5)] = value;
    }
  }
  return out;
}

}  // namespace

boost::asio::awaitable<boost::system::result<void>> interpretation_store::create_translation(
    const translation_request& r, std::string_view by, system_clock::time_point now) {
  std::vector<std::string> hset = {"HSET",       key("translation:" + r.id),
                                   "id",         r.id,
                                   "json",       boost::json::serialize(to_json(r)),
                                   "created_by", std::string(by),
                                   "created_at", format_rfc3339_utc(now)};
  for (const auto& language : r.target_languages) {
    hset.push_back("state:" + language);
    hset.push_back(std::string(to_string(translation_state::requested)));
  }
  queue::redis_request request;
  request.push({"MULTI"});
  request.push(std::move(hset));
  request.push({"ZADD", key("translations"), milliseconds_since_epoch(now), r.id});
  request.push({"EXEC"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!queue::transaction_succeeded(*replies)) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<stored_translation>>>
interpretation_store::load_translation(std::string_view id) {
  std::vector<std::string> command = {"HGETALL", key("translation:" + std::string(id))};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->elements.empty()) {
    co_return std::optional<stored_translation>{};
  }
  auto stored = translation_from(pairs(*reply));
  if (!stored) {
    co_return redis_failure();
  }
  co_return stored;
}

boost::asio::awaitable<boost::system::result<std::vector<stored_translation>>>
interpretation_store::recent_translations(std::size_t count) {
  std::vector<std::string> command = {"ZREVRANGE", key("translations"), "0",
                                      std::to_string(count == 0 ? 0 : count - 1)};
  auto ids = co_await redis_.exec_one(std::move(command));
  if (!ids) {
    co_return ids.error();
  }
  std::vector<stored_translation> out;
  queue::redis_request request;
  for (const auto& id : ids->elements) {
    request.push({"HGETALL", key("translation:" + id.text)});
  }
  if (request.empty()) {
    co_return out;
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& reply : *replies) {
    if (auto stored = translation_from(pairs(reply))) {
      out.push_back(std::move(*stored));
    }
  }
  co_return out;
}

boost::asio::awaitable<boost::system::result<translation_step_outcome>>
interpretation_store::translation_step(std::string_view id, std::string_view language,
                                       translation_event event,
                                       std::map<std::string, std::string> extra) {
  const auto hash = key("translation:" + std::string(id));
  const auto field = "state:" + std::string(language);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<std::string> command = {"HGET", hash, field};
    auto current = co_await redis_.exec_one(std::move(command));
    if (!current) {
      co_return current.error();
    }
    if (current->is_nil()) {
      co_return translation_step_outcome{transition_result::not_found,
                                         translation_state::requested};
    }
    const auto from = translation_state_from(current->text);
    if (!from) {
      co_return redis_failure();
    }
    const auto to = next_translation_state(*from, event);
    if (!to) {
      co_return translation_step_outcome{transition_result::illegal, *from};
    }
    std::vector<std::string> keys = {hash};
    std::vector<std::string> args = {field, current->text, std::string(to_string(*to))};
    for (const auto& [name, value] : extra) {
      args.push_back(name);
      args.push_back(value);
    }
    auto reply = co_await field_cas_script_.run(redis_, std::move(keys), std::move(args));
    if (!reply) {
      co_return reply.error();
    }
    if (reply->text == "ok") {
      co_return translation_step_outcome{transition_result::applied, *to};
    }
    if (reply->text == "not_found") {
      co_return translation_step_outcome{transition_result::not_found,
                                         translation_state::requested};
    }
  }
  co_return redis_failure();
}

// Not coroutines: each passes an empty map, which the coroutine takes into its frame.
boost::asio::awaitable<boost::system::result<translation_step_outcome>>
interpretation_store::translation_step(std::string_view id, std::string_view language,
                                       translation_event event) {
  std::map<std::string, std::string> none;
  return translation_step(id, language, event, std::move(none));
}

boost::asio::awaitable<boost::system::result<transition_outcome>> interpretation_store::transition(
    std::string_view id, request_event event, std::string_view by, std::string_view note,
    system_clock::time_point now) {
  std::map<std::string, std::string> none;
  return transition(id, event, by, note, now, std::move(none));
}

boost::asio::awaitable<boost::system::result<transition_outcome>> interpretation_store::transition(
    std::string_view id, request_event event, std::string_view by, std::string_view note,
    system_clock::time_point now, std::map<std::string, std::string> extra) {
  // Two tries: a concurrent transition between reading and writing is re-evaluated once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<std::string> command = {"HGET", key("request:" + std::string(id)), "state"};
    auto current = co_await redis_.exec_one(std::move(command));
    if (!current) {
      co_return current.error();
    }
    if (current->is_nil()) {
      co_return transition_outcome{transition_result::not_found, request_state::requested};
    }
    const auto from = request_state_from(current->text);
    if (!from) {
      co_return redis_failure();
    }
    const auto to = next_state(*from, event);
    if (!to) {
      co_return transition_outcome{transition_result::illegal, *from};
    }
    std::vector<std::string> keys = {key("request:" + std::string(id)),
                                     key("request:" + std::string(id) + ":history"),
                                     key("deadlines")};
    std::vector<std::string> args = {std::string(to_string(*from)),
                                     std::string(to_string(*to)),
                                     std::string(to_string(event)),
                                     std::string(by),
                                     format_rfc3339_utc(now),
                                     std::string(note),
                                     std::string(id)};
    for (const auto& [field, value] : extra) {
      args.push_back(field);
      args.push_back(value);
    }
    auto reply = co_await transition_script_.run(redis_, std::move(keys), std::move(args));
    if (!reply) {
      co_return reply.error();
    }
    if (reply->text == "ok") {
      co_return transition_outcome{transition_result::applied, *to};
    }
    if (reply->text == "not_found") {
      co_return transition_outcome{transition_result::not_found, request_state::requested};
    }
  }
  co_return redis_failure();
}

}  // namespace liaison::services
