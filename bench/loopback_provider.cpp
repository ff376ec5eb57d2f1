// A provider on loopback for the dispatch benchmark (bench/dispatch.sh): answers every POST as
// Twilio's Messages API answers a message it accepted (201 and a JSON body with a sid), after
// a fixed delay, on keep-alive connections. GET /stats tells how many messages it took and
// when the first and the last came, so the script can compute calls per second without
// timing anything itself.
//
// Usage: loopback_provider PORT [DELAY_MS]
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using std::chrono::steady_clock;

struct counters {
  std::uint64_t messages = 0;
  steady_clock::time_point first;
  steady_clock::time_point last;
};

std::string stats_json(const counters& seen) {
  const auto span = std::chrono::duration<double>(seen.last - seen.first).count();
  return "{\"messages\":" + std::to_string(seen.messages) +
         ",\"seconds_first_to_last\":" + std::to_string(span) + "}";
}

asio::awaitable<void> session(tcp::socket socket, std::chrono::milliseconds delay, counters& seen) {
  boost::beast::flat_buffer buffer;
  asio::steady_timer timer(socket.get_executor());
  for (;;) {
    http::request<http::string_body> request;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    auto [read_error, read_bytes] =
        co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
      co_return;
    }
    request = parser.release();
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.set(http::field::content_type, "application/json");
    if (request.method() == http::verb::get && request.target() == "/stats") {
      response.result(http::status::ok);
      response.body() = stats_json(seen);
    } else {
      const auto now = steady_clock::now();
      if (seen.messages++ == 0) {
        seen.first = now;
      }
      seen.last = now;
      if (delay.count() > 0) {
        timer.expires_after(delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      response.result(http::status::created);
      response.body() = "{\"sid\":\"SM" + std::to_string(seen.messages) +
                        "\",\"status\":\"queued\",\"error_code\":null}";
    }
    response.prepare_payload();
    auto [write_error, written] =
        co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !response.keep_alive()) {
      co_return;
    }
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::chrono::milliseconds delay,
                                  counters& seen) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) {
      co_return;
    }
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), delay, seen),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [DELAY_MS]\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const std::chrono::milliseconds delay(argc > 2 ? std::atoi(argv[2]) : 0);
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  counters seen;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  asio::co_spawn(io, accept_loop(acceptor, delay, seen), asio::detached);
  io.run();
  std::printf("%s\n", stats_json(seen).c_str());
  return 0;
}
