#include "queue/delivery_queue.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

#include "support/crypto.hpp"
#include "support/time_format.hpp"

namespace liaison::queue {
namespace {

using std::chrono::system_clock;

// boost::system::error_category's destructor is protected and non-virtual by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class queue_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "liaison.queue"; }
  std::string message(int ev) const override {
    switch (static_cast<queue_errc>(ev)) {
      case queue_errc::redis_error:
        return "Redis answered with an error";
      case queue_errc::malformed_entry:
        return "malformed stream entry";
      case queue_errc::not_found:
        return "no such entry";
    }
    return "unknown queue error";
  }
};
#pragma GCC diagnostic pop

// Moves due delayed deliveries to their streams. The member of the delayed set is the delivery
// id; the record names the channel and priority, hence the stream. A delivery that reached a
// final state meanwhile (or whose record is gone) is just dropped from the set. ZREM inside the
// script is what makes concurrent schedulers safe: a member is moved by exactly one of them.
// KEYS[1] delayed set; ARGV[1] now (ms since epoch); ARGV[2] limit; ARGV[3] key base.
constexpr const char* promote_source = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local final = {sent = true, delivered = true, undelivered = true, failed = true, dead = true,
               opted_out = true, cancelled = true}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local record = ARGV[3] .. 'delivery:' .. id
  local f = redis.call('HMGET', record, 'channel', 'priority', 'state', 'tally', 'tally_group')
  if f[1] and not final[f[3]] then
    local stream = ARGV[3] .. 'stream:' .. f[1]
    if f[2] == 'urgent' then stream = stream .. ':urgent' end
    redis.call('XADD', stream, '*', 'delivery', id)
    redis.call('HSET', record, 'state', 'queued')
    if f[3] == 'deferred' and f[4] and f[5] then
      -- A delivery held back by quiet hours is pending again (see tally_phase).
      redis.call('HINCRBY', ARGV[3] .. f[4], f[5] .. '|deferred', -1)
      redis.call('HINCRBY', ARGV[3] .. f[4], f[5] .. '|queued', 1)
    end
  end
end
return #due
)lua";

// A provider's report on a delivery it accepted (Twilio status callback, Kannel DLR…).
// KEYS[1] record; ARGV[1] what it reports: 'delivered' or 'undelivered' (final), or 'sent'
// (still on its way: buffered, submitted, deferred); ARGV[2] key base; ARGV[3..] fields to
// record (provider_status, error code…).
// Reports are monotonic: once a delivery is delivered or undelivered, nothing moves it again and
// nothing is recorded over the final report, so a replayed or late old report is harmless. A
// final report moves the state (with its progress count) only from 'sent'; one that comes
// before our own "sent" is recorded but moves nothing. Everything is checked before the first
// write (a script that fails half-way keeps what it wrote).
// Returns 'applied', 'recorded', 'stale' or 'unknown'.
constexpr const char* provider_report_source = R"lua(
local reported = ARGV[1]
if reported ~= 'delivered' and reported ~= 'undelivered' and reported ~= 'sent' then
  return redis.error_reply('unknown reported state ' .. tostring(reported))
end
if #ARGV % 2 ~= 0 then return redis.error_reply('fields must be pairs') end
local f = redis.call('HMGET', KEYS[1], 'state', 'tally', 'tally_group', 'id')
if not f[1] then return 'unknown' end
if f[1] == 'delivered' or f[1] == 'undelivered' then return 'stale' end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
if reported == 'sent' or f[1] ~= 'sent' then return 'recorded' end
redis.call('HSET', KEYS[1], 'state', reported)
if f[2] and f[3] then
  local phase = {delivered = 'delivered', undelivered = 'failed'}
  redis.call('HINCRBY', ARGV[2] .. f[2], f[3] .. '|sent', -1)
  redis.call('HINCRBY', ARGV[2] .. f[2], f[3] .. '|' .. phase[reported], 1)
  -- An announcement's failures are indexed by when (tally_move::failures_key_suffix).
  local announcement = string.match(f[2], '^(.*):tally$')
  if reported == 'undelivered' and announcement and f[4] then
    local now = redis.call('TIME')
    redis.call('ZADD', ARGV[2] .. announcement .. ':failures',
               tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), f[4])
  end
end
return 'applied'
)lua";

// Intake with an Idempotency-Key: check the key, then write the message's stream entry (as
// enqueue_message) and the key, or nothing at all. KEYS[1] idempotency key, KEYS[2] stream;
// ARGV[1] request hash, ARGV[2] TTL (ms), ARGV[3] packed record, ARGV[4] and ARGV[5] what comes
// before and after the entry id in the message id (message_id_for, which is the one definition).
constexpr const char* enqueue_idempotent_source = R"lua(
local seen = redis.call('HMGET', KEYS[1], 'request', 'delivery')
if seen[1] then
  if seen[1] == ARGV[1] then return {'replayed', seen[2]} end
  return {'conflict', seen[2]}
end
local entry = redis.call('XADD', KEYS[2], '*', 'message', ARGV[3])
local id = ARGV[4] .. entry .. ARGV[5]
redis.call('HSET', KEYS[1], 'request', ARGV[1], 'delivery', id)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'created', id}
)lua";

// A delivery queued once: nothing when its record exists. KEYS[1] record, KEYS[2] stream;
// ARGV[1] delivery id, ARGV[2..] record field, value...
constexpr const char* enqueue_once_source = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('XADD', KEYS[2], '*', 'delivery', ARGV[1])
return 1
)lua";

// Replays one dead letter: the delivery goes back to its stream with a fresh retry budget and
// the dead letter is removed, atomically (two operators replaying at once queue it once).
// KEYS[1] dead-letter stream; ARGV[1] entry id; ARGV[2] key base; ARGV[3] now (RFC 3339).
constexpr const char* replay_source = R"lua(
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return {'missing', ''} end
local kv = entries[1][2]
local id = nil
for i = 1, #kv, 2 do
  if kv[i] == 'delivery' then id = kv[i + 1] end
end
if not id then return {'missing', ''} end
local record = ARGV[2] .. 'delivery:' .. id
local f = redis.call('HMGET', record, 'channel', 'priority', 'state', 'tally', 'tally_group')
if not f[1] then return {'missing', id} end
local stream = ARGV[2] .. 'stream:' .. f[1]
if f[2] == 'urgent' then stream = stream .. ':urgent' end
local failed = {failed = true, dead = true, undelivered = true}
if failed[f[3]] and f[4] and f[5] then
  -- Counted as failed until now (tally_phase), pending again; no longer among the failures.
  redis.call('HINCRBY', ARGV[2] .. f[4], f[5] .. '|failed', -1)
  redis.call('HINCRBY', ARGV[2] .. f[4], f[5] .. '|queued', 1)
  local announcement = string.match(f[4], '^(.*):tally$')
  if announcement then redis.call('ZREM', ARGV[2] .. announcement .. ':failures', id) end
end
redis.call('HDEL', record, 'handed_at', 'next_attempt_at', 'dead_reason')
redis.call('HSET', record, 'state', 'queued', 'attempts', '0', 'retry_window_start', ARGV[3],
           'replayed_at', ARGV[3], 'updated_at', ARGV[3])
redis.call('XADD', stream, '*', 'delivery', id)
redis.call('XDEL', KEYS[1], ARGV[1])
return {'replayed', id}
)lua";

// Requests are built outside the coroutines: GCC 12 miscompiles braced initializer lists
// inside coroutine bodies ("array used as initializer").
std::vector<std::string> hset_command(std::string key, const record_fields& fields) {
  std::vector<std::string> args = {"HSET", std::move(key)};
  for (const auto& [field, value] : fields) {
    args.push_back(field);
    args.push_back(value);
  }
  return args;
}

std::string priority_of(const record_fields& fields) {
  auto it = fields.find("priority");
  return it != fields.end() && it->second == "urgent" ? "urgent" : "normal";
}

// Each message's outcome in a group-committed enqueue (MULTI, then an XADD per message, EXEC):
// the entry id its XADD answered. All fail when the transaction did not run (no link, or EXEC
// aborted because a command was refused while queuing); otherwise a message failed when its XADD
// did (Redis runs the others of a transaction regardless).
std::vector<boost::system::result<std::string>> enqueue_outcomes(
    const boost::system::result<std::vector<redis_reply>>& replies, std::size_t deliveries) {
  std::vector<boost::system::result<std::string>> outcomes(deliveries);
  if (!replies) {
    std::fill(outcomes.begin(), outcomes.end(), replies.error());
    return outcomes;
  }
  const auto failed = make_error_code(queue_errc::redis_error);
  if (replies->empty() || replies->back().kind != redis_reply::kind_t::array) {
    std::fill(outcomes.begin(), outcomes.end(), failed);
    return outcomes;
  }
  const auto& ran = replies->back().elements;
  for (std::size_t i = 0; i < deliveries; ++i) {
    if (ran.size() <= i || ran[i].is_error()) {
      outcomes[i] = failed;
    } else {
      outcomes[i] = ran[i].text;
    }
  }
  return outcomes;
}

long long epoch_ms(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

record_fields field_map(const redis_reply& flat) {
  record_fields fields;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    fields[flat.elements[i].text] = flat.elements[i + 1].text;
  }
  return fields;
}

// XRANGE of up to `count` entries after `after_entry_id` ("-" to start). "(" makes the start
// exclusive (Redis 6.2), so paging never repeats an entry.
std::vector<std::string> xrange_after(std::string key, std::string_view after_entry_id,
                                      std::size_t count) {
  return {"XRANGE",
          std::move(key),
          after_entry_id == "-" ? std::string("-") : "(" + std::string(after_entry_id),
          "+",
          "COUNT",
          std::to_string(count)};
}

// The record a direct message's entry carries (its `message` field), with the id, which the entry
// names; empty when the record cannot be read.
record_fields carried_message(std::string_view entry_id, std::string_view packed) {
  auto record = unpack_record(packed);
  const auto channel = record ? record->find("channel") : record_fields::iterator{};
  if (!record || channel == record->end()) {
    return {};
  }
  (*record)["id"] = message_id_for(entry_id, channel->second, priority_of(*record));
  return std::move(*record);
}

// [[entry_id, [field, value, ...]], ...] as jobs of `stream`; a pending entry whose content
// was deleted comes back with a nil field list and an empty delivery id.
bool append_entries(const std::string& stream, const redis_reply& entries,
                    std::vector<queued_job>& jobs) {
  for (const auto& entry : entries.elements) {
    if (entry.elements.size() != 2) {
      return false;
    }
    queued_job job{stream, entry.elements[0].text, {}, 1};
    const auto& kv = entry.elements[1].elements;
    std::optional<std::vector<record_fields>> carried;
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i].text == "delivery") {
        job.delivery_id = kv[i + 1].text;
      } else if (kv[i].text == "message") {
        // A direct message (enqueue_message), whose id names this entry. One whose record cannot
        // be read comes out as a job with no delivery, acknowledged as one whose record is gone.
        job.carried_record = carried_message(job.entry_id, kv[i + 1].text);
        job.delivery_id = job.carried_record.empty() ? std::string() : job.carried_record["id"];
      } else if (kv[i].text == "deliveries") {
        carried = unpack_records(kv[i + 1].text);
      }
    }
    if (!carried || carried->empty()) {
      // One delivery, named. (An entry whose "deliveries" cannot be read comes out as a job with
      // no delivery, which the worker acknowledges, as any entry whose record is gone.)
      jobs.push_back(std::move(job));
      continue;
    }
    job.batch = std::make_shared<entry_batch>(entry_batch{carried->size(), 0});
    for (auto& record : *carried) {
      queued_job member = job;
      const auto id = record.find("id");
      member.delivery_id = id == record.end() ? std::string() : id->second;
      member.carried_record = std::move(record);
      jobs.push_back(std::move(member));
    }
  }
  return true;
}

std::vector<dead_letter> dead_letters_from(const redis_reply& entries) {
  std::vector<dead_letter> out;
  for (const auto& entry : entries.elements) {
    if (entry.elements.size() == 2) {
      out.push_back({entry.elements[0].text, field_map(entry.elements[1])});
    }
  }
  return out;
}

}  // namespace

std::string_view tally_phase(std::string_view state) noexcept {
  if (state == "deferred" || state == "sent" || state == "delivered" || state == "opted_out" ||
      state == "cancelled") {
    return state;
  }
  if (state == "failed" || state == "dead" || state == "undelivered") {
    return "failed";
  }
  return "queued";  // queued, sending, retrying: on its way
}

tally_move tally_move_for(const record_fields& record, std::string_view new_state,
                          system_clock::time_point at) {
  const auto tally = record.find("tally");
  const auto group = record.find("tally_group");
  if (tally == record.end() || group == record.end()) {
    return {};
  }
  const auto state = record.find("state");
  const auto old_phase = tally_phase(state == record.end() ? "" : std::string_view(state->second));
  const auto new_phase = tally_phase(new_state);
  if (old_phase == new_phase) {
    return {};
  }
  tally_move move{tally->second, group->second + "|" + std::string(old_phase),
                  group->second + "|" + std::string(new_phase)};
  const auto family = record.find("family");
  const auto language = record.find("language");
  const auto suffix = std::string_view(tally->second);
  constexpr std::string_view tally_end = ":tally";
  if ((new_phase == "sent" || new_phase == "delivered") && family != record.end() &&
      language != record.end() && suffix.ends_with(tally_end)) {
    move.reached_key_suffix = std::string(suffix.substr(0, suffix.size() - tally_end.size())) +
                              ":reached:" + language->second;
    move.family = family->second;
  }
  const auto id = record.find("id");
  if (new_phase == "failed" && id != record.end() && suffix.ends_with(tally_end)) {
    move.failures_key_suffix =
        std::string(suffix.substr(0, suffix.size() - tally_end.size())) + ":failures";
    move.delivery_id = id->second;
    move.failed_at_ms = epoch_ms(at);
  }
  return move;
}

const boost::system::error_category& queue_category() noexcept {
  static const queue_category_impl category;
  return category;
}

boost::system::error_code make_error_code(queue_errc e) noexcept {
  return {static_cast<int>(e), queue_category()};
}

delivery_queue::delivery_queue(redis_connection& commands, std::string key_prefix)
    : commands_(commands),
      prefix_(std::move(key_prefix)),
      key_base_(prefix_ + ":{q}:"),
      enqueue_idempotent_script_(enqueue_idempotent_source),
      enqueue_once_script_(enqueue_once_source),
      promote_script_(promote_source),
      replay_script_(replay_source),
      provider_report_script_(provider_report_source) {}

std::string delivery_queue::stream_key(std::string_view channel, std::string_view priority) const {
  std::string key = key_base_ + "stream:" + std::string(channel);
  if (priority == "urgent") {
    key += ":urgent";
  }
  return key;
}

std::string delivery_queue::delivery_key(std::string_view delivery_id) const {
  return key_base_ + "delivery:" + std::string(delivery_id);
}

std::string delivery_queue::delayed_key() const {
  return key_base_ + "delayed";
}

std::string delivery_queue::dead_key() const {
  return key_base_ + "dead";
}

std::string delivery_queue::idempotency_key(std::string_view scope, std::string_view key) const {
  // The client's key is hashed: it may be long or contain anything, and a Redis key should not.
  return key_base_ + "idempotency:" + std::string(scope) + ":" + sha256_hex(key);
}

std::vector<std::string> delivery_queue::stream_keys(
    const std::vector<std::string>& channels) const {
  std::vector<std::string> keys;
  for (const auto& c : channels) {
    keys.push_back(stream_key(c, "urgent"));
  }
  for (const auto& c : channels) {
    keys.push_back(stream_key(c, "normal"));
  }
  return keys;
}

redis_request delivery_queue::group_creation_request(
    const std::vector<std::string>& channels) const {
  redis_request request;
  for (const auto& key : stream_keys(channels)) {
    // "0", not "$": a group created after intake already wrote entries (first start, or a
    // Redis that lost the group) must still deliver them. Completed entries are deleted, so
    // the stream holds only work not yet done. MKSTREAM creates the stream on first use.
    request.push({"XGROUP", "CREATE", key, consumer_group, "0", "MKSTREAM"});
  }
  return request;
}

redis_request delivery_queue::enqueue_many_request(
    const std::vector<new_delivery>& deliveries) const {
  // Fan-out's layout (docs/queue.md): each entry carries up to deliveries_per_stream_entry
  // records, and a delivery's hash is written by the first worker that takes it.
  std::deque<std::string> records;  // viewed by `batches`: a deque does not move them
  stream_batches batches;
  packed_record_writer writer;
  for (const auto& d : deliveries) {
    writer.add("id", d.delivery_id);
    for (const auto& [name, value] : d.fields) {
      if (name != "id") {
        writer.add(name, value);
      }
    }
    batches.add(stream_key(d.channel, priority_of(d.fields)),
                records.emplace_back(writer.finish()));
  }
  redis_request request;
  request.push({"MULTI"});
  for (std::size_t s = 0; s < batches.streams().size(); ++s) {
    for (const auto& entry : batches.entries_of(s)) {
      request.push({"XADD", batches.streams()[s], "*", "deliveries", entry});
    }
  }
  request.push({"EXEC"});
  return request;
}

void delivery_queue::push_tally_move(redis_request& request, const tally_move& move) const {
  if (move.key_suffix.empty() || move.from_field == move.to_field) {
    return;
  }
  const std::string key = key_base_ + move.key_suffix;
  request.push({"HINCRBY", key, move.from_field, "-1"});
  request.push({"HINCRBY", key, move.to_field, "1"});
  if (!move.reached_key_suffix.empty()) {
    request.push({"PFADD", key_base_ + move.reached_key_suffix, move.family});
  }
  if (!move.failures_key_suffix.empty()) {
    request.push({"ZADD", key_base_ + move.failures_key_suffix, std::to_string(move.failed_at_ms),
                  move.delivery_id});
  }
}

void delivery_queue::push_carried_record(redis_request& request, const queued_job& job) const {
  if (!job.carried_record.empty() && !job.delivery_id.empty()) {
    request.push_with_pairs({"HSET", delivery_key(job.delivery_id)}, job.carried_record);
  }
}

redis_request delivery_queue::completion_request(const queued_job& job,
                                                 const record_fields& updates,
                                                 const tally_move& tally) const {
  redis_request request;
  request.push({"MULTI"});
  push_tally_move(request, tally);
  push_carried_record(request, job);
  if (!job.delivery_id.empty() && !updates.empty()) {
    request.push_with_pairs({"HSET", delivery_key(job.delivery_id)}, updates);
  }
  push_acknowledgement(request, job);
  request.push({"EXEC"});
  return request;
}

redis_request delivery_queue::retry_request(const queued_job& job, const record_fields& updates,
                                            system_clock::time_point due,
                                            const tally_move& tally) const {
  redis_request request;
  request.push({"MULTI"});
  push_tally_move(request, tally);
  push_carried_record(request, job);
  request.push_with_pairs({"HSET", delivery_key(job.delivery_id)}, updates);
  request.push({"HDEL", delivery_key(job.delivery_id), "handed_at"});
  request.push({"ZADD", delayed_key(), std::to_string(epoch_ms(due)), job.delivery_id});
  push_acknowledgement(request, job);
  request.push({"EXEC"});
  return request;
}

redis_request delivery_queue::bury_request(const queued_job& job, const record_fields& updates,
                                           const record_fields& dead_letter_fields,
                                           const tally_move& tally) const {
  redis_request request;
  request.push({"MULTI"});
  push_tally_move(request, tally);
  push_carried_record(request, job);
  if (!job.delivery_id.empty() && !updates.empty()) {
    request.push_with_pairs({"HSET", delivery_key(job.delivery_id)}, updates);
  }
  std::vector<std::string> xadd = {"XADD", dead_key(), "*"};
  for (const auto& [field, value] : dead_letter_fields) {
    xadd.push_back(field);
    xadd.push_back(value);
  }
  request.push(std::move(xadd));
  push_acknowledgement(request, job);
  request.push({"EXEC"});
  return request;
}

redis_request delivery_queue::stats_request(const std::vector<std::string>& stream_keys) const {
  redis_request request;
  for (const auto& key : stream_keys) {
    request.push({"XLEN", key});
    request.push({"XPENDING", key, consumer_group});
  }
  request.push({"ZCARD", delayed_key()});
  request.push({"XLEN", dead_key()});
  return request;
}

void delivery_queue::push_acknowledgement(redis_request& request, const queued_job& job) const {
  if (job.batch) {
    return;  // the entry has other deliveries: acknowledged after the last (record_outcome)
  }
  request.push({"XACK", job.stream_key, consumer_group, job.entry_id});
  // The record hash keeps the outcome; the stream entry has done its job and would only grow
  // the stream.
  request.push({"XDEL", job.stream_key, job.entry_id});
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::record_outcome(
    const redis_request& request, const queued_job& job) {
  if (auto recorded = co_await exec_transaction(request); !recorded) {
    co_return recorded;
  }
  if (!job.batch || ++job.batch->recorded < job.batch->deliveries) {
    co_return boost::system::result<void>{};
  }
  // Every delivery of the entry has its outcome. Should this fail, the entry stays pending and
  // is taken again: its deliveries are then found final and just counted.
  redis_request acknowledgement;
  acknowledgement.push({"MULTI"});
  acknowledgement.push({"XACK", job.stream_key, consumer_group, job.entry_id});
  acknowledgement.push({"XDEL", job.stream_key, job.entry_id});
  acknowledgement.push({"EXEC"});
  co_return co_await exec_transaction(acknowledgement);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::exec_transaction(
    const redis_request& request) {
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!transaction_succeeded(*replies)) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::ensure_groups(
    redis_connection& via, const std::vector<std::string>& channels) {
  const redis_request request = group_creation_request(channels);
  auto replies = co_await via.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& r : *replies) {
    if (r.is_error() && !r.text.starts_with("BUSYGROUP")) {
      co_return make_error_code(queue_errc::redis_error);
    }
  }
  co_return boost::system::result<void>{};
}

// One transaction of enqueue_message() calls: MULTI, then an XADD carrying each record; EXEC is
// added when it is committed. Its callers wait on `committed`, cancelled once the outcomes are
// known.
struct delivery_queue::enqueue_batch {
  explicit enqueue_batch(const boost::asio::any_io_executor& executor)
      : committed(executor, std::chrono::steady_clock::time_point::max()) {}

  redis_request request;
  std::size_t deliveries = 0;
  boost::asio::steady_timer committed;
  bool sent = false;
  bool finished = false;
  std::vector<boost::system::result<std::string>> outcomes;  // by position in the transaction
};

boost::asio::awaitable<boost::system::result<std::string>> delivery_queue::enqueue_message(
    std::string_view channel, const record_fields& fields) {
  auto batch = open_batch_;
  const bool first = batch == nullptr;
  if (first) {
    const auto executor = co_await boost::asio::this_coro::executor;
    batch = std::make_shared<enqueue_batch>(executor);
    batch->request.push({"MULTI"});
    open_batch_ = batch;
  }
  const auto priority = priority_of(fields);
  batch->request.push({"XADD", stream_key(channel, priority), "*", "message", pack_record(fields)});
  const std::size_t position = batch->deliveries++;

  // The call that fills the transaction commits it at once; otherwise the first call lets the
  // other requests already read in this turn of the event loop join, then commits.
  bool commits = batch->deliveries == max_enqueue_batch;
  if (commits) {
    open_batch_.reset();
  } else if (first) {
    const auto executor = co_await boost::asio::this_coro::executor;
    co_await boost::asio::post(executor, boost::asio::use_awaitable);
    commits = !batch->sent;  // not filled (and sent) meanwhile
    if (open_batch_ == batch) {
      open_batch_.reset();
    }
  }
  if (commits) {
    batch->sent = true;
    batch->request.push({"EXEC"});
    auto replies = co_await commands_.exec(batch->request);
    batch->outcomes = enqueue_outcomes(replies, batch->deliveries);
    batch->finished = true;
    batch->committed.cancel();
  } else if (!batch->finished) {
    boost::system::error_code ec;
    co_await batch->committed.async_wait(
        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (!batch->finished) {
      co_return make_error_code(redis_errc::cancelled);  // this caller was cancelled
    }
  }
  const auto& entry = batch->outcomes[position];
  if (!entry) {
    co_return entry.error();
  }
  co_return message_id_for(*entry, channel, priority);
}

boost::asio::awaitable<boost::system::result<bool>> delivery_queue::enqueue_once(
    std::string_view channel, std::string_view delivery_id, const record_fields& fields) {
  std::vector<std::string> keys = {delivery_key(delivery_id),
                                   stream_key(channel, priority_of(fields))};
  std::vector<std::string> args = {std::string(delivery_id)};
  for (const auto& [field, value] : fields) {
    args.push_back(field);
    args.push_back(value);
  }
  auto reply = co_await enqueue_once_script_.run(commands_, std::move(keys), std::move(args));
  if (!reply) {
    co_return boost::system::result<bool>{boost::system::in_place_error, reply.error()};
  }
  co_return reply->integer == 1;
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::enqueue_many(
    const std::vector<new_delivery>& deliveries) {
  if (deliveries.empty()) {
    co_return boost::system::result<void>{};
  }
  const redis_request request = enqueue_many_request(deliveries);
  co_return co_await exec_transaction(request);
}

namespace {

std::vector<std::string> idempotent_keys(const delivery_queue& q, const idempotency_claim& claim,
                                         std::string_view channel, const record_fields& fields) {
  return {q.idempotency_key(claim.scope, claim.key), q.stream_key(channel, priority_of(fields))};
}

std::vector<std::string> idempotent_args(const idempotency_claim& claim, std::string_view channel,
                                         const record_fields& fields) {
  auto [prefix, suffix] = message_id_affixes(channel, priority_of(fields));
  return {claim.request_hash, std::to_string(claim.ttl.count()), pack_record(fields),
          std::move(prefix), std::move(suffix)};
}

}  // namespace

boost::asio::awaitable<boost::system::result<intake_outcome>> delivery_queue::enqueue_idempotent(
    const idempotency_claim& claim, std::string_view channel, const record_fields& fields) {
  auto reply = co_await enqueue_idempotent_script_.run(
      commands_, idempotent_keys(*this, claim, channel, fields),
      idempotent_args(claim, channel, fields));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != redis_reply::kind_t::array || reply->elements.size() != 2) {
    co_return make_error_code(queue_errc::redis_error);
  }
  const auto& status = reply->elements[0].text;
  intake_outcome outcome;
  outcome.delivery_id = reply->elements[1].text;
  outcome.result = status == "created"    ? intake_result::created
                   : status == "replayed" ? intake_result::replayed
                                          : intake_result::conflict;
  co_return outcome;
}

boost::asio::awaitable<boost::system::result<std::optional<record_fields>>> delivery_queue::load(
    std::string_view delivery_id) {
  std::vector<std::string> command = {"HGETALL", delivery_key(delivery_id)};
  auto reply = co_await commands_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error() || reply->kind != redis_reply::kind_t::array) {
    co_return make_error_code(queue_errc::redis_error);
  }
  if (reply->elements.empty()) {
    co_return std::optional<record_fields>{};
  }
  co_return std::optional<record_fields>{field_map(*reply)};
}

namespace {

redis_request find_request(const delivery_queue& q, std::string_view delivery_id,
                           const message_location& at) {
  redis_request request;
  request.push({"MULTI"});
  request.push({"HGETALL", q.delivery_key(delivery_id)});
  request.push({"XRANGE", q.stream_key(at.channel, at.priority), at.entry_id, at.entry_id});
  request.push({"EXEC"});
  return request;
}

}  // namespace

boost::asio::awaitable<boost::system::result<std::optional<record_fields>>> delivery_queue::find(
    std::string_view delivery_id) {
  const auto at = locate_message(delivery_id);
  if (!at) {
    co_return co_await load(delivery_id);  // not a direct message's: a hash or nothing
  }
  const redis_request request = find_request(*this, delivery_id, *at);
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  const auto& ran = replies->back();
  if (ran.kind != redis_reply::kind_t::array || ran.elements.size() != 2 ||
      ran.elements[0].is_error()) {
    co_return make_error_code(queue_errc::redis_error);
  }
  if (!ran.elements[0].elements.empty()) {
    co_return std::optional<record_fields>{field_map(ran.elements[0])};  // the hash is the truth
  }
  // The entry: none when the id names none (an error: an entry id past Redis's range).
  const auto& entries = ran.elements[1];
  if (entries.is_error() || entries.elements.size() != 1 ||
      entries.elements[0].elements.size() != 2) {
    co_return std::optional<record_fields>{};
  }
  const auto fields = field_map(entries.elements[0].elements[1]);
  const auto message = fields.find("message");
  if (message == fields.end()) {
    co_return std::optional<record_fields>{};
  }
  auto record = carried_message(at->entry_id, message->second);
  if (record.empty() || record["id"] != delivery_id) {
    co_return std::optional<record_fields>{};  // unreadable, or another channel's id
  }
  co_return std::optional<record_fields>{std::move(record)};
}

boost::asio::awaitable<boost::system::result<report_result>> delivery_queue::record_provider_report(
    std::string_view delivery_id, std::string_view state, const record_fields& fields) {
  std::vector<std::string> args = {std::string(state), key_base_};
  for (const auto& [field, value] : fields) {
    args.push_back(field);
    args.push_back(value);
  }
  std::vector<std::string> keys = {delivery_key(delivery_id)};
  auto reply = co_await provider_report_script_.run(commands_, std::move(keys), std::move(args));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->text == "applied") {
    co_return report_result::applied;
  }
  if (reply->text == "recorded") {
    co_return report_result::recorded;
  }
  if (reply->text == "stale") {
    co_return report_result::stale;
  }
  if (reply->text == "unknown") {
    co_return report_result::unknown_delivery;
  }
  co_return make_error_code(queue_errc::redis_error);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::update(
    std::string_view delivery_id, const record_fields& fields) {
  auto reply = co_await commands_.exec_one(hset_command(delivery_key(delivery_id), fields));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return boost::system::result<void>{};
}

std::vector<std::string> delivery_queue::update_command(const queued_job& job,
                                                        const record_fields& fields) const {
  if (job.carried_record.empty()) {
    return hset_command(delivery_key(job.delivery_id), fields);
  }
  record_fields whole = fields;
  whole.insert(job.carried_record.begin(), job.carried_record.end());  // `fields` win
  return hset_command(delivery_key(job.delivery_id), whole);
}

boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> delivery_queue::read_new(
    redis_connection& reader, std::string_view consumer, const std::vector<std::string>& channels,
    std::size_t count, std::chrono::milliseconds block) {
  std::vector<std::string> args = {"XREADGROUP",
                                   "GROUP",
                                   std::string(consumer_group),
                                   std::string(consumer),
                                   "COUNT",
                                   std::to_string(count),
                                   "BLOCK",
                                   std::to_string(block.count()),
                                   "STREAMS"};
  const auto keys = stream_keys(channels);
  args.insert(args.end(), keys.begin(), keys.end());
  args.insert(args.end(), keys.size(), ">");
  return read_group(reader, std::move(args), block);
}

boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> delivery_queue::read_pending(
    redis_connection& reader, std::string_view consumer,
    const std::map<std::string, std::string>& after_id_by_stream, std::size_t count) {
  std::vector<std::string> args = {
      "XREADGROUP",          "GROUP",  std::string(consumer_group), std::string(consumer), "COUNT",
      std::to_string(count), "STREAMS"};
  for (const auto& entry : after_id_by_stream) {
    args.push_back(entry.first);
  }
  for (const auto& entry : after_id_by_stream) {
    args.push_back(entry.second);
  }
  return read_group(reader, std::move(args), std::chrono::milliseconds(0));
}

boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> delivery_queue::peek(
    std::string_view stream_key, std::string_view after_entry_id, std::size_t count) {
  auto reply =
      co_await commands_.exec_one(xrange_after(std::string(stream_key), after_entry_id, count));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != redis_reply::kind_t::array) {
    co_return make_error_code(queue_errc::redis_error);
  }
  std::vector<queued_job> jobs;
  if (!append_entries(std::string(stream_key), *reply, jobs)) {
    co_return make_error_code(queue_errc::malformed_entry);
  }
  co_return jobs;
}

boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> delivery_queue::read_group(
    redis_connection& reader, std::vector<std::string> args, std::chrono::milliseconds block) {
  // The call may legitimately take `block`; allow that plus the normal command timeout.
  auto reply = co_await reader.exec_one(std::move(args), block + std::chrono::seconds(5));
  if (!reply) {
    co_return reply.error();
  }
  std::vector<queued_job> jobs;
  if (reply->is_nil()) {
    co_return jobs;  // BLOCK expired with nothing new
  }
  if (reply->kind != redis_reply::kind_t::array) {
    co_return make_error_code(queue_errc::redis_error);
  }
  // [[stream, [[entry_id, [field, value, ...]], ...]], ...]
  for (const auto& stream : reply->elements) {
    if (stream.elements.size() != 2 ||
        !append_entries(stream.elements[0].text, stream.elements[1], jobs)) {
      co_return make_error_code(queue_errc::malformed_entry);
    }
  }
  co_return jobs;
}

namespace {

redis_request autoclaim_request(const std::vector<std::string>& keys, std::string_view group,
                                std::string_view consumer, std::chrono::milliseconds min_idle,
                                std::size_t count) {
  redis_request request;
  for (const auto& key : keys) {
    request.push({"XAUTOCLAIM", key, group, consumer, std::to_string(min_idle.count()), "0-0",
                  "COUNT", std::to_string(count)});
  }
  return request;
}

redis_request pending_count_request(const std::vector<queued_job>& jobs, std::string_view group) {
  redis_request request;
  for (const auto& job : jobs) {
    request.push({"XPENDING", job.stream_key, group, job.entry_id, job.entry_id, "1"});
  }
  return request;
}

}  // namespace

boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> delivery_queue::claim_idle(
    redis_connection& reader, std::string_view consumer, const std::vector<std::string>& channels,
    std::chrono::milliseconds min_idle, std::size_t count) {
  const auto keys = stream_keys(channels);
  const redis_request request = autoclaim_request(keys, consumer_group, consumer, min_idle, count);
  auto replies = co_await reader.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  std::vector<queued_job> jobs;
  for (std::size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) {
      if (r.text.starts_with("NOGROUP")) {
        continue;  // the stream or group does not exist yet: nothing to claim
      }
      co_return make_error_code(queue_errc::redis_error);
    }
    // [next_start_id, [[entry_id, [field, value...]], ...], [deleted ids...]]
    if (r.elements.size() < 2 || !append_entries(keys[i], r.elements[1], jobs)) {
      co_return make_error_code(queue_errc::malformed_entry);
    }
  }
  if (!jobs.empty()) {
    if (auto counted = co_await fill_delivery_counts(reader, jobs); !counted) {
      co_return counted.error();
    }
  }
  co_return jobs;
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::fill_delivery_counts(
    redis_connection& reader, std::vector<queued_job>& jobs) {
  if (jobs.empty()) {
    co_return boost::system::result<void>{};
  }
  const redis_request request = pending_count_request(jobs, consumer_group);
  auto replies = co_await reader.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (std::size_t i = 0; i < jobs.size() && i < replies->size(); ++i) {
    // [[entry_id, consumer, idle_ms, times_delivered]]
    const auto& r = (*replies)[i];
    if (r.kind == redis_reply::kind_t::array && !r.elements.empty() &&
        r.elements[0].elements.size() == 4) {
      jobs[i].times_delivered = static_cast<std::size_t>(r.elements[0].elements[3].integer);
    }
  }
  co_return boost::system::result<void>{};
}

// Not coroutines: each passes a named empty tally, which the coroutine copies into its frame.
boost::asio::awaitable<boost::system::result<void>> delivery_queue::complete(
    const queued_job& job, const record_fields& updates) {
  const tally_move none;
  return complete(job, updates, none);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::retry_later(
    const queued_job& job, const record_fields& updates, system_clock::time_point due) {
  const tally_move none;
  return retry_later(job, updates, due, none);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::bury(
    const queued_job& job, const record_fields& updates, const record_fields& dead_letter_fields) {
  const tally_move none;
  return bury(job, updates, dead_letter_fields, none);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::complete(
    const queued_job& job, const record_fields& updates, tally_move tally) {
  const redis_request request = completion_request(job, updates, tally);
  co_return co_await record_outcome(request, job);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::retry_later(
    const queued_job& job, const record_fields& updates, system_clock::time_point due,
    tally_move tally) {
  const redis_request request = retry_request(job, updates, due, tally);
  co_return co_await record_outcome(request, job);
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::bury(
    const queued_job& job, const record_fields& updates, const record_fields& dead_letter_fields,
    tally_move tally) {
  const redis_request request = bury_request(job, updates, dead_letter_fields, tally);
  co_return co_await record_outcome(request, job);
}

namespace {

std::vector<std::string> promote_args(system_clock::time_point now, std::size_t limit,
                                      const std::string& key_base) {
  return {std::to_string(epoch_ms(now)), std::to_string(limit), key_base};
}

std::vector<std::string> one_key(std::string key) {
  return {std::move(key)};
}

}  // namespace

boost::asio::awaitable<boost::system::result<std::size_t>> delivery_queue::promote_due(
    system_clock::time_point now, std::size_t limit) {
  auto reply = co_await promote_script_.run(commands_, one_key(delayed_key()),
                                            promote_args(now, limit, key_base_));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != redis_reply::kind_t::integer) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return static_cast<std::size_t>(reply->integer);
}

boost::asio::awaitable<boost::system::result<std::vector<dead_letter>>> delivery_queue::list_dead(
    std::string_view after_entry_id, std::size_t count) {
  auto reply = co_await commands_.exec_one(xrange_after(dead_key(), after_entry_id, count));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != redis_reply::kind_t::array) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return dead_letters_from(*reply);
}

boost::asio::awaitable<boost::system::result<std::optional<dead_letter>>> delivery_queue::find_dead(
    std::string_view entry_id) {
  std::vector<std::string> command = {"XRANGE", dead_key(), std::string(entry_id),
                                      std::string(entry_id)};
  auto reply = co_await commands_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    // An argument that is not an entry id ("ERR Invalid stream ID") names no entry.
    co_return std::optional<dead_letter>{};
  }
  auto letters = dead_letters_from(*reply);
  if (letters.empty()) {
    co_return std::optional<dead_letter>{};
  }
  co_return std::optional<dead_letter>{std::move(letters.front())};
}

namespace {

std::vector<std::string> replay_args(std::string_view entry_id, const std::string& key_base,
                                     system_clock::time_point now) {
  return {std::string(entry_id), key_base, format_rfc3339_utc(now)};
}

}  // namespace

boost::asio::awaitable<boost::system::result<std::string>> delivery_queue::replay_dead(
    std::string_view entry_id, system_clock::time_point now) {
  auto reply = co_await replay_script_.run(commands_, one_key(dead_key()),
                                           replay_args(entry_id, key_base_, now));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return make_error_code(reply->text.find("Invalid stream ID") != std::string::npos
                                  ? queue_errc::not_found
                                  : queue_errc::redis_error);
  }
  if (reply->kind != redis_reply::kind_t::array || reply->elements.size() != 2) {
    co_return make_error_code(queue_errc::redis_error);
  }
  if (reply->elements[0].text != "replayed") {
    co_return make_error_code(queue_errc::not_found);
  }
  co_return reply->elements[1].text;
}

boost::asio::awaitable<boost::system::result<std::size_t>> delivery_queue::purge_dead(
    const std::vector<std::string>& entry_ids) {
  if (entry_ids.empty()) {
    co_return std::size_t{0};
  }
  std::vector<std::string> command = {"XDEL", dead_key()};
  command.insert(command.end(), entry_ids.begin(), entry_ids.end());
  auto reply = co_await commands_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != redis_reply::kind_t::integer) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return static_cast<std::size_t>(reply->integer);
}

namespace {

redis_request purge_all_request(const std::string& dead) {
  redis_request request;
  request.push({"MULTI"});
  request.push({"XLEN", dead});
  request.push({"DEL", dead});
  request.push({"EXEC"});
  return request;
}

}  // namespace

boost::asio::awaitable<boost::system::result<std::size_t>> delivery_queue::purge_all_dead() {
  const redis_request request = purge_all_request(dead_key());
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!transaction_succeeded(*replies) || replies->back().elements.empty()) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return static_cast<std::size_t>(replies->back().elements[0].integer);
}

boost::asio::awaitable<boost::system::result<queue_stats>> delivery_queue::stats(
    const std::vector<std::string>& channels) {
  const auto keys = stream_keys(channels);
  const redis_request request = stats_request(keys);
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (replies->size() != keys.size() * 2 + 2) {
    co_return make_error_code(queue_errc::redis_error);
  }
  queue_stats stats;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    stats.depth[keys[i]] = (*replies)[2 * i].integer;
    // XPENDING's summary: [count, smallest id, greatest id, consumers]; NOGROUP: none yet.
    const auto& pending = (*replies)[2 * i + 1];
    stats.pending[keys[i]] =
        !pending.is_error() && !pending.elements.empty() ? pending.elements[0].integer : 0;
  }
  stats.delayed = (*replies)[keys.size() * 2].integer;
  stats.dead = (*replies)[keys.size() * 2 + 1].integer;
  co_return stats;
}

}  // namespace liaison::queue
