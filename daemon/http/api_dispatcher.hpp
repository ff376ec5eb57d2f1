// Turns a parsed request into a response: route match (404/405), authentication (401) and
// authorization (403), the handler, problem+json for anything that escapes, and metrics.
// No socket here: tests call it directly.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "daemon/http/auth.hpp"
#include "daemon/http/http_metrics.hpp"
#include "daemon/http/router.hpp"

namespace spdlog {
class logger;
}

namespace liaison::http {

class api_dispatcher {
 public:
  api_dispatcher(const router& routes, std::shared_ptr<const authenticator> auth,
                 http_metrics& metrics, std::shared_ptr<spdlog::logger> logger);

  // Replaced on a config reload; requests already running keep the one they started with.
  void set_authenticator(std::shared_ptr<const authenticator> auth) { auth_ = std::move(auth); }

  boost::asio::awaitable<response> dispatch(const request& req);

 private:
  boost::asio::awaitable<response> dispatch_matched(const request& req, route_match& match);

  const router& routes_;
  std::shared_ptr<const authenticator> auth_;
  http_metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace liaison::http
