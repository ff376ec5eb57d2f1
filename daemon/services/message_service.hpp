// Direct messages: accept (validated, durably queued before the answer, Idempotency-Key
// honoured) and look up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>

#include "daemon/services/direct_message.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace liaison::services {

// A client's Idempotency-Key for one request, with what identifies the request.
struct idempotency_request {
  std::string scope;         // the API key's name, so two schools' keys never collide
  std::string key;           // the Idempotency-Key header
  std::string request_hash;  // the same request: same method, path and body bytes
};

class message_service {
 public:
  message_service(queue::delivery_queue& queue, const clock& clock,
                  std::chrono::milliseconds idempotency_key_ttl = std::chrono::hours(24));

  // Queues the message as one delivery once Redis has confirmed the write. With an
  // idempotency key: `replayed` and the earlier id for a repeat of the same request (nothing is
  // queued), `conflict` when the key was used for another request.
  boost::asio::awaitable<boost::system::result<queue::intake_outcome>> accept(
      const direct_message& message, const std::optional<idempotency_request>& idempotency);

  // The delivery record of a message, or nullopt when there is no such message.
  boost::asio::awaitable<boost::system::result<std::optional<queue::record_fields>>> find(
      std::string_view id);

 private:
  queue::delivery_queue& queue_;
  const clock& clock_;
  std::chrono::milliseconds idempotency_key_ttl_;
};

// A direct message's id: the queue's (queue::message_id_for, which names the message's stream
// entry), or "msg_" + 28 hex digits, as ids were made before (records keep them).
bool looks_like_message_id(std::string_view id);
// One delivery of an announcement: "<announcement id>:<family id>:<guardian id>:<channel>".
bool looks_like_announcement_delivery_id(std::string_view id);

// Whether an Idempotency-Key header value is acceptable: 1 to 255 visible ASCII characters.
bool valid_idempotency_key(std::string_view key);

}  // namespace liaison::services
