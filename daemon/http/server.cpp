#include "daemon/http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>

#include "daemon/http/problem.hpp"

namespace liaison::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t header_limit_bytes = 16 * 1024;

bool is_quiet_close(const boost::system::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::bad_descriptor;
}

// A request body read from the connection in chunks through Beast's buffer_body parser; each
// read under the read deadline. Answers "100 Continue" first when the client asked for it (curl
// does for large uploads), so the client only sends the body to a handler that wants it.
class connection_body_stream final : public body_stream {
 public:
  connection_body_stream(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                         beast::http::request_parser<beast::http::buffer_body>& parser,
                         std::chrono::milliseconds read_timeout)
      : stream_(stream), buffer_(buffer), parser_(parser), read_timeout_(read_timeout) {}

  asio::awaitable<boost::system::result<std::string_view>> next() override {
    if (!continued_) {
      continued_ = true;
      if (beast::iequals(parser_.get()[beast::http::field::expect], "100-continue")) {
        beast::http::response<beast::http::empty_body> go_on{beast::http::status::continue_, 11};
        stream_.expires_after(read_timeout_);
        auto [ec, n] = co_await beast::http::async_write(stream_, go_on, use_tuple);
        if (ec) {
          co_return ec;
        }
      }
    }
    while (!parser_.is_done()) {
      parser_.get().body().data = chunk_.data();
      parser_.get().body().size = chunk_.size();
      stream_.expires_after(read_timeout_);
      auto [ec, n] = co_await beast::http::async_read(stream_, buffer_, parser_, use_tuple);
      if (ec && ec != beast::http::error::need_buffer) {
        co_return ec;
      }
      const std::size_t got = chunk_.size() - parser_.get().body().size;
      if (got > 0) {
        co_return std::string_view(chunk_.data(), got);
      }
    }
    co_return std::string_view{};
  }

  bool finished() const noexcept override { return parser_.is_done(); }

 private:
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  beast::http::request_parser<beast::http::buffer_body>& parser_;
  std::chrono::milliseconds read_timeout_;
  std::array<char, 64 * 1024> chunk_{};
  bool continued_ = false;
};

// Feeds the bytes already read after the header to the parser (body limit and chunked framing
// included). "Needs more" is not an error: the rest is read from the socket.
boost::system::error_code parse_buffered_body(
    beast::http::request_parser<beast::http::string_body>& parser, beast::flat_buffer& buffer) {
  parser.eager(true);
  while (!parser.is_done() && buffer.size() > 0) {
    boost::system::error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == beast::http::error::need_more) {
      break;
    }
    if (ec) {
      return ec;
    }
    if (used == 0) {
      break;
    }
  }
  return {};
}

}  // namespace

struct http_server::connection {
  beast::tcp_stream stream;
  bool busy = false;  // between a complete request header and the end of its response
};

http_server::http_server(asio::any_io_executor executor, const config::http_config& cfg,
                         request_handler handler, std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      cfg_(cfg),
      handler_(std::move(handler)),
      logger_(std::move(logger)),
      acceptor_(executor),
      all_closed_(executor) {}

http_server::~http_server() = default;

void http_server::listen() {
  const tcp::endpoint endpoint{asio::ip::make_address(cfg_.listen_address), cfg_.port};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (cfg_.reuse_port) {
    // Asio names no SO_REUSEPORT (it is Linux's and the BSDs'), so it is set on the handle.
    const int on = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
      throw boost::system::system_error(errno, boost::system::system_category(), "SO_REUSEPORT");
    }
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  logger_->info("HTTP listening on {}:{}", acceptor_.local_endpoint().address().to_string(),
                acceptor_.local_endpoint().port());
}

tcp::endpoint http_server::local_endpoint() const {
  return acceptor_.local_endpoint();
}

asio::awaitable<void> http_server::run() {
  while (!draining_) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        logger_->error("accept failed: {}", ec.message());
      }
      if (draining_ || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
        break;
      }
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (connections_.size() >= cfg_.max_connections) {
      logger_->warn("connection limit {} reached; refusing a connection", cfg_.max_connections);
      continue;  // the socket closes as it goes out of scope
    }
    asio::co_spawn(executor_, serve(std::move(socket)), [logger = logger_](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          logger->error("HTTP connection failed: {}", ex.what());
        }
      }
    });
  }
}

asio::awaitable<void> http_server::serve(tcp::socket socket) {
  connection conn{beast::tcp_stream(std::move(socket))};
  connections_.push_back(&conn);
  // Unregisters on every exit path; wakes drain() when this was the last connection.
  struct registration {
    http_server& server;
    connection* conn;
    ~registration() {
      server.connections_.remove(conn);
      if (server.connections_.empty()) {
        server.all_closed_.cancel();
      }
    }
  } registered{*this, &conn};

  beast::flat_buffer buffer;
  bool first_request = true;
  while (!draining_) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(header_limit_bytes);
    // The limit depends on the route (uploads have their own), known once the header is in.
    parser.body_limit(boost::none);

    // Between keep-alive requests the peer may stay silent up to idle_timeout.
    conn.stream.expires_after(first_request ? cfg_.read_timeout : cfg_.idle_timeout);
    auto [header_ec, header_bytes] =
        co_await beast::http::async_read_header(conn.stream, buffer, parser, use_tuple);
    conn.busy = true;
    boost::system::error_code ec = header_ec;
    std::optional<std::size_t> streamed_limit;
    if (!ec && streaming_.body_limit) {
      streamed_limit = streaming_.body_limit(parser.get());
    }
    const std::size_t body_limit = streamed_limit.value_or(cfg_.max_body_bytes);
    if (!ec) {
      // Beast compares Content-Length with the limit when the header ends, which was before the
      // route was known: compare here; a chunked body is counted as it arrives.
      const auto declared = parser.content_length();
      if (declared && *declared > body_limit) {
        ec = beast::http::error::body_limit;
      } else {
        parser.body_limit(body_limit);
      }
    }
    if (!ec && !streamed_limit) {
      // A small request's body usually came in with its header: parse what is buffered, and go
      // back to the socket only for the rest (one asynchronous read, and its timer, less).
      ec = parse_buffered_body(parser, buffer);
      if (!ec && !parser.is_done()) {
        conn.stream.expires_after(cfg_.read_timeout);
        auto [body_ec, body_bytes] =
            co_await beast::http::async_read(conn.stream, buffer, parser, use_tuple);
        ec = body_ec;
      }
    }

    response res;
    if (!ec && streamed_limit) {
      // A streamed route: the body is not read here but by the handler, chunk by chunk.
      beast::http::request_parser<beast::http::buffer_body> body_parser{std::move(parser)};
      body_parser.body_limit(*streamed_limit);
      connection_body_stream body(conn.stream, buffer, body_parser, cfg_.read_timeout);
      const request header(body_parser.get().base());
      res = co_await streaming_.handle(header, body);
      if (!body.finished() || draining_) {
        res.keep_alive(false);  // the rest of the body is still on the wire
      }
      conn.stream.expires_after(cfg_.read_timeout);
      auto [write_ec, written] = co_await beast::http::async_write(conn.stream, res, use_tuple);
      conn.busy = false;
      if (write_ec || !res.keep_alive()) {
        break;
      }
      first_request = false;
      continue;
    }
    if (ec == beast::http::error::body_limit) {
      res = make_problem_response(
          {status::payload_too_large,
           "urn:liaison:problem:body-too-large",
           "Body too large",
           "the request body is larger than " + std::to_string(body_limit) + " bytes",
           {}},
          11, false);
    } else if (ec == beast::http::error::header_limit) {
      res = make_problem_response({status::request_header_fields_too_large,
                                   {},
                                   "Header fields too large",
                                   "the request header is too large",
                                   {}},
                                  11, false);
    } else if (ec && is_quiet_close(ec)) {
      break;
    } else if (ec) {
      res = make_problem_response(
          {status::bad_request, {}, "Bad request", "malformed HTTP request: " + ec.message(), {}},
          11, false);
    } else {
      res = co_await handler_(parser.get());
      if (draining_) {
        res.keep_alive(false);
      }
    }

    conn.stream.expires_after(cfg_.read_timeout);
    auto [write_ec, written] = co_await beast::http::async_write(conn.stream, res, use_tuple);
    conn.busy = false;
    if (write_ec || !res.keep_alive()) {
      break;
    }
    first_request = false;
  }
  boost::system::error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> http_server::drain(std::chrono::milliseconds grace) {
  draining_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Idle keep-alive connections are waiting for a request that we will not serve.
  for (auto* conn : connections_) {
    if (!conn->busy) {
      conn->stream.socket().cancel(ignored);
    }
  }
  if (!connections_.empty()) {
    all_closed_.expires_after(grace);
    co_await all_closed_.async_wait(use_tuple);
  }
  if (!connections_.empty()) {
    logger_->warn("closing {} HTTP connections still busy after the drain bound",
                  connections_.size());
    for (auto* conn : connections_) {
      conn->stream.socket().close(ignored);
    }
  }
}

}  // namespace liaison::http
