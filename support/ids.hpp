// Ids of things Liaison creates (messages, announcements, requests): a short kind prefix, the
// creation time in milliseconds (so ids sort by time) and 64 random bits (so two instances
// never collide): "ann_0193a1b2c3d4e5f60718293a4b5c6d7e".
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace liaison {

// `prefix` includes its separator, e.g. "msg_".
std::string new_time_ordered_id(std::string_view prefix, std::chrono::system_clock::time_point now);
bool looks_like_time_ordered_id(std::string_view id, std::string_view prefix);

}  // namespace liaison
