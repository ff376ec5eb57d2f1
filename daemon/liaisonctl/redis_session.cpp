#include "daemon/liaisonctl/redis_session.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

#include "config/loader.hpp"

namespace liaison::ctl {

namespace asio = boost::asio;

namespace {

asio::awaitable<int> connected_then(queue::redis_connection& redis,
                                    const config::liaison_config& cfg, const redis_task& task) {
  const auto& r = cfg.redis;
  if (!co_await redis.wait_connected(r.connect_timeout + std::chrono::seconds(1))) {
    std::cerr << "liaisonctl: cannot reach Redis ("
              << (r.unix_socket.empty() ? r.host + ":" + std::to_string(r.port) : r.unix_socket)
              << ")\n";
    co_return exit_failed;
  }
  co_return co_await task(redis, cfg);
}

}  // namespace

int with_redis(const std::string& config_path, const redis_task& task) {
  const auto loaded = config::load_config_file(config_path);
  if (!loaded.config) {
    for (const auto& error : loaded.errors) {
      std::cerr << (error.key_path.empty() ? config_path : error.key_path) << ": " << error.message
                << '\n';
    }
    return exit_failed;
  }
  const auto& cfg = *loaded.config;
  // Connection trouble is reported by the command itself; keep the client's own logs quiet.
  auto logger = std::make_shared<spdlog::logger>("liaisonctl",
                                                 std::make_shared<spdlog::sinks::stderr_sink_st>());
  logger->set_level(spdlog::level::off);
  asio::io_context io(1);
  queue::redis_connection redis(io.get_executor(), cfg.redis, logger);
  asio::co_spawn(io, redis.run(), asio::detached);
  int exit_code = exit_failed;
  asio::co_spawn(io, connected_then(redis, cfg, task), [&](std::exception_ptr e, int code) {
    exit_code = e ? exit_failed : code;
    redis.cancel();
  });
  io.run();
  return exit_code;
}

}  // namespace liaison::ctl
