// A Lua script run with EVALSHA, loaded on demand: the first call (and any call after Redis
// lost its script cache, e.g. on restart or failover) gets NOSCRIPT, loads the script and
// runs it again. Scripts are how the queue moves a job between keys atomically.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <vector>

#include "queue/redis_connection.hpp"

namespace liaison::queue {

class lua_script {
 public:
  explicit lua_script(std::string source);

  const std::string& sha1() const noexcept { return sha1_; }

  // Every key the script touches is in `keys` or derived from a key-base argument sharing their
  // hash tag (docs/queue.md), so the script runs on one Redis Cluster slot.
  boost::asio::awaitable<boost::system::result<redis_reply>> run(redis_connection& via,
                                                                 std::vector<std::string> keys,
                                                                 std::vector<std::string> args);

 private:
  redis_request evalsha_request(const std::vector<std::string>& keys,
                                const std::vector<std::string>& args) const;
  std::vector<std::string> load_command() const;

  std::string source_;
  std::string sha1_;
};

}  // namespace liaison::queue
