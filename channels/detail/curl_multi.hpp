// libcurl's multi interface driven by Asio: curl's socket and timer callbacks become waits on
// Asio descriptors and one steady_timer, so every transfer of a client shares one event loop
// with the rest of the daemon and no thread is started per request. Internal to channels/:
// this header is the only one that includes <curl/curl.h>.
#pragma once

#include <curl/curl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace spdlog {
class logger;
}

namespace liaison::channels::detail {

// curl_global_init / curl_global_cleanup as an object. libcurl counts matched init/cleanup
// pairs itself and both are thread-safe since 7.84 (Debian 12 ships 7.88), so each owner of
// a multi handle holds one of these and there is no process-wide flag of ours.
class curl_library {
 public:
  curl_library();
  ~curl_library();
  curl_library(const curl_library&) = delete;
  curl_library& operator=(const curl_library&) = delete;
};

struct curl_multi_options {
  // Transfers running at once; more wait in FIFO order. Also caps connections per host.
  std::size_t max_concurrent = 16;
  // Where the C callbacks report an exception they caught; may be null (then they are silent).
  std::shared_ptr<spdlog::logger> logger;
};

// One curl multi handle and its Asio plumbing. All of its state is touched only on its strand;
// async_perform may be called from any executor and completes on the caller's executor.
class curl_multi : public std::enable_shared_from_this<curl_multi> {
 public:
  // A type-erased completion handler that knows its own executor (any_completion_handler's
  // executor cannot be posted to in Boost 1.81).
  struct completion {
    virtual ~completion() = default;
    virtual boost::asio::cancellation_slot slot() const = 0;
    virtual void post(CURLcode code) = 0;  // once, on the handler's executor
  };
  using handler_type = std::unique_ptr<completion>;

  static std::shared_ptr<curl_multi> create(boost::asio::any_io_executor executor,
                                            curl_multi_options options);
  ~curl_multi();
  curl_multi(const curl_multi&) = delete;
  curl_multi& operator=(const curl_multi&) = delete;

  // Runs the transfer configured on `easy`, which the caller owns and keeps alive (with every
  // buffer it points at) until completion. Completes with the transfer's CURLcode, or
  // CURLE_ABORTED_BY_CALLBACK when cancelled (per-operation cancellation is supported) or
  // when the multi handle is shut down.
  template <class CompletionToken>
  auto async_perform(CURL* easy, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(CURLcode)>(
        [self = shared_from_this()](auto handler, CURL* e) {
          using handler_t = decltype(handler);
          struct erased final : completion {
            erased(handler_t h, boost::asio::any_io_executor fallback)
                : handler(std::move(h)), executor(std::move(fallback)) {}
            boost::asio::cancellation_slot slot() const override {
              return boost::asio::get_associated_cancellation_slot(handler);
            }
            void post(CURLcode code) override {
              auto ex = boost::asio::get_associated_executor(handler, executor);
              boost::asio::post(ex, boost::asio::append(std::move(handler), code));
            }
            handler_t handler;
            boost::asio::any_io_executor executor;
          };
          self->initiate(e, std::make_unique<erased>(std::move(handler), self->executor_));
        },
        token, easy);
  }

  // Aborts every transfer (their handlers complete with CURLE_ABORTED_BY_CALLBACK) and
  // refuses new ones. Idempotent; the destructor calls it. Call it where the strand may run
  // (from the executor's thread, or when nothing runs the executor).
  void shutdown();

  boost::asio::any_io_executor executor() const { return executor_; }

 private:
  struct watched_socket;
  struct transfer {
    handler_type handler;
    boost::asio::cancellation_slot slot;
    bool added = false;  // to the multi handle (running), else waiting for a slot
  };

  curl_multi(boost::asio::any_io_executor executor, curl_multi_options options);

  void initiate(CURL* easy, handler_type handler);
  void start(CURL* easy, handler_type handler);
  void add_waiting();
  void cancel(CURL* easy);
  void complete(CURL* easy, CURLcode code);
  void drain_messages();
  void socket_action(curl_socket_t fd, int events);

  void on_socket(curl_socket_t fd, int what);
  void on_timer(long timeout_ms);
  void arm_timer_by(boost::asio::steady_timer::time_point due);
  void post_timeout_action();
  void timeout_action();
  void watch(const std::shared_ptr<watched_socket>& socket);
  void on_ready(const std::shared_ptr<watched_socket>& socket, int direction,
                const boost::system::error_code& ec);

  static int socket_trampoline(CURL* easy, curl_socket_t fd, int what, void* userp,
                               void* socketp) noexcept;
  static int timer_trampoline(CURLM* multi, long timeout_ms, void* userp) noexcept;

  curl_library library_;
  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  curl_multi_options options_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  // When timer_ fires, if it is waiting. It is moved only earlier, never later: each move is
  // a timerfd_settime system call when it is the loop's earliest timer, and curl moves its
  // deadline with every transfer. Firing early costs one timeout action, after which curl is
  // asked what is due next (timeout_action).
  std::optional<boost::asio::steady_timer::time_point> timer_due_;
  bool timeout_action_posted_ = false;
  std::map<curl_socket_t, std::shared_ptr<watched_socket>> sockets_;
  std::map<CURL*, transfer> transfers_;
  std::deque<CURL*> waiting_;
  std::size_t running_ = 0;
  bool closed_ = false;
};

}  // namespace liaison::channels::detail
