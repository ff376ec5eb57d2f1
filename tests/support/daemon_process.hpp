// Runs the real liaisond binary as a child process for end-to-end tests: start with a config
// file, wait until it answers /readyz, send signals, collect the exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace liaison::testing {

class daemon_process {
 public:
  // Starts `binary --config config`, stderr to `log_path`; waits until GET /readyz on `port`
  // answers (at most 15 s) and throws std::runtime_error otherwise.
  daemon_process(std::filesystem::path binary, std::filesystem::path config, std::uint16_t port,
                 std::filesystem::path log_path, std::vector<std::string> extra_args = {});
  ~daemon_process();  // SIGKILL if still running
  daemon_process(const daemon_process&) = delete;
  daemon_process& operator=(const daemon_process&) = delete;

  void signal(int sig) const;
  // Waits for the process to exit (at most `limit`) and returns its exit code, or -1 when it
  // did not exit in time or died from a signal.
  int wait_exit(std::chrono::milliseconds limit);
  std::string log() const;
  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_path_;
};

// Polls `condition` until it holds or `limit` passes: for waiting on another process's work,
// which no injected clock can speed up. Returns whether it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace liaison::testing
