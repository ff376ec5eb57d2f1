#include "daemon/services/announcement_store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <iterator>

#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

// Stores an announcement: record, fan-out entry and audit entry, after the idempotency check.
// KEYS[1] idempotency key (or the announcement key when there is none), KEYS[2] announcement,
// KEYS[3] fan-out set, KEYS[4] audit stream; ARGV[1] request hash ('' = no idempotency),
// ARGV[2] TTL (ms), ARGV[3] id, ARGV[4] due (ms), ARGV[5] audit who, ARGV[6] audit when,
// ARGV[7..] announcement field, value...
constexpr const char* create_source = R"lua(
if ARGV[1] ~= '' then
  local seen = redis.call('HMGET', KEYS[1], 'request', 'delivery')
  if seen[1] then
    if seen[1] == ARGV[1] then return {'replayed', seen[2]} end
    return {'conflict', seen[2]}
  end
end
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', '1000000', '*', 'action', 'announcement.create',
           'announcement', ARGV[3], 'by', ARGV[5], 'at', ARGV[6])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], 'request', ARGV[1], 'delivery', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {'created', ARGV[3]}
)lua";

// Takes the earliest due announcement for a lease. KEYS[1] fan-out set; ARGV[1] now (ms),
// ARGV[2] lease end (ms). Returns the id or nil. Two instances never get the same one: the
// score moves past `now` in the same script.
constexpr const char* claim_source = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], due[1])
return due[1]
)lua";

// One page of fan-out. The caller has counted everything, so the script only checks and writes:
// it runs while every other client of Redis waits.
// KEYS[1] announcement, KEYS[2] fan-out set, KEYS[3] tally, KEYS[4] delayed set, KEYS[5 .. 4+S]
// the streams of the page, then the record key of each delivery that gets a hash.
// ARGV[1] id, ARGV[2] the cursor the page was read after, ARGV[3] the cursor after it, ARGV[4]
// families in the page, ARGV[5] lease end (ms), ARGV[6] the announcement's families HyperLogLog
// key prefix (+ language), ARGV[7] S, ARGV[8] stream entries, ARGV[9] deliveries with a hash,
// ARGV[10] tally fields, ARGV[11] languages, ARGV[12] deliveries in all; then
//   per tally field: field, count;
//   per language: language, n, n family ids (reach);
//   per stream entry: stream index (1..S), the packed records of up to
//     deliveries_per_stream_entry deliveries sent now (no hash: the worker writes it);
//   per delivery with a hash (held for quiet hours, or recorded as opted out): 'defer' or
//     'opted_out', due (ms), delivery id, field count, field, value...
// A page is written once: when the stored cursor is not the one it was read after, another
// instance has written it (its lease had run out) and -2 is returned, nothing written.
// Returns -1 when cancelled (nothing written), else the number of deliveries written.
constexpr const char* page_source = R"lua(
if redis.call('HGET', KEYS[1], 'state') == 'cancelled' then return -1 end
if (redis.call('HGET', KEYS[1], 'cursor') or '') ~= ARGV[2] then return -2 end
local entries, hashed = tonumber(ARGV[8]), tonumber(ARGV[9])
local a = 13
for _ = 1, tonumber(ARGV[10]) do
  redis.call('HINCRBY', KEYS[3], ARGV[a], ARGV[a + 1])
  a = a + 2
end
for _ = 1, tonumber(ARGV[11]) do
  local n = tonumber(ARGV[a + 1])
  redis.call('PFADD', ARGV[6] .. ARGV[a], unpack(ARGV, a + 2, a + 1 + n))
  a = a + 2 + n
end
for _ = 1, entries do
  redis.call('XADD', KEYS[4 + tonumber(ARGV[a])], '*', 'deliveries', ARGV[a + 1])
  a = a + 2
end
local k = 5 + tonumber(ARGV[7])
for _ = 1, hashed do
  local n = tonumber(ARGV[a + 3])
  redis.call('HSET', KEYS[k], unpack(ARGV, a + 4, a + 3 + 2 * n))
  if ARGV[a] == 'defer' then redis.call('ZADD', KEYS[4], ARGV[a + 1], ARGV[a + 2]) end
  a = a + 4 + 2 * n
  k = k + 1
end
redis.call('HSET', KEYS[1], 'cursor', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'families_done', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'deliveries', ARGV[12])
redis.call('ZADD', KEYS[2], 'XX', ARGV[5], ARGV[1])
return tonumber(ARGV[12])
)lua";

// KEYS[1] announcement, KEYS[2] fan-out set, KEYS[3] audit; ARGV[1] id, ARGV[2] who,
// ARGV[3] when. Returns 'cancelled', 'already_cancelled' or 'not_found'.
constexpr const char* cancel_source = R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'not_found' end
if state == 'cancelled' then return 'already_cancelled' end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'cancelled_by', ARGV[2],
           'cancelled_at', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'action', 'announcement.cancel',
           'announcement', ARGV[1], 'by', ARGV[2], 'at', ARGV[3])
return 'cancelled'
)lua";

// KEYS[1] answers (address -> label), KEYS[2] counts (label -> n); ARGV[1] address, ARGV[2]
// label. A repeated answer changes nothing; a changed one moves its count.
constexpr const char* rsvp_source = R"lua(
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if old then redis.call('HINCRBY', KEYS[2], old, -1) end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
)lua";

long long epoch_ms(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

boost::system::error_code redis_failure() {
  return make_error_code(queue::queue_errc::redis_error);
}

std::optional<announcement_state> state_from(std::string_view text) {
  for (auto s : {announcement_state::scheduled, announcement_state::fanning_out,
                 announcement_state::fanned_out, announcement_state::cancelled}) {
    if (to_string(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

long long number(const std::map<std::string, std::string>& fields, const char* key,
                 long long otherwise) {
  const auto it = fields.find(key);
  if (it == fields.end()) {
    return otherwise;
  }
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return otherwise;
  }
}

std::map<std::string, std::string> pairs(const queue::redis_reply& reply) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    fields[reply.elements[i].text] = reply.elements[i + 1].text;
  }
  return fields;
}

std::string machine_translations_json(const machine_translation_set& set) {
  boost::json::object texts;
  for (const auto& [language, text] : set.texts) {
    boost::json::object t;
    t["subject"] = text.subject;
    t["body"] = text.body;
    texts[language] = std::move(t);
  }
  boost::json::object failures;
  for (const auto& [language, why] : set.failures) {
    failures[language] = why;
  }
  boost::json::object out;
  out["texts"] = std::move(texts);
  out["failed"] = std::move(failures);
  return boost::json::serialize(out);
}

std::optional<machine_translation_set> machine_translations_from(std::string_view json) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_object()) {
    return std::nullopt;
  }
  machine_translation_set set;
  const auto text = [](const boost::json::object& o, const char* key) {
    const auto* value = o.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  if (const auto* texts = parsed.as_object().if_contains("texts"); texts && texts->is_object()) {
    for (const auto& [language, value] : texts->as_object()) {
      if (value.is_object()) {
        set.texts[std::string(language)] = {text(value.as_object(), "subject"),
                                            text(value.as_object(), "body")};
      }
    }
  }
  if (const auto* failed = parsed.as_object().if_contains("failed");
      failed && failed->is_object()) {
    for (const auto& [language, value] : failed->as_object()) {
      set.failures[std::string(language)] = value.is_string() ? std::string(value.as_string()) : "";
    }
  }
  return set;
}

// Built outside the coroutine: GCC 12 mis-compiles braced lists in coroutine bodies.
queue::redis_request settle_request(const std::string& key, const machine_translation_set& set) {
  queue::redis_request request;
  request.push({"HSETNX", key, "machine_translations", machine_translations_json(set)});
  request.push({"HGET", key, "machine_translations"});
  return request;
}

}  // namespace

std::string_view to_string(announcement_state s) noexcept {
  switch (s) {
    case announcement_state::scheduled:
      return "scheduled";
    case announcement_state::fanning_out:
      return "fanning_out";
    case announcement_state::fanned_out:
      return "fanned_out";
    case announcement_state::cancelled:
      return "cancelled";
  }
  return "scheduled";
}

announcement_store::announcement_store(queue::redis_connection& redis, queue::delivery_queue& queue)
    : redis_(redis),
      queue_(queue),
      create_script_(create_source),
      claim_script_(claim_source),
      page_script_(page_source),
      cancel_script_(cancel_source),
      rsvp_script_(rsvp_source) {}

std::string announcement_store::announcement_key(std::string_view id) const {
  return queue_.key("ann:" + std::string(id));
}

std::string announcement_store::fanout_key() const {
  return queue_.key("fanout");
}

std::string announcement_store::audit_key() const {
  return queue_.key("audit");
}

namespace {

std::vector<std::string> create_keys(const announcement_store& store, queue::delivery_queue& q,
                                     const announcement& a,
                                     const std::optional<idempotency_request>& idempotency) {
  return {idempotency ? q.idempotency_key(idempotency->scope, idempotency->key)
                      : store.announcement_key(a.id),
          store.announcement_key(a.id), store.fanout_key(), store.audit_key()};
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string joined;
  for (const auto& id : ids) {
    joined += (joined.empty() ? "" : " ") + id;  // ids never contain spaces
  }
  return joined;
}

std::vector<std::string> split_ids(const std::string& joined) {
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start < joined.size()) {
    auto end = joined.find(' ', start);
    if (end == std::string::npos) {
      end = joined.size();
    }
    if (end > start) {
      ids.push_back(joined.substr(start, end - start));
    }
    start = end + 1;
  }
  return ids;
}

std::vector<std::string> create_args(const announcement& a, std::string_view created_by,
                                     const std::vector<std::string>& within_schools,
                                     system_clock::time_point now,
                                     const std::optional<idempotency_request>& idempotency,
                                     std::chrono::milliseconds ttl) {
  const auto created_at = format_rfc3339_utc(now);
  const auto due = a.send_at ? std::max(*a.send_at, now) : now;
  std::vector<std::string> args = {idempotency ? idempotency->request_hash : std::string(),
                                   std::to_string(ttl.count()),
                                   a.id,
                                   std::to_string(epoch_ms(due)),
                                   std::string(created_by),
                                   created_at,
                                   "json",
                                   boost::json::serialize(to_json(a)),
                                   "state",
                                   std::string(to_string(announcement_state::scheduled)),
                                   "created_by",
                                   std::string(created_by),
                                   "created_at",
                                   created_at,
                                   "school",
                                   a.school,
                                   "families_done",
                                   "0",
                                   "deliveries",
                                   "0",
                                   "within_schools",
                                   join_ids(within_schools)};
  return args;
}

}  // namespace

boost::asio::awaitable<boost::system::result<queue::intake_outcome>> announcement_store::create(
    const announcement& a, std::string_view created_by,
    const std::vector<std::string>& within_schools, system_clock::time_point now,
    const std::optional<idempotency_request>& idempotency, std::chrono::milliseconds ttl) {
  auto reply = co_await create_script_.run(
      redis_, create_keys(*this, queue_, a, idempotency),
      create_args(a, created_by, within_schools, now, idempotency, ttl));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array || reply->elements.size() != 2) {
    co_return redis_failure();
  }
  queue::intake_outcome outcome;
  const auto& status = reply->elements[0].text;
  outcome.delivery_id = reply->elements[1].text;
  outcome.result = status == "created"    ? queue::intake_result::created
                   : status == "replayed" ? queue::intake_result::replayed
                                          : queue::intake_result::conflict;
  co_return outcome;
}

boost::asio::awaitable<boost::system::result<std::optional<stored_announcement>>>
announcement_store::load(std::string_view id) {
  std::vector<std::string> command = {"HGETALL", announcement_key(id)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  if (reply->elements.empty()) {
    co_return std::optional<stored_announcement>{};
  }
  const auto fields = pairs(*reply);
  boost::system::error_code ec;
  const auto json = boost::json::parse(fields.count("json") ? fields.at("json") : "", ec);
  if (ec) {
    co_return redis_failure();
  }
  auto validated = validate_announcement(json, std::nullopt);
  if (!validated.value) {
    co_return redis_failure();
  }
  stored_announcement stored;
  stored.value = std::move(*validated.value);
  stored.value.id = std::string(id);
  const auto field = [&fields](const char* key) {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  };
  stored.state = state_from(field("state")).value_or(announcement_state::scheduled);
  stored.created_by = field("created_by");
  stored.created_at = field("created_at");
  stored.within_schools = split_ids(field("within_schools"));
  stored.cancelled_by = field("cancelled_by");
  stored.cancelled_at = field("cancelled_at");
  stored.cursor = field("cursor");
  stored.audience = number(fields, "audience", -1);
  stored.families_done = number(fields, "families_done", 0);
  stored.deliveries = number(fields, "deliveries", 0);
  if (const auto machine = fields.find("machine_translations"); machine != fields.end()) {
    auto set = machine_translations_from(machine->second);
    if (!set) {
      co_return redis_failure();
    }
    stored.machine_translations_settled = true;
    stored.value.machine_translations = std::move(set->texts);
    stored.machine_translation_failures = std::move(set->failures);
  }
  co_return std::optional<stored_announcement>{std::move(stored)};
}

boost::asio::awaitable<boost::system::result<std::optional<announcement_state>>>
announcement_store::state(std::string_view id) {
  std::vector<std::string> command = {"HGET", announcement_key(id), "state"};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  if (reply->is_nil()) {
    co_return std::optional<announcement_state>{};
  }
  co_return state_from(reply->text);
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
announcement_store::created_between(system_clock::time_point from, system_clock::time_point to,
                                    std::size_t max) {
  std::vector<std::string> ids;
  // Stream ids are "<ms>-<seq>": the range is the period; pages of 1000 entries.
  std::string start = std::to_string(epoch_ms(from));
  const std::string end = "(" + std::to_string(epoch_ms(to)) + "-0";
  while (ids.size() < max) {
    std::vector<std::string> command = {"XRANGE", audit_key(), start, end, "COUNT", "1000"};
    auto reply = co_await redis_.exec_one(std::move(command));
    if (!reply) {
      co_return reply.error();
    }
    if (reply->is_error()) {
      co_return redis_failure();
    }
    if (reply->elements.empty()) {
      break;
    }
    for (const auto& entry : reply->elements) {
      if (entry.elements.size() != 2) {
        continue;
      }
      const auto& fields = entry.elements[1].elements;
      std::string action;
      std::string announcement;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].text == "action") {
          action = fields[i + 1].text;
        } else if (fields[i].text == "announcement") {
          announcement = fields[i + 1].text;
        }
      }
      if (action == "announcement.create" && ids.size() < max) {
        ids.push_back(std::move(announcement));
      }
    }
    if (reply->elements.size() < 1000) {
      break;
    }
    start = "(" + reply->elements.back().elements[0].text;
  }
  co_return ids;
}

boost::asio::awaitable<boost::system::result<reach_figures>> announcement_store::reach(
    const std::vector<std::string>& ids) {
  reach_figures figures;
  figures.announcements = ids.size();
  if (ids.empty()) {
    co_return figures;
  }
  queue::redis_request tallies;
  for (const auto& id : ids) {
    tallies.push({"HGETALL", queue_.key(announcement_tally_suffix(id))});
  }
  auto replies = co_await redis_.exec(tallies);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& reply : *replies) {
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      figures.tallies[reply.elements[i].text] += std::stoll(reply.elements[i + 1].text);
    }
  }
  for (const auto& [field, count] : figures.tallies) {
    figures.by_language.try_emplace(field.substr(0, field.find('|')));
  }
  // One PFCOUNT over every announcement's key counts each family once (a union).
  queue::redis_request counts;
  for (const auto& [language, unused] : figures.by_language) {
    for (const char* what : {"families", "reached", "replied"}) {
      std::vector<std::string> command = {"PFCOUNT"};
      for (const auto& id : ids) {
        command.push_back(queue_.key(announcement_reach_suffix(id, what, language)));
      }
      counts.push(std::move(command));
    }
  }
  auto counted = co_await redis_.exec(counts);
  if (!counted) {
    co_return counted.error();
  }
  std::size_t next = 0;
  for (auto& [language, families] : figures.by_language) {
    families.addressed = (*counted)[next++].integer;
    families.reached = (*counted)[next++].integer;
    families.replied = (*counted)[next++].integer;
  }
  co_return figures;
}

boost::asio::awaitable<boost::system::result<void>> announcement_store::note_reply(
    std::string_view id, std::string_view language, std::string_view family_id) {
  std::vector<std::string> command = {
      "PFADD", queue_.key(announcement_reach_suffix(id, "replied", language)),
      std::string(family_id)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

bool looks_like_stream_id(std::string_view text) noexcept {
  const auto dash = text.find('-');
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 20 &&
           part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return dash != std::string_view::npos && digits(text.substr(0, dash)) &&
         digits(text.substr(dash + 1));
}

std::optional<failure_cursor> failure_cursor::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size() ||
      text.size() > 300) {
    return std::nullopt;
  }
  failure_cursor cursor;
  const auto* end = text.data() + colon;
  const auto [ptr, ec] = std::from_chars(text.data(), end, cursor.failed_at_ms);
  if (ec != std::errc() || ptr != end || cursor.failed_at_ms < 0) {
    return std::nullopt;
  }
  cursor.delivery = std::string(text.substr(colon + 1));
  return cursor;
}

std::string failure_cursor::text() const {
  return std::to_string(failed_at_ms) + ":" + delivery;
}

boost::asio::awaitable<boost::system::result<created_page>> announcement_store::created_before(
    std::string before, std::size_t max) {
  created_page page;
  // The audit stream read backwards, 1000 entries at a time; only creations count.
  std::string end = before.empty() ? std::string("+") : "(" + before;
  while (page.ids.size() < max) {
    std::vector<std::string> command = {"XREVRANGE", audit_key(), end, "-", "COUNT", "1000"};
    auto reply = co_await redis_.exec_one(std::move(command));
    if (!reply) {
      co_return reply.error();
    }
    if (reply->is_error()) {
      co_return redis_failure();
    }
    for (const auto& entry : reply->elements) {
      if (entry.elements.size() != 2) {
        continue;
      }
      const auto fields = pairs(entry.elements[1]);
      const auto action = fields.find("action");
      const auto id = fields.find("announcement");
      if (action == fields.end() || action->second != "announcement.create" || id == fields.end()) {
        continue;
      }
      page.ids.push_back(id->second);
      if (page.ids.size() == max) {
        page.next = entry.elements[0].text;
        break;
      }
    }
    if (reply->elements.size() < 1000 || !page.next.empty()) {
      break;
    }
    end = "(" + reply->elements.back().elements[0].text;
  }
  co_return page;
}

boost::asio::awaitable<boost::system::result<failure_page>> announcement_store::failures(
    std::string id, std::optional<failure_cursor> after, std::size_t max) {
  const std::string key = queue_.key("ann:" + id + ":failures");
  const std::string count = std::to_string(max + 1);  // one more tells whether a page follows
  queue::redis_request request;
  request.push({"ZCARD", key});
  if (after) {
    request.push({"ZRANK", key, after->delivery});
  }
  auto first = co_await redis_.exec(request);
  if (!first || first->size() != request.size()) {
    co_return first ? redis_failure() : first.error();
  }
  failure_page page;
  page.total = (*first)[0].integer;
  // After the cursor's delivery when it is still there (ties in time stay in order); after its
  // time when it left the set meanwhile (replayed).
  std::vector<std::string> range;
  if (after && (*first)[1].kind == queue::redis_reply::kind_t::integer) {
    const auto from = (*first)[1].integer + 1;
    range = {"ZRANGE", key, std::to_string(from),
             std::to_string(from + static_cast<long long>(max)), "WITHSCORES"};
  } else {
    const std::string from = after ? "(" + std::to_string(after->failed_at_ms) : "-inf";
    range = {"ZRANGE", key, from, "+inf", "BYSCORE", "LIMIT", "0", count, "WITHSCORES"};
  }
  auto members = co_await redis_.exec_one(std::move(range));
  if (!members) {
    co_return members.error();
  }
  if (members->is_error()) {
    co_return redis_failure();
  }
  std::vector<std::pair<std::string, long long>> found;
  for (std::size_t i = 0; i + 1 < members->elements.size(); i += 2) {
    long long ms = 0;
    const auto& score = members->elements[i + 1].text;
    std::from_chars(score.data(), score.data() + score.size(), ms);
    found.emplace_back(members->elements[i].text, ms);
  }
  if (found.size() > max) {
    found.resize(max);
    page.next = failure_cursor{found.back().second, found.back().first};
  }
  if (found.empty()) {
    co_return page;
  }
  static constexpr const char* wanted[] = {
      "family",      "guardian",   "language",        "channel",        "state",
      "dead_reason", "last_error", "provider_status", "provider_error", "attempts"};
  queue::redis_request records;
  for (const auto& [delivery, ms] : found) {
    std::vector<std::string> command = {"HMGET", queue_.delivery_key(delivery)};
    command.insert(command.end(), std::begin(wanted), std::end(wanted));
    records.push(std::move(command));
  }
  auto loaded = co_await redis_.exec(records);
  if (!loaded || loaded->size() != found.size()) {
    co_return loaded ? redis_failure() : loaded.error();
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& values = (*loaded)[i].elements;
    if (values.size() != std::size(wanted)) {
      co_return redis_failure();
    }
    failed_delivery f;
    f.delivery = found[i].first;
    f.family = values[0].text;
    f.guardian = values[1].text;
    f.language = values[2].text;
    f.channel = values[3].text;
    f.state = values[4].text;
    f.attempts = std::atoll(values[9].text.c_str());
    f.failed_at =
        format_rfc3339_utc(system_clock::time_point(std::chrono::milliseconds(found[i].second)));
    // Why, in the words of whoever decided: the retry policy (dead letter), the provider's
    // report (undelivered), or the worker's last error.
    if (!values[5].text.empty()) {
      f.reason = values[5].text;
    } else if (f.state == "undelivered") {
      f.reason = "the provider reports " + (values[7].text.empty() ? f.state : values[7].text);
      if (!values[8].text.empty()) {
        f.reason += " (error " + values[8].text + ")";
      }
    } else {
      f.reason = values[6].text;
    }
    page.failures.push_back(std::move(f));
  }
  co_return page;
}

boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
announcement_store::tally(std::string_view id) {
  std::vector<std::string> command = {"HGETALL", queue_.key(announcement_tally_suffix(id))};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::map<std::string, long long> counts;
  for (const auto& [field, value] : pairs(*reply)) {
    try {
      counts[field] = std::stoll(value);
    } catch (const std::exception&) {
      co_return redis_failure();
    }
  }
  co_return counts;
}

boost::asio::awaitable<boost::system::result<cancel_result>> announcement_store::cancel(
    std::string_view id, std::string_view by, system_clock::time_point now) {
  std::vector<std::string> keys = {announcement_key(id), fanout_key(), audit_key()};
  std::vector<std::string> args = {std::string(id), std::string(by), format_rfc3339_utc(now)};
  auto reply = co_await cancel_script_.run(redis_, std::move(keys), std::move(args));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::string &&
      reply->kind != queue::redis_reply::kind_t::status) {
    co_return redis_failure();
  }
  if (reply->text == "not_found") {
    co_return cancel_result::not_found;
  }
  if (reply->text == "already_cancelled") {
    co_return cancel_result::already_cancelled;
  }
  // Even when fan-out had finished, deliveries not yet sent are stopped: workers check the
  // announcement's state before each send.
  co_return cancel_result::cancelled;
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
announcement_store::claim_due(system_clock::time_point now, std::chrono::milliseconds lease) {
  std::vector<std::string> keys = {fanout_key()};
  std::vector<std::string> args = {std::to_string(epoch_ms(now)),
                                   std::to_string(epoch_ms(now + lease))};
  auto reply = co_await claim_script_.run(redis_, std::move(keys), std::move(args));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return std::optional<std::string>{};
  }
  if (reply->kind != queue::redis_reply::kind_t::string) {
    co_return redis_failure();
  }
  co_return std::optional<std::string>{reply->text};
}

boost::asio::awaitable<boost::system::result<void>> announcement_store::start_fanout(
    std::string_view id, long long audience_size) {
  std::vector<std::string> command = {
      "HSET",     announcement_key(id),
      "state",    std::string(to_string(announcement_state::fanning_out)),
      "audience", std::to_string(audience_size)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

namespace {

// Deliveries sent now per stream entry: large enough that Redis's cost per entry is shared,
// small enough that a worker reading a few entries holds no more jobs than it sends at once.

std::string_view phase_of(delivery_start start) {
  return start == delivery_start::send    ? queue::tally_phase("queued")
         : start == delivery_start::defer ? queue::tally_phase("deferred")
                                          : queue::tally_phase("opted_out");
}

announcement_store::prepared_page page_arguments(const announcement_store& store,
                                                 queue::delivery_queue& q, std::string_view id,
                                                 const page_to_write& page,
                                                 system_clock::time_point lease_until) {
  // Counted here, once per page: progress per (language, channel, phase), and the families
  // addressed per language (reach reports).
  std::map<std::string, long long, std::less<>> counts;
  std::map<std::string, std::vector<std::string_view>, std::less<>> families_by_language;
  // What the deliveries share (their common fields, the names of their rows' columns) goes
  // once into each stream entry. A page is planned at one time and shares one frame; if some
  // deliveries did not, each record is written whole.
  std::shared_ptr<const delivery_frame> frame;
  bool one_frame = true;
  for (const auto& d : *page.deliveries) {
    if (d.start == delivery_start::send) {
      if (frame == nullptr) {
        frame = d.frame;
      }
      one_frame = one_frame && d.frame != nullptr && d.frame == frame;
    }
  }
  std::deque<std::string> whole;  // records written whole; views into it stay valid
  // The page's streams go first among the keys (a few at most); entries name them by index.
  queue::stream_batches sent_now_by_stream;
  // Per delivery, nothing is allocated once the page's few counters, languages and streams
  // are known: the loop runs for every one of an announcement's deliveries.
  std::string counter;
  struct stream_of {
    config::channel channel;
    config::priority priority;
    std::string key;
  };
  std::vector<stream_of> stream_keys;
  for (const auto& d : *page.deliveries) {
    counter.assign(d.tally_group).append("|").append(phase_of(d.start));
    if (auto counted = counts.find(counter); counted != counts.end()) {
      ++counted->second;
    } else {
      counts.emplace(counter, 1);
    }
    const std::string_view group = d.tally_group;
    if (const auto bar = group.find('|'); bar != std::string_view::npos && !d.family_id.empty()) {
      const auto language = group.substr(0, bar);
      auto listed = families_by_language.find(language);
      if (listed == families_by_language.end()) {
        listed =
            families_by_language.emplace(std::string(language), std::vector<std::string_view>{})
                .first;
      }
      auto& list = listed->second;
      if (list.empty() || list.back() != d.family_id) {  // a family's channels: once
        list.push_back(d.family_id);
      }
    }
    if (d.start == delivery_start::send) {
      std::string_view record = d.packed_row;
      if (!one_frame) {
        record = whole.emplace_back(queue::pack_record(d.record()));
      }
      auto known = std::find_if(stream_keys.begin(), stream_keys.end(), [&](const auto& s) {
        return s.channel == d.channel && s.priority == d.priority;
      });
      if (known == stream_keys.end()) {
        known = stream_keys.insert(
            stream_keys.end(),
            {d.channel, d.priority,
             q.stream_key(config::to_string(d.channel), config::to_string(d.priority))});
      }
      sent_now_by_stream.add(known->key, record);
    }
  }
  // Several deliveries per stream entry: Redis's work per delivery is then a share of one entry.
  std::vector<std::string> entries;  // stream index, packed records; ...
  std::size_t sent_now = 0;
  const auto& streams = sent_now_by_stream.streams();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    sent_now += sent_now_by_stream.records_of(i);
    for (auto& entry : sent_now_by_stream.entries_of(
             i, one_frame && frame ? frame->view() : queue::entry_frame{})) {
      entries.push_back(std::to_string(i + 1));
      entries.push_back(std::move(entry));
    }
  }

  announcement_store::prepared_page call;
  call.keys = {store.announcement_key(id), store.fanout_key(), q.key(announcement_tally_suffix(id)),
               q.delayed_key()};
  call.keys.insert(call.keys.end(), streams.begin(), streams.end());
  call.args = {std::string(id),
               page.after,
               page.cursor,
               std::to_string(page.families),
               std::to_string(epoch_ms(lease_until)),
               q.key(announcement_reach_suffix(id, "families", "")),
               std::to_string(streams.size()),
               std::to_string(entries.size() / 2),
               std::to_string(page.deliveries->size() - sent_now),
               std::to_string(counts.size()),
               std::to_string(families_by_language.size()),
               std::to_string(page.deliveries->size())};
  for (const auto& [field, n] : counts) {
    call.args.push_back(field);
    call.args.push_back(std::to_string(n));
  }
  for (const auto& [language, list] : families_by_language) {
    call.args.push_back(language);
    call.args.push_back(std::to_string(list.size()));
    call.args.insert(call.args.end(), list.begin(), list.end());
  }
  std::move(entries.begin(), entries.end(), std::back_inserter(call.args));
  for (const auto& d : *page.deliveries) {
    if (d.start == delivery_start::send) {
      continue;
    }
    const auto record = d.record();
    call.keys.push_back(q.delivery_key(d.delivery_id));
    call.args.insert(call.args.end(), {d.start == delivery_start::defer ? "defer" : "opted_out",
                                       std::to_string(epoch_ms(d.due)), d.delivery_id,
                                       std::to_string(record.size())});
    for (const auto& [field, value] : record) {
      call.args.push_back(field);
      call.args.push_back(value);
    }
  }
  return call;
}

}  // namespace

boost::asio::awaitable<boost::system::result<page_written>> announcement_store::write_page(
    std::string_view id, page_to_write page, system_clock::time_point lease_until) {
  co_return co_await write_prepared(prepare_page(id, page, lease_until));
}

announcement_store::prepared_page announcement_store::prepare_page(
    std::string_view id, const page_to_write& page, system_clock::time_point lease_until) {
  return page_arguments(*this, queue_, id, page, lease_until);
}

boost::asio::awaitable<boost::system::result<page_written>> announcement_store::write_prepared(
    prepared_page call) {
  auto reply = co_await page_script_.run(redis_, std::move(call.keys), std::move(call.args));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::integer) {
    co_return redis_failure();
  }
  co_return reply->integer == -1 ? page_written::cancelled
  : reply->integer == -2         ? page_written::already_written
                                 : page_written::written;
}

namespace {

// What the store remembers per phone number for a while (the question it was last asked, the
// announcement it was last sent): one string with a time to live.
boost::asio::awaitable<boost::system::result<void>> set_expiring(queue::redis_connection& redis,
                                                                 std::string key, std::string value,
                                                                 std::chrono::milliseconds ttl) {
  std::vector<std::string> command = {"SET", std::move(key), std::move(value), "PX",
                                      std::to_string(ttl.count())};
  auto reply = co_await redis.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>> get_string(
    queue::redis_connection& redis, std::string key) {
  std::vector<std::string> command = {"GET", std::move(key)};
  auto reply = co_await redis.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  if (reply->is_nil()) {
    co_return std::optional<std::string>{};
  }
  co_return std::optional<std::string>{reply->text};
}

}  // namespace

boost::asio::awaitable<boost::system::result<void>> announcement_store::note_question_sent(
    std::string_view address, std::string_view id, std::chrono::milliseconds remember_for) {
  return set_expiring(redis_, queue_.key("rsvp:pending:" + std::string(address)), std::string(id),
                      remember_for);
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
announcement_store::pending_question(std::string_view address) {
  return get_string(redis_, queue_.key("rsvp:pending:" + std::string(address)));
}

boost::asio::awaitable<boost::system::result<void>> announcement_store::note_last_sent(
    std::string address, std::string id, std::chrono::milliseconds remember_for) {
  return set_expiring(redis_, queue_.key("last-sent:" + address), std::move(id), remember_for);
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
announcement_store::last_sent(std::string address) {
  return get_string(redis_, queue_.key("last-sent:" + address));
}

boost::asio::awaitable<boost::system::result<bool>> announcement_store::record_counted_answer(
    std::string answers_key, std::string counts_key, std::string address, std::string answer) {
  std::vector<std::string> keys = {std::move(answers_key), std::move(counts_key)};
  std::vector<std::string> args = {std::move(address), std::move(answer)};
  auto reply = co_await rsvp_script_.run(redis_, std::move(keys), std::move(args));
  if (!reply) {
    co_return boost::system::result<bool>{boost::system::in_place_error, reply.error()};
  }
  if (reply->is_error()) {
    co_return boost::system::result<bool>{boost::system::in_place_error, redis_failure()};
  }
  co_return reply->integer == 1;
}

boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
announcement_store::counts(std::string key) {
  std::vector<std::string> command = {"HGETALL", std::move(key)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::map<std::string, long long> out;
  for (const auto& [label, value] : pairs(*reply)) {
    out[label] = std::strtoll(value.c_str(), nullptr, 10);
  }
  co_return out;
}

boost::asio::awaitable<boost::system::result<bool>> announcement_store::record_rsvp(
    std::string_view id, std::string_view address, std::string_view label) {
  return record_counted_answer(queue_.key("ann:" + std::string(id) + ":rsvp"),
                               queue_.key("ann:" + std::string(id) + ":rsvp_counts"),
                               std::string(address), std::string(label));
}

boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
announcement_store::rsvp_counts(std::string_view id) {
  return counts(queue_.key("ann:" + std::string(id) + ":rsvp_counts"));
}

boost::asio::awaitable<boost::system::result<bool>> announcement_store::record_voice_answer(
    std::string_view id, std::string_view address, std::string_view answer) {
  return record_counted_answer(queue_.key("ann:" + std::string(id) + ":voice"),
                               queue_.key("ann:" + std::string(id) + ":voice_counts"),
                               std::string(address), std::string(answer));
}

boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
announcement_store::voice_answer_counts(std::string_view id) {
  return counts(queue_.key("ann:" + std::string(id) + ":voice_counts"));
}

boost::asio::awaitable<boost::system::result<void>> announcement_store::finish_fanout(
    std::string_view id, bool cancelled) {
  queue::redis_request request;
  request.push({"MULTI"});
  if (!cancelled) {
    request.push(
        {"HSET", announcement_key(id), "state", to_string(announcement_state::fanned_out)});
  }
  request.push({"ZREM", fanout_key(), id});
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

boost::asio::awaitable<boost::system::result<void>> announcement_store::renew_lease(
    std::string_view id, system_clock::time_point lease_until) {
  std::vector<std::string> command = {"ZADD", fanout_key(), "XX",
                                      std::to_string(epoch_ms(lease_until)), std::string(id)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<machine_translation_set>>
announcement_store::settle_machine_translations(std::string_view id,
                                                const machine_translation_set& translations) {
  // HSETNX: the first instance to finish translating decides; a slower one reads its result.
  const auto request = settle_request(announcement_key(id), translations);
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (replies->size() != 2 || replies->back().kind != queue::redis_reply::kind_t::string) {
    co_return redis_failure();
  }
  auto stored = machine_translations_from(replies->back().text);
  if (!stored) {
    co_return redis_failure();
  }
  co_return std::move(*stored);
}

}  // namespace liaison::services
