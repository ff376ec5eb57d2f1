#include "daemon/services/message_service.hpp"

#include "support/time_format.hpp"

namespace liaison::services {

message_service::message_service(queue::delivery_queue& queue, const clock& clock,
                                 std::chrono::milliseconds idempotency_key_ttl)
    : queue_(queue), clock_(clock), idempotency_key_ttl_(idempotency_key_ttl) {}

namespace {

queue::record_fields new_record(const direct_message& message,
                                std::chrono::system_clock::time_point now) {
  const auto at = format_rfc3339_utc(now);
  auto record = to_delivery_record(message, at);
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
  const auto record = new_record(message, clock_.now_system());
  const auto channel = config::to_string(message.channel);
  if (idempotency) {
    co_return co_await queue_.enqueue_idempotent(claim_for(*idempotency, idempotency_key_ttl_),
                                                 channel, record);
  }
  auto id = co_await queue_.enqueue_message(channel, record);
  if (!id) {
    co_return id.error();
  }
  queue::intake_outcome created;
  created.delivery_id = std::move(*id);
  co_return created;
}

boost::asio::awaitable<boost::system::result<std::optional<queue::record_fields>>>
message_service::find(std::string_view id) {
  // A direct message, or one delivery of an announcement (its keypad answer is shown there).
  if (!looks_like_message_id(id) && !looks_like_announcement_delivery_id(id)) {
    co_return std::optional<queue::record_fields>{};
  }
  co_return co_await queue_.find(id);
}

}  // namespace liaison::services
