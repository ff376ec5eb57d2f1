#include "daemon/app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace liaison::app {
namespace {

bool stderr_goes_to_journal() {
  // systemd sets JOURNAL_STREAM when stdout/stderr are connected to the journal.
  return std::getenv("JOURNAL_STREAM") != nullptr;
}

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(const config::logging_config& cfg) {
  const bool journald = cfg.sink == config::log_sink::journald ||
                        (cfg.sink == config::log_sink::automatic && stderr_goes_to_journal());
  std::shared_ptr<spdlog::logger> logger;
  if (journald) {
    logger = std::make_shared<spdlog::logger>(
        "liaisond", std::make_shared<spdlog::sinks::systemd_sink_mt>("liaisond"));
    logger->set_pattern("%v");  // journald records time, level and unit itself
  } else {
    logger = std::make_shared<spdlog::logger>(
        "liaisond", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  }
  apply_log_level(*logger, cfg);
  return logger;
}

void apply_log_level(spdlog::logger& logger, const config::logging_config& cfg) {
  logger.set_level(spdlog::level::from_str(cfg.level));
  logger.flush_on(spdlog::level::warn);
}

}  // namespace liaison::app
