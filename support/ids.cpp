#include "support/ids.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "support/crypto.hpp"

namespace liaison {

std::string new_time_ordered_id(std::string_view prefix,
                                std::chrono::system_clock::time_point now) {
  constexpr std::size_t random_bytes = 8;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return fmt::format("{}{:012x}{}", prefix, ms, random_hex(random_bytes));
}

bool looks_like_time_ordered_id(std::string_view id, std::string_view prefix) {
  return id.size() == prefix.size() + 12 + 16 && id.starts_with(prefix) &&
         std::all_of(id.begin() + static_cast<std::ptrdiff_t>(prefix.size()), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace liaison
