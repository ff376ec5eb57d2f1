#include "support/ids.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "support/crypto.hpp"

namespace liaison {

namespace {

constexpr std::size_t random_bytes_per_id = 8;

std::string format_id(std::string_view prefix, std::chrono::system_clock::time_point now,
                      std::string_view random_hex_digits) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return fmt::format("{}{:012x}{}", prefix, ms, random_hex_digits);
}

}  // namespace

std::string new_time_ordered_id(std::string_view prefix,
                                std::chrono::system_clock::time_point now) {
  return format_id(prefix, now, random_hex(random_bytes_per_id));
}

std::string time_ordered_id_source::next(std::string_view prefix,
                                         std::chrono::system_clock::time_point now) {
  if (used_ + random_bytes_per_id > pool_.size()) {
    fill_random(pool_.data(), pool_.size());
    used_ = 0;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(pool_.data() + used_),
                               random_bytes_per_id);
  used_ += random_bytes_per_id;
  return format_id(prefix, now, hex_encode(bytes));
}

bool looks_like_time_ordered_id(std::string_view id, std::string_view prefix) {
  return id.size() == prefix.size() + 12 + 16 && id.starts_with(prefix) &&
         std::all_of(id.begin() + static_cast<std::ptrdiff_t>(prefix.size()), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace liaison
