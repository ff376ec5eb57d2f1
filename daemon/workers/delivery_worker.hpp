// A delivery worker: takes jobs from the channel streams (as one consumer of the shared group),
// hands each to the channel's provider and records the outcome. Jobs left unacknowledged by a
// crash are taken again first when the worker starts under the same consumer name.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "channels/provider_registry.hpp"
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
class Counter;
}  // namespace prometheus

namespace liaison::workers {

class delivery_worker {
 public:
  delivery_worker(boost::asio::any_io_executor executor, const config::liaison_config& cfg,
                  queue::delivery_queue& queue, const channels::provider_registry& providers,
                  prometheus::Registry& metrics, std::shared_ptr<spdlog::logger> logger,
                  const clock& clock);
  ~delivery_worker();

  // Runs until stop(); the job being sent when stop() is called is finished first.
  boost::asio::awaitable<void> run();
  void stop();
  bool running() const noexcept { return running_; }

 private:
  boost::asio::awaitable<void> recover_pending();
  boost::asio::awaitable<void> process(const queue::queued_job& job);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds how_long);

  boost::asio::any_io_executor executor_;
  config::workers_config cfg_;
  std::string consumer_;
  std::vector<std::string> channels_;
  queue::delivery_queue& queue_;
  const channels::provider_registry& providers_;
  std::shared_ptr<spdlog::logger> logger_;
  const clock& clock_;
  std::unique_ptr<queue::redis_connection> reader_;  // XREADGROUP BLOCK holds a connection
  prometheus::Family<prometheus::Counter>& outcomes_;
  boost::asio::steady_timer pause_timer_;
  bool stopping_ = false;
  bool running_ = false;
};

// The consumer name used when config leaves it empty: stable across restarts of this host, so
// a restarted instance takes back its own unacknowledged jobs.
std::string default_consumer_name();

}  // namespace liaison::workers
