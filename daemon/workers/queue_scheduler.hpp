// The queue's housekeeping, run in every liaisond instance at once: moves due delayed jobs
// (retries) to their streams, and samples the queue's sizes into gauges for /metrics.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace spdlog {
class logger;
}
namespace prometheus {
class Registry;
template <typename T>
class Family;
class Gauge;
class Counter;
}  // namespace prometheus

namespace liaison::workers {

class queue_scheduler {
 public:
  // `channels`: the channels whose streams are measured.
  queue_scheduler(boost::asio::any_io_executor executor, const config::workers_config& cfg,
                  queue::delivery_queue& queue, std::vector<std::string> channels,
                  prometheus::Registry& metrics, std::shared_ptr<spdlog::logger> logger,
                  const clock& clock);

  // Every scheduler_interval: promote what is due by the injected clock, refresh the gauges.
  // Runs until stop().
  boost::asio::awaitable<void> run();
  void stop();

  // One round of promotion: every delayed job due by clock.now_system() is moved (in batches).
  boost::asio::awaitable<boost::system::result<std::size_t>> promote_due();
  // Reads the queue's sizes into the gauges.
  boost::asio::awaitable<boost::system::result<void>> sample();

  // Other housekeeping run on the same tick, in every instance (each must be safe to run in
  // several at once): e.g. interpreter requests whose deadline passed.
  using periodic_task = std::function<boost::asio::awaitable<boost::system::result<void>>()>;
  void add_task(std::string name, periodic_task task);

 private:
  boost::asio::any_io_executor executor_;
  config::workers_config cfg_;
  queue::delivery_queue& queue_;
  std::vector<std::string> channels_;
  std::shared_ptr<spdlog::logger> logger_;
  const clock& clock_;
  prometheus::Family<prometheus::Gauge>& depth_;
  prometheus::Family<prometheus::Gauge>& pending_;
  prometheus::Gauge& delayed_;
  prometheus::Gauge& dead_;
  prometheus::Family<prometheus::Counter>& promoted_;
  boost::asio::steady_timer timer_;
  struct scheduled_task {
    std::string name;
    periodic_task run;
    bool failing = false;
  };
  std::vector<scheduled_task> tasks_;
  bool stopping_ = false;
};

}  // namespace liaison::workers
