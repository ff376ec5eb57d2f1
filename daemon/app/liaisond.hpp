// liaisond as an object: wires config, Redis, the HTTP API, workers and systemd together,
// runs the event loop on the calling thread, and drains on SIGTERM / reloads on SIGHUP.
#pragma once

#include <filesystem>
#include <memory>

#include "config/config.hpp"

namespace liaison::app {

class liaisond {
 public:
  // `cfg` was loaded from `config_path`; the path is read again on SIGHUP.
  liaisond(std::filesystem::path config_path, config::liaison_config cfg);
  ~liaisond();
  liaisond(const liaisond&) = delete;
  liaisond& operator=(const liaisond&) = delete;

  // Runs until SIGTERM or SIGINT has drained the daemon; returns the process exit code.
  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace liaison::app
