#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace liaison::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv_strings, const std::string& stdout_path) {
  std::vector<char*> argv;
  for (const auto& s : argv_strings) {
    argv.push_back(const_cast<char*>(s.c_str()));
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + argv_strings[0] + ": " + std::strerror(rc));
  }
  return pid;
}

bool socket_accepts(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice).
std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("cannot create a socket to find a free port");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
  ::close(fd);
  if (!ok) {
    throw std::runtime_error("cannot find a free loopback port");
  }
  return ntohs(addr.sin_port);
}

}  // namespace

redis_server::redis_server() : redis_server(options{}) {}

redis_server::redis_server(options opts) : options_(std::move(opts)) {
  socket_ = dir_.path() / "redis.sock";
  start();
}

redis_server::~redis_server() {
  if (running()) {
    stop();
  }
}

void redis_server::start() {
  if (options_.tcp && port_ == 0) {
    port_ = free_loopback_port();
  }
  const std::string port = std::to_string(port_);
  std::vector<std::string> args = {"redis-server",
                                   "--port",
                                   port,
                                   "--unixsocket",
                                   socket_.string(),
                                   "--unixsocketperm",
                                   "700",
                                   "--dir",
                                   dir_.path().string(),
                                   "--save",
                                   "",
                                   "--logfile",
                                   (dir_.path() / "redis.log").string()};
  if (options_.tcp) {
    args.insert(args.end(), {"--bind", "127.0.0.1"});
  }
  if (options_.append_only) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  }
  if (!options_.password.empty()) {
    args.insert(args.end(), {"--requirepass", options_.password});
  }
  pid_ = spawn(args, {});
  // Readiness is an event we poll for, bounded at 10 s: redis-server has no notify socket.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!socket_accepts(socket_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start; see " +
                               (dir_.path() / "redis.log").string());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("redis-server did not open its socket within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void redis_server::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_for_exit();
  }
}

void redis_server::kill_now() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_for_exit();
  }
}

void redis_server::wait_for_exit() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  std::error_code ec;
  std::filesystem::remove(socket_, ec);
}

std::string redis_server::cli(const std::vector<std::string>& args) const {
  const auto out_path = dir_.path() / "cli.out";
  std::filesystem::remove(out_path);
  std::vector<std::string> argv = {"redis-cli", "-s", socket_.string()};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--no-auth-warning", "-a", options_.password});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, out_path.string());
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::FILE* f = std::fopen(out_path.c_str(), "r");
  std::string out;
  if (f != nullptr) {
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
      out.append(buf.data(), n);
    }
    std::fclose(f);
  }
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

}  // namespace liaison::testing
