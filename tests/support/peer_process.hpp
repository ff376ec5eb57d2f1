// A real peer program (Prism, an SMTP server, Kannel) run by an integration test: started in
// the constructor with its output in a log file, ready once its TCP port on 127.0.0.1 accepts
// connections, stopped (SIGTERM, then SIGKILL) in the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace liaison::testing {

class peer_process {
 public:
  // Throws std::runtime_error when the program cannot be started, exits early, or its port
  // does not accept connections within `ready_within` (the log is in the message).
  peer_process(std::vector<std::string> argv, std::uint16_t port, std::filesystem::path log_path,
               std::chrono::milliseconds ready_within = std::chrono::seconds(30));
  ~peer_process();
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_;
  std::filesystem::path log_path_;
};

// Whether something accepts TCP connections on 127.0.0.1:port right now.
bool port_accepts(std::uint16_t port);

}  // namespace liaison::testing
