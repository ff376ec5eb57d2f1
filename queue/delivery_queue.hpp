// The durable delivery queue: one Redis stream per channel and priority with a consumer group
// shared by every liaisond instance, one hash per delivery holding its content and state, one
// sorted set of delayed jobs (retries) by due time, and a dead-letter stream.
// Key layout (docs/queue.md): every key carries the {q} hash tag, so every multi-key operation
// (MULTI/EXEC or Lua) runs on one slot and the layout works on Redis Cluster.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queue/lua_script.hpp"
#include "queue/message_id.hpp"
#include "queue/packed_record.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::queue {

using record_fields = std::map<std::string, std::string>;

// The deliveries of one stream entry that carries several (fan-out's): the entry is acknowledged
// once every one of them has its outcome recorded.
struct entry_batch {
  std::size_t deliveries = 0;
  std::size_t recorded = 0;
};

// One delivery of a stream entry, handed to a worker; `entry_id` is needed to acknowledge it.
struct queued_job {
  std::string stream_key;
  std::string entry_id;
  std::string delivery_id;
  std::size_t times_delivered = 1;  // how often a consumer took it (XPENDING), when known
  // A delivery written by fan-out or intake (a direct message) carries its record in the stream
  // entry instead of a hash: a hash per delivery costs Redis several times more. The worker uses
  // it when there is no hash yet, and the first write about the job (complete, retry_later, bury,
  // update) creates the hash from it. Empty when the entry names only the delivery, or once the
  // hash exists.
  std::map<std::string, std::string> carried_record{};
  // Set when the entry carries several deliveries (field "deliveries", packed_record.hpp): shared
  // by the jobs of the entry, which is acknowledged after the last outcome. Null: one delivery.
  std::shared_ptr<entry_batch> batch{};
};

// An Idempotency-Key on intake, scoped to the API key that sent it.
struct idempotency_claim {
  std::string scope;         // the API key's name: two schools' keys never collide
  std::string key;           // the client's Idempotency-Key
  std::string request_hash;  // what "the same request" means: a hash of method, path and body
  std::chrono::milliseconds ttl{0};
};

enum class intake_result {
  created,   // new work was queued
  replayed,  // same key, same request: the earlier delivery, nothing queued
  conflict,  // same key, another request
};

struct intake_outcome {
  intake_result result = intake_result::created;
  std::string delivery_id;  // created: the new one; replayed or conflict: the earlier one
};

// One entry of the dead-letter stream.
struct dead_letter {
  std::string entry_id;
  record_fields fields;  // delivery, channel, priority, reason, failed_at, attempts
};

struct queue_stats {
  std::map<std::string, long long> depth;    // stream key -> entries not yet completed
  std::map<std::string, long long> pending;  // stream key -> taken by a consumer, not acked
  long long delayed = 0;
  long long dead = 0;
};

// A count that follows deliveries' states, e.g. an announcement's progress per language and
// channel. A record that belongs to one names it in two fields: `tally` (the hash's key after the
// queue's key base) and `tally_group` (the field prefix, "es-MX|sms"); the hash counts
// "<group>|<phase>". Moves are made in the same transaction as the state change they follow.
struct tally_move {
  std::string key_suffix;  // empty: no tally
  std::string from_field;
  std::string to_field;
  // Reach (docs/reports.md): when the delivery was handed to a provider, its family joins the
  // HyperLogLog of families reached (key suffix "ann:<id>:reached:<language>").
  std::string reached_key_suffix{};
  std::string family{};
  // Failures: a delivery that fails joins its announcement's sorted set of failed deliveries
  // (key suffix "ann:<id>:failures", scored by when), which answers "what failed and why".
  std::string failures_key_suffix{};
  std::string delivery_id{};
  long long failed_at_ms = 0;
};

// The phase a state is counted as: queued (queued, sending, retrying), deferred, sent,
// delivered, failed (failed, dead, undelivered), opted_out, cancelled.
std::string_view tally_phase(std::string_view state) noexcept;
// The move for changing `record` (as loaded) to `new_state` at `at`; empty when no count
// changes.
tally_move tally_move_for(const record_fields& record, std::string_view new_state,
                          std::chrono::system_clock::time_point at);

// What became of a provider's report on a delivery (record_provider_report).
enum class report_result {
  applied,           // the delivery is now delivered / undelivered
  recorded,          // noted (a report of progress, or one before our own "sent"): state unchanged
  stale,             // the delivery already had its final report: nothing changed (replays)
  unknown_delivery,  // no such delivery (expired, or not ours)
};

enum class queue_errc { redis_error = 1, malformed_entry, not_found };
const boost::system::error_category& queue_category() noexcept;
boost::system::error_code make_error_code(queue_errc e) noexcept;

class delivery_queue {
 public:
  delivery_queue(redis_connection& commands, std::string key_prefix);

  std::string stream_key(std::string_view channel, std::string_view priority = "normal") const;
  std::string delivery_key(std::string_view delivery_id) const;
  std::string delayed_key() const;
  std::string dead_key() const;
  // Any other key in the queue's hash slot ("<prefix>:{q}:<suffix>"): things that must change in
  // one transaction with deliveries (an announcement's progress) live there.
  std::string key(std::string_view suffix) const { return key_base_ + std::string(suffix); }
  const std::string& key_base() const noexcept { return key_base_; }
  std::string idempotency_key(std::string_view scope, std::string_view key) const;
  // The streams a worker of these channels reads, urgent ones first.
  std::vector<std::string> stream_keys(const std::vector<std::string>& channels) const;
  static constexpr std::string_view consumer_group = "workers";
  static constexpr std::size_t max_enqueue_batch = 16;

  // Creates the consumer group of each channel's streams (idempotent), over `via` (a worker
  // passes its own connection so it does not depend on the shared one being up yet).
  boost::asio::awaitable<boost::system::result<void>> ensure_groups(
      redis_connection& via, const std::vector<std::string>& channels);

  // A direct message from intake, in fan-out's layout: one stream entry carrying its record
  // (field `message`), and no hash until a worker takes it, which is about a quarter of Redis's
  // work for a hash and an entry. The record's `priority` field ("urgent" or else normal) picks
  // the stream, and its `channel` field is `channel`: a worker makes the id from the record it
  // reads. Its id names the entry (message_id_for) and is returned only after Redis confirmed the
  // write (and, with appendfsync always, fsynced it). Messages enqueued in the same turn of the
  // event loop (concurrent requests) share one MULTI/EXEC, up to max_enqueue_batch (docs/queue.md,
  // "Group commit").
  boost::asio::awaitable<boost::system::result<std::string>> enqueue_message(
      std::string_view channel, const record_fields& fields);

  // A delivery whose id the caller chose: its record hash and a stream entry naming it, in one Lua
  // script, and nothing when a record with this id exists: a step that is retried, or run by two
  // instances at once, queues its delivery once. True when queued now.
  boost::asio::awaitable<boost::system::result<bool>> enqueue_once(std::string_view channel,
                                                                   std::string_view delivery_id,
                                                                   const record_fields& fields);

  // Many deliveries in one MULTI/EXEC (one round trip, all or none), in fan-out's layout: up to
  // deliveries_per_stream_entry records carried in each stream entry, and no hash until a worker
  // takes the delivery (docs/queue.md). For bulk writers: it is what bulk enqueue throughput is
  // measured with.
  struct new_delivery {
    std::string channel;
    std::string delivery_id;
    record_fields fields;
  };
  boost::asio::awaitable<boost::system::result<void>> enqueue_many(
      const std::vector<new_delivery>& deliveries);

  // As enqueue_message, but first checks the idempotency key, all in one Lua script: a known key
  // with the same request hash answers `replayed` with the earlier id and writes nothing; with
  // another hash `conflict`; an unknown key is stored (with its TTL) together with the message.
  boost::asio::awaitable<boost::system::result<intake_outcome>> enqueue_idempotent(
      const idempotency_claim& claim, std::string_view channel, const record_fields& fields);

  // The delivery record's hash, or nullopt when there is none (yet: see find()).
  boost::asio::awaitable<boost::system::result<std::optional<record_fields>>> load(
      std::string_view delivery_id);
  // The delivery record wherever it is: its hash, or, for a direct message no worker has written
  // a hash for yet, the record carried by the entry its id names (read in one MULTI/EXEC with the
  // hash, so a worker taking it meanwhile is never missed). Nullopt when there is neither.
  boost::asio::awaitable<boost::system::result<std::optional<record_fields>>> find(
      std::string_view delivery_id);

  // Sets fields of a delivery record (e.g. the "handed to provider" mark before a send).
  boost::asio::awaitable<boost::system::result<void>> update(std::string_view delivery_id,
                                                             const record_fields& fields);
  // The same for a job's delivery as a command, for a caller that sends it in one round trip with
  // others (the worker's mark): a record the job carries is written with the fields.
  std::vector<std::string> update_command(const queued_job& job, const record_fields& fields) const;
  redis_connection& connection() noexcept { return commands_; }

  // A provider's word on a delivery it accepted: `state` is "delivered" or "undelivered" (final:
  // moves the state and its progress count, once), or "sent" (progress: only `fields` are
  // recorded). `fields` (provider_status, provider_error…) are recorded unless the delivery
  // already had its final report. Monotonic: a replayed or late report never moves it back.
  boost::asio::awaitable<boost::system::result<report_result>> record_provider_report(
      std::string_view delivery_id, std::string_view state, const record_fields& fields);

  // Reads up to `count` new jobs per stream for `consumer` on the given channels, urgent first,
  // waiting up to `block`. `reader` must be a connection of its own: XREADGROUP BLOCK holds it.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_new(
      redis_connection& reader, std::string_view consumer, const std::vector<std::string>& channels,
      std::size_t count, std::chrono::milliseconds block);

  // The jobs of up to `count` entries of a stream after `after_entry_id` ("-" to start), as a
  // worker would get them but without taking them: for tools that list what is queued
  // (liaisonctl export). Pages: pass the last job's entry id to continue.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> peek(
      std::string_view stream_key, std::string_view after_entry_id, std::size_t count);

  // This consumer's own unacknowledged jobs (left by a crash or a restart), after the given
  // entry id per stream key ("0" to start). Pages: pass the last id seen to continue.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_pending(
      redis_connection& reader, std::string_view consumer,
      const std::map<std::string, std::string>& after_id_by_stream, std::size_t count);

  // Takes over up to `count` jobs per stream that some consumer took more than `min_idle` ago
  // and never acknowledged (it crashed or hangs): XAUTOCLAIM. `times_delivered` is filled in.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> claim_idle(
      redis_connection& reader, std::string_view consumer, const std::vector<std::string>& channels,
      std::chrono::milliseconds min_idle, std::size_t count);

  // Fills `times_delivered` of each job from XPENDING (one pipelined round trip).
  boost::asio::awaitable<boost::system::result<void>> fill_delivery_counts(
      redis_connection& reader, std::vector<queued_job>& jobs);

  // Records the outcome fields and acknowledges the entry in one MULTI/EXEC.
  // (No default arguments on these coroutines: GCC 12 destroys a defaulted class-type argument
  // of a coroutine twice. The overloads without a tally pass a named empty one.)
  boost::asio::awaitable<boost::system::result<void>> complete(const queued_job& job,
                                                               const record_fields& updates,
                                                               tally_move tally);
  boost::asio::awaitable<boost::system::result<void>> complete(const queued_job& job,
                                                               const record_fields& updates);

  // Records the failed attempt, puts the delivery in the delayed set due at `due`, and
  // acknowledges the entry, in one MULTI/EXEC: the job is in exactly one place at any time.
  boost::asio::awaitable<boost::system::result<void>> retry_later(
      const queued_job& job, const record_fields& updates,
      std::chrono::system_clock::time_point due, tally_move tally);
  boost::asio::awaitable<boost::system::result<void>> retry_later(
      const queued_job& job, const record_fields& updates,
      std::chrono::system_clock::time_point due);

  // Records the reason, adds a dead-letter entry and acknowledges the job, in one MULTI/EXEC.
  boost::asio::awaitable<boost::system::result<void>> bury(const queued_job& job,
                                                           const record_fields& updates,
                                                           const record_fields& dead_letter_fields,
                                                           tally_move tally);
  boost::asio::awaitable<boost::system::result<void>> bury(const queued_job& job,
                                                           const record_fields& updates,
                                                           const record_fields& dead_letter_fields);

  // Moves up to `limit` delayed deliveries due at `now` to their streams (one Lua script, so
  // every instance may run it at once: each delivery is moved by exactly one of them). Returns
  // how many it moved; `limit` moved means there may be more.
  boost::asio::awaitable<boost::system::result<std::size_t>> promote_due(
      std::chrono::system_clock::time_point now, std::size_t limit);

  // Dead letters, oldest first, after `after_entry_id` ("-" to start).
  boost::asio::awaitable<boost::system::result<std::vector<dead_letter>>> list_dead(
      std::string_view after_entry_id, std::size_t count);
  boost::asio::awaitable<boost::system::result<std::optional<dead_letter>>> find_dead(
      std::string_view entry_id);
  // Queues the delivery again with a fresh retry budget and removes the dead letter, atomically.
  // Returns the delivery id; queue_errc::not_found when there is no such entry or record.
  boost::asio::awaitable<boost::system::result<std::string>> replay_dead(
      std::string_view entry_id, std::chrono::system_clock::time_point now);
  // Removes dead letters (the delivery records stay, in state "dead"). Returns how many.
  boost::asio::awaitable<boost::system::result<std::size_t>> purge_dead(
      const std::vector<std::string>& entry_ids);
  boost::asio::awaitable<boost::system::result<std::size_t>> purge_all_dead();

  // Depth and pending counts of these channels' streams, the delayed and dead-letter counts.
  boost::asio::awaitable<boost::system::result<queue_stats>> stats(
      const std::vector<std::string>& channels);

 private:
  redis_request group_creation_request(const std::vector<std::string>& channels) const;
  redis_request enqueue_many_request(const std::vector<new_delivery>& deliveries) const;
  void push_tally_move(redis_request& request, const tally_move& move) const;
  void push_carried_record(redis_request& request, const queued_job& job) const;
  redis_request completion_request(const queued_job& job, const record_fields& updates,
                                   const tally_move& tally) const;
  redis_request retry_request(const queued_job& job, const record_fields& updates,
                              std::chrono::system_clock::time_point due,
                              const tally_move& tally) const;
  redis_request bury_request(const queued_job& job, const record_fields& updates,
                             const record_fields& dead_letter_fields,
                             const tally_move& tally) const;
  redis_request stats_request(const std::vector<std::string>& stream_keys) const;
  boost::asio::awaitable<boost::system::result<void>> exec_transaction(
      const redis_request& request);
  // After a job's outcome is recorded: acknowledges (and deletes) its entry, at once for an entry
  // of one delivery (the outcome's transaction did it), after the last one for a batch.
  void push_acknowledgement(redis_request& request, const queued_job& job) const;
  boost::asio::awaitable<boost::system::result<void>> record_outcome(const redis_request& request,
                                                                     const queued_job& job);
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_group(
      redis_connection& reader, std::vector<std::string> args, std::chrono::milliseconds block);

  // The transaction enqueue_message() calls are gathering, until its first caller commits it.
  struct enqueue_batch;
  std::shared_ptr<enqueue_batch> open_batch_;

  redis_connection& commands_;
  std::string prefix_;
  std::string key_base_;  // "<prefix>:{q}:": Lua scripts derive record and stream keys from it
  lua_script enqueue_idempotent_script_;
  lua_script enqueue_once_script_;
  lua_script promote_script_;
  lua_script replay_script_;
  lua_script provider_report_script_;
};

}  // namespace liaison::queue

template <>
struct boost::system::is_error_code_enum<liaison::queue::queue_errc> : std::true_type {};
