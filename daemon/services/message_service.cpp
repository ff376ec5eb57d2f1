#include "daemon/services/message_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "support/ids.hpp"
#include "support/time_format.hpp"

namespace liaison::services {

std::string new_message_id(std::chrono::system_clock::time_point now) {
  return new_time_ordered_id("msg_", now);
}

bool looks_like_message_id(std::string_view id) {
  return looks_like_time_ordered_id(id, "msg_");
}

bool looks_like_announcement_delivery_id(std::string_view id) {
  // "<announcement id>:<family id>:<guardian id>:<channel>"; family and guardian ids may hold
  // ':' themselves, so only the announcement id and the character set are checked.
  constexpr std::size_t max_length = 400;
  const auto colon = id.find(':');
  if (colon == std::string_view::npos || colon + 1 >= id.size() || id.size() > max_length ||
      !looks_like_time_ordered_id(id.substr(0, colon), "ann_")) {
    return false;
  }
  return std::all_of(id.begin() + static_cast<std::ptrdiff_t>(colon), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
}

bool valid_idempotency_key(std::string_view key) {
  return !key.empty() && key.size() <= 255 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

message_service::message_service(queue::delivery_queue& queue, const clock& clock,
                                 std::chrono::milliseconds idempotency_key_ttl)
    : queue_(queue), clock_(clock), idempotency_key_ttl_(idempotency_key_ttl) {}

namespace {

queue::record_fields new_record(const direct_message& message, const std::string& id,
                                std::chrono::system_clock::time_point now) {
  const auto at = format_rfc3339_utc(now);
  auto record = to_delivery_record(message, id, at);
  // The retry policy's max_age counts from here (a dead-letter replay starts a new window).
  record["retry_window_start"] = at;
  return record;
}

queue::idempotency_claim claim_for(const idempotency_request& request,
                                   std::chrono::milliseconds ttl) {
  return {request.scope, request.key, request.request_hash, ttl};
}

}  // namespace

boost::asio::awaitable<boost::system::result<queue::intake_outcome>> message_service::accept(
    const direct_message& message, const std::optional<idempotency_request>& idempotency) {
  const auto now = clock_.now_system();
  const std::string id = new_message_id(now);
  const auto record = new_record(message, id, now);
  const auto channel = config::to_string(message.channel);
  if (idempotency) {
    co_return co_await queue_.enqueue_idempotent(claim_for(*idempotency, idempotency_key_ttl_),
                                                 channel, id, record);
  }
  auto written = co_await queue_.enqueue(channel, id, record);
  if (!written) {
    co_return written.error();
  }
  queue::intake_outcome created;
  created.delivery_id = id;
  co_return created;
}

boost::asio::awaitable<boost::system::result<std::optional<queue::record_fields>>>
message_service::find(std::string_view id) {
  // A direct message, or one delivery of an announcement (its keypad answer is shown there).
  if (!looks_like_message_id(id) && !looks_like_announcement_delivery_id(id)) {
    co_return std::optional<queue::record_fields>{};
  }
  co_return co_await queue_.load(id);
}

}  // namespace liaison::services
