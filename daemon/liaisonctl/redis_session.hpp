// What every liaisonctl command that talks to Redis does first: read liaisond's configuration,
// connect to its Redis (quietly: the command reports trouble itself), run one coroutine with the
// connection, and turn the outcome into an exit code.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::ctl {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

inline constexpr std::string_view default_config_path = "/etc/liaison/liaison.toml";

using redis_task = std::function<boost::asio::awaitable<int>(queue::redis_connection&,
                                                             const config::liaison_config&)>;

// exit_failed when the configuration is invalid (errors printed) or Redis cannot be reached;
// otherwise the task's exit code.
int with_redis(const std::string& config_path, const redis_task& task);

}  // namespace liaison::ctl
