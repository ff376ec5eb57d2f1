#include "daemon/app/service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace liaison::app {
namespace {

void notify(const std::string& state) {
  ::sd_notify(0, state.c_str());
}

}  // namespace

void service_notifier::ready(std::string_view status) const {
  notify("READY=1\nSTATUS=" + std::string(status));
}

void service_notifier::reloading() const {
  // Since systemd 253 Type=notify-reload also wants MONOTONIC_USEC; plain RELOADING=1 suffices
  // for Type=notify with ExecReload.
  notify("RELOADING=1");
}

void service_notifier::stopping() const {
  notify("STOPPING=1\nSTATUS=draining");
}

void service_notifier::watchdog() const {
  notify("WATCHDOG=1");
}

void service_notifier::status(std::string_view text) const {
  notify("STATUS=" + std::string(text));
}

std::optional<std::chrono::microseconds> service_notifier::watchdog_interval() const {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(usec / 2);
  }
  return std::nullopt;
}

}  // namespace liaison::app
