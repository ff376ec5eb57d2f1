// The pure functions of message_service.hpp (ids, Idempotency-Key syntax), apart from the
// service so that code checking requests (fuzz/http_intake.cpp) links without the queue.
#include <algorithm>

#include "daemon/services/message_service.hpp"
#include "queue/message_id.hpp"
#include "support/ids.hpp"

namespace liaison::services {

bool looks_like_message_id(std::string_view id) {
  return queue::locate_message(id).has_value() || looks_like_time_ordered_id(id, "msg_");
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

}  // namespace liaison::services
