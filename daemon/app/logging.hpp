// The daemon's logger: journald under systemd (structured, with priorities), stderr otherwise.
#pragma once

#include <memory>

#include "config/config.hpp"

namespace spdlog {
class logger;
}

namespace liaison::app {

std::shared_ptr<spdlog::logger> make_logger(const config::logging_config& cfg);

// Applies a reloaded level; the sink stays as started.
void apply_log_level(spdlog::logger& logger, const config::logging_config& cfg);

}  // namespace liaison::app
