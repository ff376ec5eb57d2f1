#include "queue/detail/reconnect_backoff.hpp"

#include <algorithm>

namespace liaison::queue::detail {

std::chrono::milliseconds reconnect_delay(std::chrono::milliseconds min_delay,
                                          std::chrono::milliseconds max_delay, unsigned attempt,
                                          double unit) noexcept {
  using std::chrono::milliseconds;
  const milliseconds lowest = std::max(min_delay, milliseconds(1));
  const milliseconds highest = std::max(max_delay, lowest);
  // Doubling by steps stops at the cap, so no attempt number can overflow.
  milliseconds high = lowest;
  for (unsigned i = 0; i < attempt && high < highest; ++i) {
    high = high > highest / 2 ? highest : high * 2;
  }
  high = std::min(high, highest);
  const milliseconds low = std::max(lowest, high / 2);
  if (!(unit > 0.0)) {  // also catches NaN
    unit = 0.0;
  }
  unit = std::min(unit, 1.0);
  const auto spread = static_cast<double>((high - low).count());
  return low + milliseconds(static_cast<milliseconds::rep>(unit * spread));
}

}  // namespace liaison::queue::detail
