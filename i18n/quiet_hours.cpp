#include "i18n/quiet_hours.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace liaison::i18n {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr auto day = std::chrono::minutes(24 * 60);

bool in_window(std::chrono::minutes minute_of_day, const quiet_window& w) {
  if (w.start == w.end) {
    return false;
  }
  if (w.start < w.end) {
    return minute_of_day >= w.start && minute_of_day < w.end;
  }
  return minute_of_day >= w.start || minute_of_day < w.end;  // spans midnight
}

}  // namespace

quiet_hours::quiet_hours(quiet_window window, std::string fallback_zone)
    : window_(window), fallback_zone_(std::move(fallback_zone)) {}

quiet_hours::~quiet_hours() = default;

const icu::TimeZone& quiet_hours::zone_for(std::string_view name) const {
  const std::string_view wanted = name.empty() ? std::string_view(fallback_zone_) : name;
  std::lock_guard lock(mutex_);
  if (auto it = zones_.find(wanted); it != zones_.end()) {
    return *it->second;
  }
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(
      icu::StringPiece(wanted.data(), static_cast<int32_t>(wanted.size())))));
  icu::UnicodeString id;
  zone->getID(id);
  if (id == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID) && wanted != fallback_zone_) {
    // Validated at intake; an unknown zone here means ICU data changed. Use the district's.
    zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(fallback_zone_)));
  }
  auto [it, inserted] = zones_.emplace(std::string(wanted), std::move(zone));
  return *it->second;
}

milliseconds quiet_hours::utc_offset(const icu::TimeZone& zone,
                                     system_clock::time_point instant) const {
  int32_t raw = 0;
  int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  const auto ms = std::chrono::duration_cast<milliseconds>(instant.time_since_epoch()).count();
  zone.getOffset(static_cast<UDate>(ms), false, raw, dst, status);
  if (U_FAILURE(status)) {
    return milliseconds(0);
  }
  return milliseconds(raw + dst);
}

system_clock::time_point quiet_hours::next_allowed(system_clock::time_point now,
                                                   std::string_view zone_name) const {
  if (window_.start == window_.end) {
    return now;
  }
  const auto& zone = zone_for(zone_name);
  const auto offset = utc_offset(zone, now);
  // Local wall-clock time as if it were UTC: its date and time of day are the local ones.
  const auto local = now + offset;
  const auto local_midnight = std::chrono::floor<std::chrono::days>(local);
  const auto minute_of_day = std::chrono::floor<std::chrono::minutes>(local - local_midnight);
  if (!in_window(minute_of_day, window_)) {
    return now;
  }
  // The window ends today at `end`, or tomorrow when it started this evening.
  auto local_end = local_midnight + window_.end;
  if (local_end <= local) {
    local_end += day;
  }
  // Back to UTC with the offset in force at the end (it differs across a DST change); a second
  // pass settles the offset when the end itself lies next to the change.
  auto end = local_end - utc_offset(zone, local_end - offset);
  end = local_end - utc_offset(zone, end);
  return end > now ? end : now;
}

}  // namespace liaison::i18n
