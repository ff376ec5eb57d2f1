#include "channels/http_client.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <memory>

#include "channels/detail/curl_easy.hpp"
#include "channels/detail/curl_multi.hpp"

namespace liaison::channels {

namespace asio = boost::asio;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// boost::system::error_category's destructor is protected and non-virtual by design (categories
// are never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class http_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "liaison.http"; }
  std::string message(int value) const override {
    switch (static_cast<http_errc>(value)) {
      case http_errc::connect_failed:
        return "cannot connect to the provider";
      case http_errc::resolve_failed:
        return "cannot resolve the provider's host name";
      case http_errc::timed_out:
        return "the provider did not answer in time";
      case http_errc::tls_failed:
        return "TLS handshake or certificate verification failed";
      case http_errc::transport_failed:
        return "the connection failed before a complete answer";
      case http_errc::response_too_large:
        return "the provider's answer is larger than allowed";
      case http_errc::cancelled:
        return "the call was cancelled";
      case http_errc::invalid_request:
        return "the request is invalid (URL or option)";
    }
    return "unknown HTTP client error";
  }
};
#pragma GCC diagnostic pop

// Holds everything one transfer points at, so it all outlives the curl handle's use of it.
struct http_transfer {
  http_transfer(const http_client_options& options, detail::easy_handle easy)
      : options_(options), easy_(std::move(easy)) {}

  // The handle, for the next transfer (once curl_multi has let go of it).
  detail::easy_handle release_handle() noexcept { return std::move(easy_); }

  // Configures the easy handle; false when the request cannot be expressed (bad URL...).
  bool prepare(http_request req) {
    request_ = std::move(req);
    CURL* e = easy_.get();
    if (e == nullptr) {
      return false;
    }
    set(CURLOPT_URL, request_.url.c_str());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, error_buffer_);
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeout.count()));
    set(CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::min(options_.connect_timeout, request_.timeout).count()));
    set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) {
      set(CURLOPT_CAINFO, options_.ca_file.c_str());
    }
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
    set(CURLOPT_WRITEFUNCTION, &http_transfer::write_trampoline);
    set(CURLOPT_WRITEDATA, this);
    set(CURLOPT_HEADERFUNCTION, &http_transfer::header_trampoline);
    set(CURLOPT_HEADERDATA, this);
    set(CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl decodes

    const bool has_body = !request_.body.empty() || request_.method == "POST" ||
                          request_.method == "PUT" || request_.method == "PATCH";
    if (has_body) {
      set(CURLOPT_POSTFIELDS, request_.body.data());
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
    }
    if (request_.method == "GET" && !has_body) {
      set(CURLOPT_HTTPGET, 1L);
    } else if (request_.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (request_.method != "POST") {
      set(CURLOPT_CUSTOMREQUEST, request_.method.c_str());
    }
    if (request_.basic_auth) {
      set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      set(CURLOPT_USERNAME, request_.basic_auth->username.c_str());
      set(CURLOPT_PASSWORD, request_.basic_auth->password.c_str());
    }
    for (const auto& h : request_.headers) {
      headers_.append(h.name + ": " + h.value);
    }
    // Without this curl waits up to a second for "100 Continue" before sending larger bodies.
    headers_.append("Expect:");
    set(CURLOPT_HTTPHEADER, headers_.get());
    return ok_;
  }

  boost::system::result<http_response> finish(CURLcode code) {
    if (code != CURLE_OK) {
      return make_error_code(map_error(code));
    }
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    response_.status = static_cast<unsigned>(status);
    return std::move(response_);
  }

  CURL* easy() const noexcept { return easy_.get(); }

 private:
  template <class T>
  void set(CURLoption option, T value) {
    if (curl_easy_setopt(easy_.get(), option, value) != CURLE_OK) {
      ok_ = false;
    }
  }

  http_errc map_error(CURLcode code) const {
    switch (code) {
      case CURLE_COULDNT_CONNECT:
        return http_errc::connect_failed;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return http_errc::resolve_failed;
      case CURLE_OPERATION_TIMEDOUT:
        return http_errc::timed_out;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
        return http_errc::tls_failed;
      case CURLE_FILESIZE_EXCEEDED:
        return http_errc::response_too_large;
      case CURLE_WRITE_ERROR:
        return too_large_ ? http_errc::response_too_large : http_errc::transport_failed;
      case CURLE_ABORTED_BY_CALLBACK:
        return http_errc::cancelled;
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_BAD_FUNCTION_ARGUMENT:
      case CURLE_FAILED_INIT:
        return http_errc::invalid_request;
      default:
        return http_errc::transport_failed;
    }
  }

  std::size_t on_write(const char* data, std::size_t size) {
    if (response_.body.size() + size > options_.max_response_bytes) {
      too_large_ = true;
      return 0;  // curl fails the transfer with CURLE_WRITE_ERROR
    }
    response_.body.append(data, size);
    return size;
  }

  void on_header(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.starts_with("HTTP/")) {
      response_.headers.clear();  // a new answer (after 100 Continue or a redirect)
      return;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return;
    }
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    response_.headers.push_back({std::move(name), std::string(value)});
  }

  static std::size_t write_trampoline(char* data, std::size_t size, std::size_t count,
                                      void* userp) noexcept {
    try {
      return static_cast<http_transfer*>(userp)->on_write(data, size * count);
    } catch (...) {
      return 0;  // out of memory: fail this transfer only
    }
  }

  static std::size_t header_trampoline(char* data, std::size_t size, std::size_t count,
                                       void* userp) noexcept {
    try {
      static_cast<http_transfer*>(userp)->on_header(std::string_view(data, size * count));
      return size * count;
    } catch (...) {
      return 0;
    }
  }

  const http_client_options& options_;
  detail::easy_handle easy_;
  detail::header_list headers_;
  http_request request_;
  http_response response_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  bool ok_ = true;
  bool too_large_ = false;
};

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const http_category_impl category;
  return category;
}

boost::system::error_code make_error_code(http_errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

std::optional<std::string_view> http_response::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) {
      return std::string_view(h.value);
    }
  }
  return std::nullopt;
}

struct http_client::idle_handles {
  std::vector<detail::easy_handle> handles;
};

http_client::http_client(asio::any_io_executor executor, http_client_options options)
    : options_(std::move(options)),
      multi_(detail::curl_multi::create(std::move(executor),
                                        {options_.max_concurrent, options_.logger})),
      idle_(std::make_shared<idle_handles>()) {}

http_client::~http_client() {
  multi_->shutdown();
}

asio::awaitable<boost::system::result<http_response>> http_client::request(http_request req) {
  // Owned by this coroutine frame, which outlives the transfer: the frame resumes only when
  // curl_multi has removed the handle.
  // Nothing after the co_await may touch `this`: the client may be gone by then (its
  // destruction cancels the call, which then resumes here).
  const auto idle = idle_;
  const auto keep_at_most = options_.max_concurrent;
  detail::easy_handle easy;
  if (idle->handles.empty()) {
    easy = detail::make_easy_handle();
  } else {
    easy = std::move(idle->handles.back());
    idle->handles.pop_back();
  }
  auto transfer = std::make_unique<http_transfer>(options_, std::move(easy));
  const auto keep_handle = [&idle, &transfer, keep_at_most] {
    auto used = transfer->release_handle();
    if (used && idle->handles.size() < keep_at_most) {
      curl_easy_reset(used.get());  // every option back to its default; caches are kept
      idle->handles.push_back(std::move(used));
    }
  };
  if (!transfer->prepare(std::move(req))) {
    keep_handle();
    co_return make_error_code(http_errc::invalid_request);
  }
  const CURLcode code = co_await multi_->async_perform(transfer->easy(), asio::use_awaitable);
  auto result = transfer->finish(code);
  keep_handle();
  co_return result;
}

}  // namespace liaison::channels
