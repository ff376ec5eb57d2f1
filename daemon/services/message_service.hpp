// Direct messages: accept (validated, durably queued before the answer) and look up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>

#include "daemon/services/direct_message.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace liaison::services {

class message_service {
 public:
  message_service(queue::delivery_queue& queue, const clock& clock);

  // Queues the message as one delivery and returns its id once Redis has confirmed the write.
  boost::asio::awaitable<boost::system::result<std::string>> accept(const direct_message& message);

  // The delivery record of a message, or nullopt when there is no such message.
  boost::asio::awaitable<boost::system::result<std::optional<queue::record_fields>>> find(
      std::string_view id);

 private:
  queue::delivery_queue& queue_;
  const clock& clock_;
};

// A new message id: "msg_" + milliseconds since the epoch (so ids sort by time) + 64 random bits.
std::string new_message_id(std::chrono::system_clock::time_point now);
bool looks_like_message_id(std::string_view id);

}  // namespace liaison::services
