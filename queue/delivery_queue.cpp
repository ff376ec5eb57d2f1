#include "queue/delivery_queue.hpp"

namespace liaison::queue {
namespace {

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
    }
    return "unknown queue error";
  }
};
#pragma GCC diagnostic pop

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

// EXEC answers nil when the transaction was aborted, an array of replies otherwise; any error
// inside it (or a queuing error) means the write did not happen as asked.
bool transaction_succeeded(const std::vector<redis_reply>& replies) {
  if (replies.empty() || replies.back().kind != redis_reply::kind_t::array) {
    return false;
  }
  for (const auto& r : replies) {
    if (r.is_error()) {
      return false;
    }
  }
  for (const auto& r : replies.back().elements) {
    if (r.is_error()) {
      return false;
    }
  }
  return true;
}

}  // namespace

const boost::system::error_category& queue_category() noexcept {
  static const queue_category_impl category;
  return category;
}

boost::system::error_code make_error_code(queue_errc e) noexcept {
  return {static_cast<int>(e), queue_category()};
}

delivery_queue::delivery_queue(redis_connection& commands, std::string key_prefix)
    : commands_(commands), prefix_(std::move(key_prefix)) {}

std::string delivery_queue::stream_key(std::string_view channel) const {
  return prefix_ + ":{q}:stream:" + std::string(channel);
}

std::string delivery_queue::delivery_key(std::string_view delivery_id) const {
  return prefix_ + ":{q}:delivery:" + std::string(delivery_id);
}

redis_request delivery_queue::group_creation_request(
    const std::vector<std::string>& channels) const {
  redis_request request;
  for (const auto& c : channels) {
    // "0", not "$": a group created after intake already wrote entries (first start, or a
    // Redis that lost the group) must still deliver them. Completed entries are deleted, so
    // the stream holds only work not yet done. MKSTREAM creates the stream on first use.
    request.push({"XGROUP", "CREATE", stream_key(c), consumer_group, "0", "MKSTREAM"});
  }
  return request;
}

redis_request delivery_queue::enqueue_request(std::string_view channel,
                                              std::string_view delivery_id,
                                              const record_fields& fields) const {
  redis_request request;
  request.push({"MULTI"});
  request.push(hset_command(delivery_key(delivery_id), fields));
  request.push({"XADD", stream_key(channel), "*", "delivery", delivery_id});
  request.push({"EXEC"});
  return request;
}

redis_request delivery_queue::completion_request(const queued_job& job,
                                                 const record_fields& updates) const {
  redis_request request;
  request.push({"MULTI"});
  if (!job.delivery_id.empty() && !updates.empty()) {
    request.push(hset_command(delivery_key(job.delivery_id), updates));
  }
  request.push({"XACK", job.stream_key, consumer_group, job.entry_id});
  // The record hash keeps the outcome; the stream entry has done its job and would only grow
  // the stream.
  request.push({"XDEL", job.stream_key, job.entry_id});
  request.push({"EXEC"});
  return request;
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

boost::asio::awaitable<boost::system::result<void>> delivery_queue::enqueue(
    std::string_view channel, std::string_view delivery_id, const record_fields& fields) {
  const redis_request request = enqueue_request(channel, delivery_id, fields);
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!transaction_succeeded(*replies)) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return boost::system::result<void>{};
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
  record_fields fields;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    fields[reply->elements[i].text] = reply->elements[i + 1].text;
  }
  co_return std::optional<record_fields>{std::move(fields)};
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
  for (const auto& c : channels) {
    args.push_back(stream_key(c));
  }
  args.insert(args.end(), channels.size(), ">");
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
  // [[stream, [[entry_id, [field, value, ...]], ...]], ...]; a pending entry whose record was
  // deleted comes back with a nil field list.
  for (const auto& stream : reply->elements) {
    if (stream.elements.size() != 2) {
      co_return make_error_code(queue_errc::malformed_entry);
    }
    for (const auto& entry : stream.elements[1].elements) {
      if (entry.elements.size() != 2) {
        co_return make_error_code(queue_errc::malformed_entry);
      }
      queued_job job{stream.elements[0].text, entry.elements[0].text, {}};
      const auto& kv = entry.elements[1].elements;
      for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
        if (kv[i].text == "delivery") {
          job.delivery_id = kv[i + 1].text;
        }
      }
      jobs.push_back(std::move(job));
    }
  }
  co_return jobs;
}

boost::asio::awaitable<boost::system::result<void>> delivery_queue::complete(
    const queued_job& job, const record_fields& updates) {
  const redis_request request = completion_request(job, updates);
  auto replies = co_await commands_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  if (!transaction_succeeded(*replies)) {
    co_return make_error_code(queue_errc::redis_error);
  }
  co_return boost::system::result<void>{};
}

}  // namespace liaison::queue
