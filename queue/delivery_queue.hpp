// The durable delivery queue: one Redis stream per channel with a consumer group shared by
// every liaisond instance, and one hash per delivery holding its content and state.
// Key layout (docs/queue.md): <prefix>:{q}:stream:<channel>, <prefix>:{q}:delivery:<id>.
// All keys of one atomic operation share the {q} hash tag so the layout works on Redis Cluster.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "queue/redis_connection.hpp"

namespace liaison::queue {

using record_fields = std::map<std::string, std::string>;

// One stream entry handed to a worker; `entry_id` is needed to acknowledge it.
struct queued_job {
  std::string stream_key;
  std::string entry_id;
  std::string delivery_id;
};

enum class queue_errc { redis_error = 1, malformed_entry };
const boost::system::error_category& queue_category() noexcept;
boost::system::error_code make_error_code(queue_errc e) noexcept;

class delivery_queue {
 public:
  delivery_queue(redis_connection& commands, std::string key_prefix);

  std::string stream_key(std::string_view channel) const;
  std::string delivery_key(std::string_view delivery_id) const;
  static constexpr std::string_view consumer_group = "workers";

  // Creates the consumer group of each channel's stream (idempotent), over `via` (a worker
  // passes its own connection so it does not depend on the shared one being up yet).
  boost::asio::awaitable<boost::system::result<void>> ensure_groups(
      redis_connection& via, const std::vector<std::string>& channels);

  // Writes the delivery record and its stream entry in one MULTI/EXEC: both or neither.
  // Completes only after Redis confirmed the write (and, with appendfsync always, fsynced it).
  boost::asio::awaitable<boost::system::result<void>> enqueue(std::string_view channel,
                                                              std::string_view delivery_id,
                                                              const record_fields& fields);

  // The delivery record, or nullopt when there is none.
  boost::asio::awaitable<boost::system::result<std::optional<record_fields>>> load(
      std::string_view delivery_id);

  // Reads up to `count` new jobs for `consumer` on the given channels, waiting up to `block`.
  // `reader` must be a connection of its own: XREADGROUP BLOCK holds it.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_new(
      redis_connection& reader, std::string_view consumer, const std::vector<std::string>& channels,
      std::size_t count, std::chrono::milliseconds block);

  // This consumer's own unacknowledged jobs (left by a crash or a restart), after the given
  // entry id per stream key ("0" to start). Pages: pass the last id seen to continue.
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_pending(
      redis_connection& reader, std::string_view consumer,
      const std::map<std::string, std::string>& after_id_by_stream, std::size_t count);

  // Records the outcome fields and acknowledges the entry in one MULTI/EXEC.
  boost::asio::awaitable<boost::system::result<void>> complete(const queued_job& job,
                                                               const record_fields& updates);

 private:
  redis_request group_creation_request(const std::vector<std::string>& channels) const;
  redis_request enqueue_request(std::string_view channel, std::string_view delivery_id,
                                const record_fields& fields) const;
  redis_request completion_request(const queued_job& job, const record_fields& updates) const;
  boost::asio::awaitable<boost::system::result<std::vector<queued_job>>> read_group(
      redis_connection& reader, std::vector<std::string> args, std::chrono::milliseconds block);

  redis_connection& commands_;
  std::string prefix_;
};

}  // namespace liaison::queue

template <>
struct boost::system::is_error_code_enum<liaison::queue::queue_errc> : std::true_type {};
