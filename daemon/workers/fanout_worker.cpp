#include "daemon/workers/fanout_worker.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/services/announcement_service.hpp"

namespace liaison::workers {

namespace asio = boost::asio;

fanout_worker::fanout_worker(asio::any_io_executor executor,
                             services::announcement_service& announcements,
                             std::chrono::milliseconds interval,
                             std::shared_ptr<spdlog::logger> logger)
    : announcements_(announcements),
      interval_(interval),
      logger_(std::move(logger)),
      timer_(executor) {}

void fanout_worker::stop() {
  stopping_ = true;
  timer_.cancel();
}

void fanout_worker::wake() {
  timer_.cancel();
}

asio::awaitable<void> fanout_worker::run() {
  bool failing = false;
  while (!stopping_) {
    auto worked = co_await announcements_.fan_out_next();
    if (!worked) {
      // Redis is away (or a page failed): the lease runs out and this or another instance
      // resumes at the cursor. Say so once, not every tick.
      if (!failing) {
        logger_->warn("announcement fan-out cannot proceed: {}", worked.error().message());
      }
      failing = true;
    } else {
      failing = false;
      if (*worked) {
        continue;  // there may be more due
      }
    }
    timer_.expires_after(interval_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace liaison::workers
