#include "channels/status_report.hpp"

#include <charconv>

namespace liaison::channels {

std::string_view to_string(callback_verdict v) noexcept {
  switch (v) {
    case callback_verdict::valid:
      return "valid";
    case callback_verdict::missing:
      return "missing";
    case callback_verdict::malformed:
      return "malformed";
    case callback_verdict::wrong_signature:
      return "wrong_signature";
    case callback_verdict::stale:
      return "stale";
  }
  return "unknown";
}

std::optional<std::chrono::system_clock::time_point> parse_unix_seconds(std::string_view text) {
  long long seconds = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  // system_clock counts nanoseconds in 64 bits: later than 2262 would overflow.
  constexpr auto latest =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count();
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || seconds < 0 ||
      seconds > latest) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

bool within_tolerance(std::chrono::system_clock::time_point sent,
                      std::chrono::system_clock::time_point now, std::chrono::seconds tolerance) {
  const auto skew = sent > now ? sent - now : now - sent;
  return skew <= tolerance;
}

}  // namespace liaison::channels
