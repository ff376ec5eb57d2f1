// An asynchronous HTTP client for provider APIs: libcurl's multi interface driven by the
// daemon's Asio event loop (channels/detail/curl_multi.hpp). Connections are kept alive and
// reused, TLS peers are verified, every call has a timeout, and at most `max_concurrent`
// calls run at once per client (one client per provider); more wait their turn.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace spdlog {
class logger;
}

namespace liaison::channels {

namespace detail {
class curl_multi;
}

using namespace std::chrono_literals;

struct http_header {
  std::string name;
  std::string value;
};

struct basic_credentials {
  std::string username;
  std::string password;
};

struct http_request {
  std::string method = "GET";
  std::string url;
  std::vector<http_header> headers;
  std::string body;  // sent when not empty (or always for POST/PUT/PATCH)
  std::optional<basic_credentials> basic_auth;
  std::chrono::milliseconds timeout = 10s;  // the whole call: connect, send, answer
};

struct http_response {
  unsigned status = 0;
  std::vector<http_header> headers;  // names in lowercase, in arrival order
  std::string body;

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Why a call produced no HTTP answer. Every one but invalid_request is worth retrying later.
enum class http_errc {
  connect_failed = 1,  // refused, unreachable
  resolve_failed,
  timed_out,
  tls_failed,        // handshake or certificate verification
  transport_failed,  // connection reset, empty or malformed answer
  response_too_large,
  cancelled,        // the caller cancelled, or the client shut down
  invalid_request,  // bad URL or option: a bug or a configuration error
};

const boost::system::error_category& http_category() noexcept;
boost::system::error_code make_error_code(http_errc e) noexcept;

struct http_client_options {
  std::size_t max_concurrent = 16;
  std::chrono::milliseconds connect_timeout = 5s;
  std::size_t max_response_bytes = 1024 * 1024;
  bool verify_tls = true;  // only tests against self-signed peers turn it off
  std::string ca_file;     // empty: the system's CA store
  std::string user_agent = "liaisond";
  std::shared_ptr<spdlog::logger> logger;  // for errors caught in C callbacks; may be null
};

class http_client {
 public:
  explicit http_client(boost::asio::any_io_executor executor, http_client_options options = {});
  // Aborts calls still running: they complete with http_errc::cancelled.
  ~http_client();
  // Used from its executor only (like the multi handle it drives).
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // One HTTP exchange. A non-2xx answer is a response, not an error: classifying it is the
  // provider's business. Supports per-operation cancellation.
  boost::asio::awaitable<boost::system::result<http_response>> request(http_request req);

  // The multi handle, for providers that speak other protocols through libcurl (SMTP).
  detail::curl_multi& multi() noexcept { return *multi_; }
  const http_client_options& options() const noexcept { return options_; }

 private:
  struct idle_handles;

  http_client_options options_;
  std::shared_ptr<detail::curl_multi> multi_;
  // Easy handles of finished calls, reset and kept for the next ones: a handle carries
  // kilobytes of buffers, and allocating them per call was most of a call's CPU time. Shared
  // with the calls in flight: one cancelled by the client's destruction resumes after it.
  std::shared_ptr<idle_handles> idle_;
};

}  // namespace liaison::channels

template <>
struct boost::system::is_error_code_enum<liaison::channels::http_errc> : std::true_type {};
