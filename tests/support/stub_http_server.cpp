#include "tests/support/stub_http_server.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace liaison::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

struct stub_http_server::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  handler on_request;
};

namespace {

stub_request to_stub_request(const http::request<http::string_body>& req, std::size_t conn) {
  stub_request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[name] = std::string(field.value());
  }
  out.body = req.body();
  out.connection = conn;
  return out;
}

}  // namespace

stub_http_server::stub_http_server(handler on_request) : impl_(std::make_unique<impl>()) {
  impl_->on_request = std::move(on_request);
  port_ = impl_->acceptor.local_endpoint().port();

  asio::co_spawn(impl_->io, accept_loop(), asio::detached);
  thread_ = std::thread([this] { impl_->io.run(); });
}

stub_http_server::~stub_http_server() {
  impl_->io.stop();
  thread_.join();
}

// Coroutines are member functions, not lambdas: a lambda's captures would die with the
// constructor's frame while the coroutine still runs.
asio::awaitable<void> stub_http_server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await impl_->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
    const std::size_t conn = ++connections_;
    asio::co_spawn(impl_->io, session(std::move(socket), conn), asio::detached);
  }
}

asio::awaitable<void> stub_http_server::session(tcp::socket socket, std::size_t conn) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    auto [ec, n] =
        co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
    auto req = parser.release();
    auto recorded = to_stub_request(req, conn);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(recorded);
    }
    const stub_response answer = impl_->on_request(recorded);
    if (answer.delay.count() > 0 || answer.never_answer) {
      asio::steady_timer timer(socket.get_executor());
      timer.expires_after(answer.never_answer ? std::chrono::milliseconds(std::chrono::hours(1))
                                              : answer.delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (answer.close_connection) {
      co_return;
    }
    if (answer.reset_connection) {
      // SO_LINGER with a zero timeout: close() sends RST, as a crashing peer or a middlebox does.
      boost::system::error_code ignored;
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    for (const auto& [name, value] : answer.headers) {
      res.set(name, value);
    }
    res.body() = answer.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, written] =
        co_await http::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !req.keep_alive()) {
      co_return;
    }
  }
}

std::string stub_http_server::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<stub_request> stub_http_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace liaison::testing
