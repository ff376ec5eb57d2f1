// Timestamps as people and APIs read them: RFC 3339 in UTC with milliseconds.
#pragma once

#include <chrono>
#include <string>

namespace liaison {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

}  // namespace liaison
