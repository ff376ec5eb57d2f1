#include "daemon/services/message_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "support/crypto.hpp"
#include "support/time_format.hpp"

namespace liaison::services {

std::string new_message_id(std::chrono::system_clock::time_point now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return fmt::format("msg_{:012x}{}", ms, random_hex(8));
}

bool looks_like_message_id(std::string_view id) {
  return id.size() == 4 + 12 + 16 && id.starts_with("msg_") &&
         std::all_of(id.begin() + 4, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

message_service::message_service(queue::delivery_queue& queue, const clock& clock)
    : queue_(queue), clock_(clock) {}

boost::asio::awaitable<boost::system::result<std::string>> message_service::accept(
    const direct_message& message) {
  const auto now = clock_.now_system();
  std::string id = new_message_id(now);
  auto written = co_await queue_.enqueue(config::to_string(message.channel), id,
                                         to_delivery_record(message, id, format_rfc3339_utc(now)));
  if (!written) {
    co_return written.error();
  }
  co_return id;
}

boost::asio::awaitable<boost::system::result<std::optional<queue::record_fields>>>
message_service::find(std::string_view id) {
  if (!looks_like_message_id(id)) {
    co_return std::optional<queue::record_fields>{};
  }
  co_return co_await queue_.load(id);
}

}  // namespace liaison::services
