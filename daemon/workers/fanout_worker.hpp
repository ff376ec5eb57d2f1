// Fans out announcements, in every liaisond instance at once: claims the next due announcement
// (a lease in Redis, so each page of families is written by one instance) and turns it into
// deliveries, page by page. A new announcement is picked up at once on the instance that took
// it (wake) and within one interval on the others.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace spdlog {
class logger;
}

namespace liaison::services {
class announcement_service;
}

namespace liaison::workers {

class fanout_worker {
 public:
  fanout_worker(boost::asio::any_io_executor executor,
                services::announcement_service& announcements, std::chrono::milliseconds interval,
                std::shared_ptr<spdlog::logger> logger);

  // Until stop(); the page being written when stop() is called is finished first.
  boost::asio::awaitable<void> run();
  void stop();
  // Look for due announcements now rather than at the next interval.
  void wake();

 private:
  services::announcement_service& announcements_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> logger_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
};

}  // namespace liaison::workers
