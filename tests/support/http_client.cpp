#include "tests/support/http_client.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <random>
#include <stdexcept>

namespace liaison::testing {

namespace beast = boost::beast;
namespace asio = boost::asio;

http_reply call_api(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& api_key,
                    std::map<std::string, std::string> extra_headers) {
  http_call call{method, target, body, std::move(extra_headers)};
  call.headers["Authorization"] = "Bearer " + api_key;
  call.headers["Content-Type"] = "application/json";
  return send_http(port, call);
}

http_reply send_http(std::uint16_t port, const http_call& call) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  boost::system::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " +
                             ec.message());
  }
  beast::http::request<beast::http::string_body> req{beast::http::string_to_verb(call.method),
                                                     call.target, 11};
  req.set(beast::http::field::host, "127.0.0.1");
  for (const auto& [name, value] : call.headers) {
    req.set(name, value);
  }
  req.body() = call.body;
  req.prepare_payload();
  beast::http::write(stream, req, ec);
  if (ec) {
    throw std::runtime_error("write failed: " + ec.message());
  }
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::http::read(stream, buffer, parser, ec);
  if (ec) {
    throw std::runtime_error("read failed: " + ec.message());
  }
  auto res = parser.release();
  http_reply reply;
  reply.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    reply.headers[name] = std::string(field.value());
  }
  reply.body = std::move(res.body());
  return reply;
}

std::uint16_t free_tcp_port() {
  // Below Linux's ephemeral range (32768-60999): a port the kernel handed out for bind(0) and
  // that was closed again is soon the source port of some outgoing connection, or another
  // test's "free" port. A random one of 12,000 that binds now is far less likely to be taken
  // before the server that asked for it binds it.
  std::random_device random;
  std::uniform_int_distribution<int> pick(20000, 31999);
  asio::io_context io;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    boost::system::error_code error;
    asio::ip::tcp::acceptor acceptor(io);
    acceptor.open(asio::ip::tcp::v4(), error);
    if (!error) {
      acceptor.bind({asio::ip::make_address("127.0.0.1"), port}, error);
    }
    if (!error) {
      return port;
    }
  }
  throw std::runtime_error("no free TCP port between 20000 and 31999");
}

}  // namespace liaison::testing
