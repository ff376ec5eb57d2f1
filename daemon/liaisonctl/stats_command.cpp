#include "daemon/liaisonctl/stats_command.hpp"

#include <boost/asio/awaitable.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/liaisonctl/redis_session.hpp"
#include "queue/delivery_queue.hpp"

namespace liaison::ctl {
namespace {

namespace asio = boost::asio;

constexpr std::string_view stats_usage =
    "usage: liaisonctl stats [--config FILE]\n"
    "\n"
    "Prints, per channel stream, the jobs not yet completed and those a worker has taken; the\n"
    "delayed jobs (retries, quiet hours, scheduled); the dead letters; and the announcements\n"
    "waiting for or in fan-out. FILE is liaisond's configuration (default\n"
    "/etc/liaison/liaison.toml); its [redis] table says where Redis is.\n";

// "liaison:{q}:stream:sms:urgent" -> "sms:urgent".
std::string stream_label(const std::string& key) {
  const auto at = key.find(":stream:");
  return at == std::string::npos ? key : key.substr(at + 8);
}

asio::awaitable<int> print_stats(queue::redis_connection& redis,
                                 const config::liaison_config& cfg) {
  queue::delivery_queue q(redis, cfg.redis.key_prefix);
  const std::vector<std::string> channels = {"sms", "email", "voice"};
  auto stats = co_await q.stats(channels);
  std::vector<std::string> count_fanout = {"ZCARD", q.key("fanout")};
  auto fanout = co_await redis.exec_one(std::move(count_fanout));
  if (!stats || !fanout) {
    std::cerr << "liaisonctl: cannot read the queue's figures\n";
    co_return exit_failed;
  }
  for (const auto& [key, depth] : stats->depth) {
    const auto pending = stats->pending.find(key);
    std::cout << "stream " << stream_label(key) << ": " << depth
              << " entries waiting or in progress, "
              << (pending == stats->pending.end() ? 0 : pending->second) << " taken by a worker\n";
  }
  std::cout << "delayed: " << stats->delayed << '\n'
            << "dead letters: " << stats->dead << '\n'
            << "announcements to fan out: " << fanout->integer << '\n';
  co_return exit_ok;
}

}  // namespace

int run_stats(std::span<const std::string_view> args) {
  std::string config_path(default_config_path);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << stats_usage;
      return exit_ok;
    }
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = std::string(args[++i]);
    } else {
      std::cerr << "liaisonctl: unexpected argument \"" << args[i] << "\"\n\n" << stats_usage;
      return exit_usage;
    }
  }
  return with_redis(config_path, print_stats);
}

}  // namespace liaison::ctl
