// The HTTP/1.1 server: an accept loop and one coroutine per connection, with keep-alive, a
// header and body size limit, read deadlines, and a bounded graceful drain for SIGTERM.
// The request handler is a plain function of the request (api_dispatcher), no socket in it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <list>
#include <memory>
#include <optional>

#include "config/config.hpp"
#include "daemon/http/body_stream.hpp"
#include "daemon/http/message.hpp"

namespace spdlog {
class logger;
}
namespace boost::beast {
template <class Protocol, class Executor, class RatePolicy>
class basic_stream;
}

namespace liaison::http {

class http_server {
 public:
  using request_handler = std::function<boost::asio::awaitable<response>(const request&)>;

  http_server(boost::asio::any_io_executor executor, const config::http_config& cfg,
              request_handler handler, std::shared_ptr<spdlog::logger> logger);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and listens; throws boost::system::system_error when that fails (port taken).
  void listen();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Accepts connections until drain() (or the acceptor fails).
  boost::asio::awaitable<void> run();

  // Stops accepting, lets requests in progress finish and answer with `Connection: close`,
  // closes idle keep-alive connections at once, and after `grace` closes whatever is left.
  boost::asio::awaitable<void> drain(std::chrono::milliseconds grace);

  std::size_t connection_count() const noexcept { return connections_.size(); }

  // Requests whose body the handler reads as a stream (bulk uploads): `body_limit` says, from the
  // header, whether a request is one (and its limit); `handle` gets the header and the stream.
  struct streaming {
    std::function<std::optional<std::size_t>(const request&)> body_limit;
    std::function<boost::asio::awaitable<response>(const request&, body_stream&)> handle;
  };
  void set_streaming(streaming s) { streaming_ = std::move(s); }

 private:
  struct connection;
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::any_io_executor executor_;
  config::http_config cfg_;
  request_handler handler_;
  streaming streaming_;
  std::shared_ptr<spdlog::logger> logger_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::list<connection*> connections_;
  boost::asio::steady_timer all_closed_;  // cancelled when the last connection ends
  bool draining_ = false;
};

}  // namespace liaison::http
