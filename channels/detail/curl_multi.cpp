#include "channels/detail/curl_multi.hpp"

#include <spdlog/logger.h>
#include <unistd.h>

#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <utility>

namespace liaison::channels::detail {

namespace asio = boost::asio;

curl_library::curl_library() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("curl_global_init failed");
  }
}

curl_library::~curl_library() {
  curl_global_cleanup();
}

// A socket curl asked us to watch. We wait on a dup() of curl's descriptor: curl keeps owning
// (and closes) its socket, we own and close only the duplicate, and a descriptor number that
// curl closes and reuses can never be confused with one we still watch.
struct curl_multi::watched_socket {
  watched_socket(const asio::any_io_executor& executor, curl_socket_t curl_fd, int own_fd)
      : descriptor(executor, own_fd), fd(curl_fd) {}

  asio::posix::stream_descriptor descriptor;
  curl_socket_t fd;
  int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
  bool reading = false;
  bool writing = false;
};

std::shared_ptr<curl_multi> curl_multi::create(asio::any_io_executor executor,
                                               curl_multi_options options) {
  return std::shared_ptr<curl_multi>(new curl_multi(std::move(executor), std::move(options)));
}

curl_multi::curl_multi(asio::any_io_executor executor, curl_multi_options options)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      timer_(strand_) {
  if (options_.max_concurrent == 0) {
    options_.max_concurrent = 1;
  }
  multi_ = curl_multi_init();
  if (multi_ == nullptr) {
    throw std::runtime_error("curl_multi_init failed");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &curl_multi::socket_trampoline);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &curl_multi::timer_trampoline);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  const long limit = static_cast<long>(options_.max_concurrent);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, limit);
  // The connection cache keeps idle keep-alive connections for reuse by later requests.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, limit);
}

curl_multi::~curl_multi() {
  shutdown();
  // No transfer is added any more; cleanup closes cached connections (calling the socket
  // callback, which only touches sockets_).
  curl_multi_cleanup(multi_);
  sockets_.clear();
}

void curl_multi::shutdown() {
  if (closed_) {
    return;
  }
  closed_ = true;
  timer_.cancel();
  waiting_.clear();
  std::vector<CURL*> easies;
  for (auto& [easy, t] : transfers_) {
    easies.push_back(easy);
  }
  for (CURL* easy : easies) {
    if (transfers_.at(easy).added) {
      curl_multi_remove_handle(multi_, easy);
    }
    complete(easy, CURLE_ABORTED_BY_CALLBACK);
  }
  running_ = 0;
}

void curl_multi::initiate(CURL* easy, handler_type handler) {
  // Hop onto the strand: curl's state is never touched concurrently.
  asio::dispatch(strand_, [self = shared_from_this(), easy, h = std::move(handler)]() mutable {
    self->start(easy, std::move(h));
  });
}

void curl_multi::start(CURL* easy, handler_type handler) {
  transfer t;
  t.slot = handler->slot();
  t.handler = std::move(handler);
  if (t.slot.is_connected()) {
    std::weak_ptr<curl_multi> weak = shared_from_this();
    t.slot.assign([weak, easy, strand = strand_](asio::cancellation_type) {
      asio::dispatch(strand, [weak, easy] {
        if (auto self = weak.lock()) {
          self->cancel(easy);
        }
      });
    });
  }
  transfers_.emplace(easy, std::move(t));
  if (closed_) {
    complete(easy, CURLE_ABORTED_BY_CALLBACK);
    return;
  }
  waiting_.push_back(easy);
  add_waiting();
}

void curl_multi::add_waiting() {
  while (!closed_ && running_ < options_.max_concurrent && !waiting_.empty()) {
    CURL* easy = waiting_.front();
    waiting_.pop_front();
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      complete(easy, CURLE_FAILED_INIT);
      continue;
    }
    transfers_.at(easy).added = true;
    ++running_;
  }
}

void curl_multi::cancel(CURL* easy) {
  const auto it = transfers_.find(easy);
  if (it == transfers_.end()) {
    return;  // already completed
  }
  if (it->second.added) {
    curl_multi_remove_handle(multi_, easy);
    --running_;
  } else {
    std::erase(waiting_, easy);
  }
  complete(easy, CURLE_ABORTED_BY_CALLBACK);
  add_waiting();
}

void curl_multi::complete(CURL* easy, CURLcode code) {
  auto node = transfers_.extract(easy);
  if (node.empty()) {
    return;
  }
  transfer& t = node.mapped();
  if (t.slot.is_connected()) {
    t.slot.clear();
  }
  // Posted, never called inline: the handler resumes a coroutine that may start another
  // transfer, and curl must not be re-entered from inside its own callbacks.
  t.handler->post(code);
}

void curl_multi::drain_messages() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) {
      continue;
    }
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    curl_multi_remove_handle(multi_, easy);
    --running_;
    complete(easy, code);
  }
  add_waiting();
}

void curl_multi::socket_action(curl_socket_t fd, int events) {
  int still_running = 0;
  curl_multi_socket_action(multi_, fd, events, &still_running);
  drain_messages();
}

void curl_multi::on_socket(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE || closed_) {
    const auto it = sockets_.find(fd);
    if (it != sockets_.end()) {
      it->second->wanted = 0;
      boost::system::error_code ignored;
      it->second->descriptor.close(ignored);  // pending waits end with operation_aborted
      sockets_.erase(it);
    }
    return;
  }
  auto& socket = sockets_[fd];
  if (!socket) {
    const int own_fd = ::dup(fd);
    if (own_fd < 0) {
      sockets_.erase(fd);
      throw std::system_error(errno, std::generic_category(), "dup of a curl socket");
    }
    socket = std::make_shared<watched_socket>(strand_, fd, own_fd);
  }
  socket->wanted = what;
  watch(socket);
}

void curl_multi::watch(const std::shared_ptr<watched_socket>& socket) {
  std::weak_ptr<curl_multi> weak = shared_from_this();
  if ((socket->wanted & CURL_POLL_IN) != 0 && !socket->reading) {
    socket->reading = true;
    socket->descriptor.async_wait(
        asio::posix::descriptor_base::wait_read,
        asio::bind_executor(strand_, [weak, socket](const boost::system::error_code& ec) {
          if (auto self = weak.lock()) {
            self->on_ready(socket, CURL_POLL_IN, ec);
          }
        }));
  }
  if ((socket->wanted & CURL_POLL_OUT) != 0 && !socket->writing) {
    socket->writing = true;
    socket->descriptor.async_wait(
        asio::posix::descriptor_base::wait_write,
        asio::bind_executor(strand_, [weak, socket](const boost::system::error_code& ec) {
          if (auto self = weak.lock()) {
            self->on_ready(socket, CURL_POLL_OUT, ec);
          }
        }));
  }
}

void curl_multi::on_ready(const std::shared_ptr<watched_socket>& socket, int direction,
                          const boost::system::error_code& ec) {
  (direction == CURL_POLL_IN ? socket->reading : socket->writing) = false;
  if (closed_ || ec == asio::error::operation_aborted || !socket->descriptor.is_open()) {
    return;  // curl stopped watching this socket
  }
  if ((socket->wanted & direction) == 0) {
    return;  // curl changed its mind while we waited
  }
  const int events =
      ec ? CURL_CSELECT_ERR : (direction == CURL_POLL_IN ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
  socket_action(socket->fd, events);
  // The action may have removed the socket or changed what curl waits for.
  const auto it = sockets_.find(socket->fd);
  if (it != sockets_.end() && it->second == socket) {
    watch(socket);
  }
}

void curl_multi::on_timer(long timeout_ms) {
  if (closed_) {
    timer_.cancel();
    timer_due_.reset();
    return;
  }
  if (timeout_ms < 0) {
    return;  // nothing is due; a timer still waiting fires harmlessly, early
  }
  if (timeout_ms == 0) {
    // "Now" comes with every transfer added: posted, as curl must not be re-entered from its
    // callback, and without touching the timer.
    post_timeout_action();
    return;
  }
  arm_timer_by(asio::steady_timer::clock_type::now() + std::chrono::milliseconds(timeout_ms));
}

void curl_multi::arm_timer_by(asio::steady_timer::time_point due) {
  if (timer_due_ && *timer_due_ <= due) {
    return;  // fires early enough; curl is asked for its next deadline then
  }
  timer_due_ = due;
  timer_.expires_at(due);  // a wait already pending ends with operation_aborted
  std::weak_ptr<curl_multi> weak = shared_from_this();
  timer_.async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->closed_) {
      return;
    }
    self->timer_due_.reset();
    self->timeout_action();
  });
}

void curl_multi::post_timeout_action() {
  if (timeout_action_posted_) {
    return;  // one action serves every "now" asked for before it runs
  }
  timeout_action_posted_ = true;
  std::weak_ptr<curl_multi> weak = shared_from_this();
  asio::post(strand_, [weak] {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    self->timeout_action_posted_ = false;
    if (!self->closed_) {
      self->timeout_action();
    }
  });
}

void curl_multi::timeout_action() {
  socket_action(CURL_SOCKET_TIMEOUT, 0);
  // The timer may have fired before curl's deadline (it is never moved later), and curl
  // reports a deadline only when it changes: ask it what is due now.
  long next_ms = -1;
  if (closed_ || curl_multi_timeout(multi_, &next_ms) != CURLM_OK || next_ms < 0) {
    return;
  }
  on_timer(next_ms);
}

int curl_multi::socket_trampoline(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept {
  auto* self = static_cast<curl_multi*>(userp);
  try {
    self->on_socket(fd, what);
    return 0;
  } catch (const std::exception& e) {
    if (self->options_.logger) {
      self->options_.logger->error("curl socket callback failed: {}", e.what());
    }
  } catch (...) {
    if (self->options_.logger) {
      self->options_.logger->error("curl socket callback failed");
    }
  }
  return -1;  // curl then fails the transfers on this multi handle rather than hang
}

int curl_multi::timer_trampoline(CURLM*, long timeout_ms, void* userp) noexcept {
  auto* self = static_cast<curl_multi*>(userp);
  try {
    self->on_timer(timeout_ms);
    return 0;
  } catch (const std::exception& e) {
    if (self->options_.logger) {
      self->options_.logger->error("curl timer callback failed: {}", e.what());
    }
  } catch (...) {
    if (self->options_.logger) {
      self->options_.logger->error("curl timer callback failed");
    }
  }
  return -1;
}

}  // namespace liaison::channels::detail
