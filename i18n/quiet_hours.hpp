// Quiet hours: the part of the night (in a guardian's own time zone) when a normal SMS or call
// must not arrive. A pure calculation on ICU time zones, so fan-out and the workers can ask
// "when may this go?" with an injected clock.
#pragma once

#include <unicode/uversion.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

U_NAMESPACE_BEGIN
class TimeZone;
U_NAMESPACE_END

namespace liaison::i18n {

struct quiet_window {
  // Times of day in the guardian's zone; start > end spans midnight (21:00–08:00).
  // start == end means no quiet hours.
  std::chrono::minutes start = std::chrono::hours(21);
  std::chrono::minutes end = std::chrono::hours(8);
};

class quiet_hours {
 public:
  // `fallback_zone` is used for guardians without a zone of their own (the district's).
  quiet_hours(quiet_window window, std::string fallback_zone);
  ~quiet_hours();
  quiet_hours(const quiet_hours&) = delete;
  quiet_hours& operator=(const quiet_hours&) = delete;

  // `now` when it is outside the window in `zone`, else the instant the window ends there
  // (daylight-saving changes included). An unknown zone is treated as the fallback zone.
  std::chrono::system_clock::time_point next_allowed(std::chrono::system_clock::time_point now,
                                                     std::string_view zone) const;

  bool is_quiet(std::chrono::system_clock::time_point now, std::string_view zone) const {
    return next_allowed(now, zone) != now;
  }

  const quiet_window& window() const noexcept { return window_; }

 private:
  const icu::TimeZone& zone_for(std::string_view name) const;
  // Offset of local time from UTC at `instant` in `zone`.
  std::chrono::milliseconds utc_offset(const icu::TimeZone& zone,
                                       std::chrono::system_clock::time_point instant) const;

  quiet_window window_;
  std::string fallback_zone_;
  // ICU time zones are costly to build and immutable once built: one per zone name, shared by
  // every thread (lookups under the mutex; getOffset is const).
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::unique_ptr<icu::TimeZone>, std::less<>> zones_;
};

}  // namespace liaison::i18n
