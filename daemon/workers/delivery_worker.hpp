// A delivery worker: takes jobs from the channel streams (as one consumer of the shared group),
// hands each to the channel's provider and records the outcome: sent, failed for good, retried
// later (through the delayed set, by the retry policy) or buried in the dead letters. It also
// takes over jobs other consumers left unfinished for longer than the visibility timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/workers/provider_sender.hpp"
#include "queue/delivery_queue.hpp"
#include "queue/retry_policy.hpp"
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

namespace liaison::services {
class directory_store;
class announcement_service;
}  // namespace liaison::services

namespace liaison::workers {

class delivery_worker {
 public:
  // `random` draws the retry jitter (injected so tests get exact schedules).
  delivery_worker(boost::asio::any_io_executor executor, const config::liaison_config& cfg,
                  queue::delivery_queue& queue, provider_sender& providers,
                  prometheus::Registry& metrics, std::shared_ptr<spdlog::logger> logger,
                  const clock& clock, queue::random_source random = queue::default_random_source());
  ~delivery_worker();

  // Runs until stop(); the jobs being sent when stop() is called are finished first. Up to
  // [workers] max_in_flight jobs are sent at once.
  boost::asio::awaitable<void> run();
  void stop();
  bool running() const noexcept { return running_; }
  const std::string& consumer_name() const noexcept { return consumer_; }

  // Where opt-outs are kept: checked before every send (a retry queued before the STOP must
  // not go out) and written when a provider reports the recipient opted out. Optional so the
  // queue's own tests can run a worker without a directory.
  void set_opt_out_store(services::directory_store& directory) { directory_ = &directory; }

  // Renders announcement deliveries (and says when they are cancelled or must wait for the end
  // of quiet hours). Without it, announcement deliveries are left for a worker that has one.
  void set_announcements(services::announcement_service& announcements) {
    announcements_ = &announcements;
  }

 private:
  // Where a job came from decides how much its record can be trusted to be idle.
  enum class origin { fresh, own_pending, claimed };

  // Waits for a free slot (max_in_flight), then processes the job on its own coroutine.
  boost::asio::awaitable<void> dispatch(queue::queued_job job, origin from);
  boost::asio::awaitable<void> process_and_free_slot(queue::queued_job job, origin from);
  boost::asio::awaitable<void> wait_for_slots(std::size_t wanted);
  boost::asio::awaitable<void> recover_pending();
  boost::asio::awaitable<void> claim_idle();
  boost::asio::awaitable<void> process(queue::queued_job& job, origin from);
  boost::asio::awaitable<void> bury(const queue::queued_job& job,
                                    const queue::record_fields& record, std::string_view channel,
                                    std::string_view priority, std::string_view attempts,
                                    const std::string& reason);
  // The rendered delivery of an announcement's job, or nullopt when the job was finished here
  // (cancelled, deferred to the end of quiet hours, failed) or must stay pending.
  boost::asio::awaitable<std::optional<channels::rendered_delivery>> prepare_announcement(
      const queue::queued_job& job, const queue::record_fields& record, const std::string& now);
  // Retries a write that must not be lost (an outcome after the provider accepted) while
  // Redis comes back; false if it still failed after a bounded time.
  boost::asio::awaitable<bool> persist(
      const std::function<boost::asio::awaitable<boost::system::result<void>>()>& write,
      std::string_view what, std::string_view delivery_id);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds how_long);

  boost::asio::any_io_executor executor_;
  config::workers_config cfg_;
  std::string consumer_;
  std::vector<std::string> channels_;
  queue::delivery_queue& queue_;
  provider_sender& providers_;
  std::shared_ptr<spdlog::logger> logger_;
  const clock& clock_;
  services::directory_store* directory_ = nullptr;
  services::announcement_service* announcements_ = nullptr;
  queue::retry_policy retry_policy_;
  queue::random_source random_;
  std::unique_ptr<queue::redis_connection> reader_;  // XREADGROUP BLOCK holds a connection
  prometheus::Family<prometheus::Counter>& outcomes_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Family<prometheus::Counter>& claims_;
  boost::asio::steady_timer pause_timer_;  // run()'s pauses, cut short by stop()
  // Cancelled each time a job finishes, waking run() when it waits for a free slot.
  boost::asio::steady_timer slot_freed_;
  std::size_t in_flight_ = 0;
  std::chrono::steady_clock::time_point next_claim_;
  bool stopping_ = false;
  bool running_ = false;
};

// The consumer name used when config leaves it empty: stable across restarts of this host, so
// a restarted instance takes back its own unacknowledged jobs.
std::string default_consumer_name();

}  // namespace liaison::workers
