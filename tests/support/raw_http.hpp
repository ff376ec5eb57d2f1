// A TCP connection to a local HTTP server that sends bytes as given: malformed requests no
// client library would write, requests sent a few bytes at a time (slow clients). Reads are
// bounded by a deadline, so a server that never answers fails the test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace liaison::testing {

struct raw_answer {
  unsigned status = 0;  // 0 when no whole response arrived (closed first, or the limit passed)
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::string error;  // why no response was read, when status is 0
};

class raw_connection {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error when nothing accepts.
  explicit raw_connection(std::uint16_t port);
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // Writes every byte; false when the server has closed the connection (or reset it).
  bool send(std::string_view bytes);
  // Reads one HTTP response, waiting at most `limit`.
  raw_answer read_response(std::chrono::milliseconds limit);
  // Whether the server closes the connection within `limit` (anything it sends is discarded).
  // When it does not, the connection stays usable.
  bool closed_within(std::chrono::milliseconds limit);

 private:
  // Runs the operation started on io_ until it completes (`done`) or `limit` passes (then
  // cancels it, and it completes with operation_aborted).
  void run_for(std::chrono::milliseconds limit, const bool& done);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One exchange on a fresh connection: sends `bytes` and reads the response.
raw_answer raw_exchange(std::uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace liaison::testing
