#include "queue/detail/hiredis_asio_adapter.hpp"

#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <exception>
#include <utility>

#if HIREDIS_MAJOR >= 1
#include <sys/time.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#endif

namespace liaison::queue::detail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

enum class direction { read, write };

class asio_adapter final : public std::enable_shared_from_this<asio_adapter> {
 public:
  asio_adapter(redisAsyncContext& context, asio::posix::stream_descriptor descriptor,
               std::shared_ptr<spdlog::logger> logger)
      : context_(&context),
        descriptor_(std::move(descriptor)),
#if HIREDIS_MAJOR >= 1
        timer_(descriptor_.get_executor()),
#endif
        logger_(std::move(logger)) {
  }

  // Hands hiredis its reference: from here the adapter lives until cleanup.
  void install() {
    self_ = shared_from_this();
    auto& ev = context_->ev;
    ev.data = this;  // ev.data, not context.data: that slot belongs to the adapter's user
    ev.addRead = &on_add_read;
    ev.delRead = &on_del_read;
    ev.addWrite = &on_add_write;
    ev.delWrite = &on_del_write;
    ev.cleanup = &on_cleanup;
#if HIREDIS_MAJOR >= 1
    ev.scheduleTimer = &on_schedule_timer;
#endif
  }

 private:
  struct interest {
    bool wanted = false;   // hiredis asked for this direction and has not withdrawn it
    bool waiting = false;  // an async_wait for it is outstanding
  };

  // Every hook is a noexcept trampoline: an exception must never unwind through hiredis's C.
  template <typename Action>
  static void guarded(void* privdata, const char* hook, Action action) noexcept {
    auto* adapter = static_cast<asio_adapter*>(privdata);
    if (adapter == nullptr) {
      return;
    }
    // Keeps the adapter alive through cleanup, which drops hiredis's reference, and through
    // the catch clauses below.
    const std::shared_ptr<asio_adapter> keep = adapter->weak_from_this().lock();
    if (keep == nullptr) {
      return;
    }
    try {
      action(*adapter);
    } catch (const std::exception& e) {
      adapter->log_failure(hook, e.what());
    } catch (...) {
      adapter->log_failure(hook, "unknown exception");
    }
  }

  static void on_add_read(void* privdata) noexcept {
    guarded(privdata, "addRead", [](asio_adapter& a) { a.want(direction::read, true); });
  }
  static void on_del_read(void* privdata) noexcept {
    guarded(privdata, "delRead", [](asio_adapter& a) { a.want(direction::read, false); });
  }
  static void on_add_write(void* privdata) noexcept {
    guarded(privdata, "addWrite", [](asio_adapter& a) { a.want(direction::write, true); });
  }
  static void on_del_write(void* privdata) noexcept {
    guarded(privdata, "delWrite", [](asio_adapter& a) { a.want(direction::write, false); });
  }
  static void on_cleanup(void* privdata) noexcept {
    guarded(privdata, "cleanup", [](asio_adapter& a) { a.cleanup(); });
  }
#if HIREDIS_MAJOR >= 1
  static void on_schedule_timer(void* privdata, struct timeval tv) noexcept {
    guarded(privdata, "scheduleTimer", [tv](asio_adapter& a) { a.schedule_timer(tv); });
  }
#endif

  interest& interest_in(direction d) noexcept {
    return d == direction::read ? read_ : write_;
  }

  void want(direction d, bool wanted) {
    auto& state = interest_in(d);
    state.wanted = wanted;
    // A withdrawn wait is left outstanding and ignored when it completes: cancelling it would
    // cancel the other direction's wait too (cancel() is per descriptor).
    if (wanted && !state.waiting && context_ != nullptr) {
      arm(d);
    }
  }

  void arm(direction d) {
    interest_in(d).waiting = true;
    const auto what = d == direction::read ? asio::posix::stream_descriptor::wait_read
                                           : asio::posix::stream_descriptor::wait_write;
    descriptor_.async_wait(
        what, [self = shared_from_this(), d](const error_code& ec) { self->on_ready(d, ec); });
  }

  void on_ready(direction d, const error_code& ec) noexcept {
    try {
      auto& state = interest_in(d);
      state.waiting = false;
      if (context_ == nullptr || ec == asio::error::operation_aborted || !state.wanted) {
        return;
      }
      if (ec) {
        // Not a socket error (those arrive as readiness and hiredis reads them itself): the
        // descriptor is unusable. Stop here; the health check drops the link.
        logger_->error("redis: waiting on the socket failed: {}", ec.message());
        return;
      }
      if (d == direction::read) {
        redisAsyncHandleRead(context_);
      } else {
        redisAsyncHandleWrite(context_);
      }
      // hiredis may have freed the context (cleanup ran) or withdrawn its interest.
      if (context_ != nullptr && state.wanted && !state.waiting) {
        arm(d);
      }
    } catch (const std::exception& e) {
      log_failure(d == direction::read ? "read" : "write", e.what());
    } catch (...) {
      log_failure(d == direction::read ? "read" : "write", "unknown exception");
    }
  }

#if HIREDIS_MAJOR >= 1
  void schedule_timer(struct timeval tv) {
    if (context_ == nullptr) {
      return;
    }
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer_.async_wait([self = shared_from_this()](const error_code& ec) noexcept {
      if (ec || self->context_ == nullptr) {
        return;
      }
      try {
        redisAsyncHandleTimeout(self->context_);
      } catch (...) {
        self->log_failure("timeout", "unknown exception");
      }
    });
  }
#endif

  // hiredis is freeing the context: never touch it again, and let go of our descriptor.
  void cleanup() {
    if (context_ == nullptr) {
      return;
    }
    auto& ev = context_->ev;
    ev.data = nullptr;
    ev.addRead = nullptr;
    ev.delRead = nullptr;
    ev.addWrite = nullptr;
    ev.delWrite = nullptr;
    ev.cleanup = nullptr;
#if HIREDIS_MAJOR >= 1
    ev.scheduleTimer = nullptr;
    timer_.cancel();
#endif
    context_ = nullptr;
    read_.wanted = false;
    write_.wanted = false;
    error_code ignored;
    descriptor_.close(ignored);  // our dup() only: hiredis closes its own descriptor
    self_.reset();               // outstanding waits still hold the adapter until they finish
  }

  void log_failure(const char* where, const char* what) noexcept {
    try {
      logger_->error("redis: hiredis adapter {} failed: {}", where, what);
    } catch (...) {  // logging must not throw into hiredis either
    }
  }

  redisAsyncContext* context_;
  asio::posix::stream_descriptor descriptor_;
#if HIREDIS_MAJOR >= 1
  asio::steady_timer timer_;
#endif
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<asio_adapter> self_;  // hiredis's reference, dropped in cleanup
  interest read_;
  interest write_;
};

}  // namespace

error_code attach_asio_adapter(redisAsyncContext& context, const asio::any_io_executor& executor,
                               std::shared_ptr<spdlog::logger> logger) {
  if (context.ev.data != nullptr || context.ev.addRead != nullptr) {
    return asio::error::already_open;
  }
  if (context.c.fd < 0) {
    return asio::error::bad_descriptor;
  }
  // hiredis does not ask for close-on-exec; neither of our descriptors should leak into a child.
  ::fcntl(context.c.fd, F_SETFD, ::fcntl(context.c.fd, F_GETFD) | FD_CLOEXEC);
  const int duplicate = ::fcntl(context.c.fd, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) {
    return {errno, boost::system::system_category()};
  }
  asio::posix::stream_descriptor descriptor(executor);
  error_code ec;
  descriptor.assign(duplicate, ec);
  if (ec) {
    ::close(duplicate);
    return ec;
  }
  auto adapter = std::make_shared<asio_adapter>(context, std::move(descriptor), std::move(logger));
  adapter->install();
  return {};
}

}  // namespace liaison::queue::detail
