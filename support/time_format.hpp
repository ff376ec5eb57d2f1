// Timestamps as people and APIs read them: RFC 3339.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace liaison {

// UTC with milliseconds: "2026-12-01T14:05:00.000Z".
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

// An RFC 3339 date-time: "2026-12-01T09:00:00Z", "2026-12-01T09:00:00.250-05:00" (a fraction
// is kept to milliseconds). Nullopt for anything else, including dates that do not exist and
// instants system_clock cannot hold (before 1678 or after 2261).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace liaison
