// The injectable notion of "now": domain code takes a clock so tests never sleep.
#pragma once

#include <chrono>
#include <functional>

namespace liaison {

// System time for timestamps people read (records, logs); steady time for deadlines.
struct clock {
  std::function<std::chrono::system_clock::time_point()> now_system = [] {
    return std::chrono::system_clock::now();
  };
  std::function<std::chrono::steady_clock::time_point()> now_steady = [] {
    return std::chrono::steady_clock::now();
  };
};

}  // namespace liaison
