// Ids of things Liaison creates (messages, announcements, requests): a short kind prefix, the
// creation time in milliseconds (so ids sort by time) and 64 random bits (so two instances
// never collide): "ann_0193a1b2c3d4e5f60718293a4b5c6d7e".
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace liaison {

// `prefix` includes its separator, e.g. "msg_".
std::string new_time_ordered_id(std::string_view prefix, std::chrono::system_clock::time_point now);
bool looks_like_time_ordered_id(std::string_view id, std::string_view prefix);

// The same ids, for a service that makes one per request (message intake): the random bits come
// from a block drawn at once, since OpenSSL's generator checks the process id with a system call
// on every call, so it is asked once per 512 ids instead of once per id.
class time_ordered_id_source {
 public:
  std::string next(std::string_view prefix, std::chrono::system_clock::time_point now);

 private:
  std::array<unsigned char, 4096> pool_{};
  std::size_t used_ = pool_.size();  // nothing drawn yet
};

}  // namespace liaison
