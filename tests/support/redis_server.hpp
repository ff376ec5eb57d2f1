// A private redis-server for one integration test: unix socket in a temporary directory,
// started in the constructor, stopped in the destructor. Never a mock.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace liaison::testing {

class redis_server {
 public:
  struct options {
    bool append_only = false;  // AOF with appendfsync always, to test durability across kills
    std::string password;      // requirepass, when not empty
    bool tcp = false;  // also listen on 127.0.0.1 at a free port (port()), kept across restarts
  };

  redis_server();
  explicit redis_server(options opts);
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  const std::filesystem::path& socket_path() const noexcept { return socket_; }
  const std::filesystem::path& directory() const noexcept { return dir_.path(); }
  std::uint16_t port() const noexcept { return port_; }  // 0 unless options.tcp

  void start();     // waits until the socket accepts connections
  void stop();      // SIGTERM and wait
  void kill_now();  // SIGKILL and wait: a crash
  bool running() const noexcept { return pid_ > 0; }

  // Runs redis-cli against this server and returns its stdout (for assertions).
  std::string cli(const std::vector<std::string>& args) const;

 private:
  void wait_for_exit();

  options options_;
  temp_dir dir_;
  std::filesystem::path socket_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace liaison::testing
