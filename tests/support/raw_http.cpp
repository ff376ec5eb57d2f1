#include "tests/support/raw_http.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <stdexcept>

namespace liaison::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;

raw_connection::raw_connection(std::uint16_t port) : socket_(io_) {
  boost::system::error_code ec;
  socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " +
                             ec.message());
  }
}

bool raw_connection::send(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

void raw_connection::run_for(std::chrono::milliseconds limit, const bool& done) {
  // Cancelling (not closing) on the deadline keeps the connection usable afterwards.
  asio::steady_timer deadline(io_, limit);
  deadline.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  });
  io_.restart();
  // A composed read runs several handlers: run them until its own completion handler ran
  // (by itself, or cancelled by the timer), then let the cancelled timer finish too.
  while (!done && io_.run_one() > 0) {
  }
  deadline.cancel();
  io_.run();
}

raw_answer raw_connection::read_response(std::chrono::milliseconds limit) {
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  boost::system::error_code result;
  bool done = false;
  beast::http::async_read(socket_, buffer_, parser, [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  run_for(limit, done);
  raw_answer answer;
  if (result) {
    answer.error =
        result == asio::error::operation_aborted ? "no answer in time" : result.message();
    return answer;
  }
  auto res = parser.release();
  answer.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    answer.headers[name] = std::string(field.value());
  }
  answer.body = std::move(res.body());
  return answer;
}

bool raw_connection::closed_within(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::array<char, 4096> sink{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    boost::system::error_code result;
    bool done = false;
    socket_.async_read_some(asio::buffer(sink), [&](boost::system::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    run_for(std::max(left, std::chrono::milliseconds(0)), done);
    if (result == asio::error::operation_aborted) {
      return false;
    }
    if (result) {
      return true;  // end of stream, or reset: closed by the server
    }
  }
}

raw_answer raw_exchange(std::uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds limit) {
  raw_connection connection(port);
  if (!connection.send(bytes)) {
    raw_answer closed;
    closed.error = "the server closed the connection while the request was sent";
    return closed;
  }
  return connection.read_response(limit);
}

}  // namespace liaison::testing
