// Named templates in Redis, next to the directory (hash tag {d}; docs/templates.md):
//   <prefix>:{d}:template:<name>   string: the template as JSON (message_template.hpp's form)
//   <prefix>:{d}:templates         sorted set of names, every score 0 (listed by name)
// A write or delete changes both keys in one MULTI/EXEC, so the list never names a template
// that is not there, nor misses one that is.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/services/message_template.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::services {

class template_store {
 public:
  template_store(queue::redis_connection& redis, std::string key_prefix);

  // Replaces the template; true when it is new.
  boost::asio::awaitable<boost::system::result<bool>> put(const message_template& t);
  boost::asio::awaitable<boost::system::result<std::optional<message_template>>> get(
      std::string_view name);
  // Every template, by name.
  boost::asio::awaitable<boost::system::result<std::vector<message_template>>> list();
  // False when there was none.
  boost::asio::awaitable<boost::system::result<bool>> remove(std::string_view name);

  std::string template_key(std::string_view name) const;
  std::string names_key() const;

 private:
  queue::redis_connection& redis_;
  std::string prefix_;
};

}  // namespace liaison::services
