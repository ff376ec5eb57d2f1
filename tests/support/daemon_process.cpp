#include "tests/support/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

extern char** environ;

namespace liaison::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

daemon_process::daemon_process(std::filesystem::path binary, std::filesystem::path config,
                               std::uint16_t port, std::filesystem::path log_path,
                               std::vector<std::string> extra_args)
    : log_path_(std::move(log_path)) {
  std::vector<std::string> args = {binary.string(), "--config", config.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + binary.string());
  }
  const bool up = eventually(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // exited: reported below
        }
        try {
          // Ready, not just alive: Redis reachable and the worker running. And this daemon, not
          // another test's that got the same free port first (ours then fails to bind).
          const auto ready = send_http(port, {"GET", "/readyz", {}, {}});
          const auto body = boost::json::parse(ready.body);
          return ready.status == 200 && body.as_object().at("pid").to_number<pid_t>() == pid_;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(15));
  if (!up || pid_ < 0) {
    throw std::runtime_error("liaisond did not come up; its log:\n" + log());
  }
}

daemon_process::~daemon_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void daemon_process::signal(int sig) const {
  if (pid_ > 0) {
    ::kill(pid_, sig);
  }
}

int daemon_process::wait_exit(std::chrono::milliseconds limit) {
  int status = 0;
  const bool exited =
      eventually([&] { return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_; }, limit);
  if (!exited) {
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string daemon_process::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace liaison::testing
