#include "support/time_format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace liaison {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis);
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  // A fixed layout: a small reader is simpler than std::get_time and independent of locales.
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    if (at + n > text.size()) {
      return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return std::nullopt;
      }
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text.size() < 20 || text.size() > 40 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto y = digits(0, 4);
  const auto mo = digits(5, 2);
  const auto d = digits(8, 2);
  const auto h = digits(11, 2);
  const auto mi = digits(14, 2);
  const auto s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s) {
    return std::nullopt;
  }
  std::size_t at = 19;
  int millis = 0;
  if (text[at] == '.') {
    ++at;
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - start < 3) {
        millis = millis * 10 + (text[at] - '0');
      }
      ++at;
    }
    if (at == start) {
      return std::nullopt;
    }
    for (std::size_t n = at - start; n < 3; ++n) {
      millis *= 10;
    }
  }
  std::chrono::minutes offset{0};
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    // UTC
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const auto oh = digits(at + 1, 2);
    const auto om = digits(at + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset = std::chrono::hours(*oh) + std::chrono::minutes(*om);
    if (text[at] == '-') {
      offset = -offset;
    }
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*y),
                                         std::chrono::month(static_cast<unsigned>(*mo)),
                                         std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  // Local time minus its offset from UTC is UTC; in milliseconds first, which cannot overflow.
  const std::chrono::sys_time<std::chrono::milliseconds> instant =
      std::chrono::sys_days(date) + std::chrono::hours(*h) + std::chrono::minutes(*mi) +
      std::chrono::seconds(*s) + std::chrono::milliseconds(millis) - offset;
  // system_clock counts nanoseconds in 64 bits (the years 1678 to 2261): converting an instant
  // outside them would overflow, so it is not a time Liaison can hold.
  using std::chrono::system_clock;
  constexpr auto earliest =
      std::chrono::time_point_cast<std::chrono::milliseconds>(system_clock::time_point::min());
  constexpr auto latest =
      std::chrono::time_point_cast<std::chrono::milliseconds>(system_clock::time_point::max());
  if (instant < earliest || instant > latest) {
    return std::nullopt;
  }
  return std::chrono::time_point_cast<system_clock::duration>(instant);
}

}  // namespace liaison
