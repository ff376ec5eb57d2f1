// A small HTTP/1.1 server for integration tests of provider clients: answers each request with
// what a test's handler returns (any status, headers, body, after a delay or never), records
// every request, and counts the connections it accepted (to observe keep-alive reuse). Runs on
// its own thread and io_context, so the client under test can run on the test's.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace liaison::testing {

struct stub_request {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::size_t connection = 0;  // which accepted connection carried it, from 1
};

struct stub_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  bool never_answer = false;           // hold the connection open without answering
  bool close_connection = false;       // close without an answer
  bool reset_connection = false;       // abort with a TCP reset (RST) instead of an answer
};

class stub_http_server {
 public:
  using handler = std::function<stub_response(const stub_request&)>;

  explicit stub_http_server(handler on_request);
  ~stub_http_server();  // stops the thread; open connections are dropped
  stub_http_server(const stub_http_server&) = delete;
  stub_http_server& operator=(const stub_http_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"
  std::size_t connections_accepted() const noexcept { return connections_.load(); }
  std::vector<stub_request> requests() const;

 private:
  struct impl;
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket, std::size_t connection);

  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> connections_{0};
  mutable std::mutex mutex_;
  std::vector<stub_request> requests_;
  std::thread thread_;
};

}  // namespace liaison::testing
