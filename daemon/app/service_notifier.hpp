// Tells systemd (Type=notify) what the daemon is doing: READY=1, RELOADING=1, STOPPING=1 and
// the watchdog keep-alive. Every call is a no-op when not started by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace liaison::app {

class service_notifier {
 public:
  void ready(std::string_view status) const;
  void reloading() const;
  void stopping() const;
  void watchdog() const;
  void status(std::string_view text) const;

  // The interval at which to send WATCHDOG=1 (half of WatchdogSec), when the watchdog is on.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
};

}  // namespace liaison::app
