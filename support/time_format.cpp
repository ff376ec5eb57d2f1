#include "support/time_format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace liaison {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis);
}

}  // namespace liaison
