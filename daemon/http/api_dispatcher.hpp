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

  // Streamed routes (bulk uploads): the server asks after reading the header whether the
  // request goes to one, and with what body limit; then hands over the body as a stream. The
  // caller is authenticated before a byte of the body is read.
  std::optional<std::size_t> streamed_body_limit(const request& header) const;
  boost::asio::awaitable<response> dispatch_streamed(const request& header, body_stream& body);

 private:
  boost::asio::awaitable<response> dispatch_any(const request& req, body_stream* body);
  boost::asio::awaitable<response> dispatch_matched(const request& req, route_match& match,
                                                    body_stream* body);

  const router& routes_;
  std::shared_ptr<const authenticator> auth_;
  http_metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace liaison::http
