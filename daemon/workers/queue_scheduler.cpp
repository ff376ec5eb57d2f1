#include "daemon/workers/queue_scheduler.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "queue/packed_record.hpp"

namespace liaison::workers {
namespace {

namespace asio = boost::asio;

// Promotion runs in batches so one script never holds Redis for long; a full batch means
// there may be more due right now.
constexpr std::size_t promote_batch = 500;

// "liaison:{q}:stream:sms:urgent" -> "sms:urgent": the label a person reads.
std::string stream_label(const std::string& key) {
  const auto at = key.find(":stream:");
  return at == std::string::npos ? key : key.substr(at + 8);
}

}  // namespace

queue_scheduler::queue_scheduler(asio::any_io_executor executor, const config::workers_config& cfg,
                                 queue::delivery_queue& queue, std::vector<std::string> channels,
                                 prometheus::Registry& metrics,
                                 std::shared_ptr<spdlog::logger> logger, const clock& clock)
    : executor_(executor),
      cfg_(cfg),
      queue_(queue),
      channels_(std::move(channels)),
      logger_(std::move(logger)),
      clock_(clock),
      depth_(prometheus::BuildGauge()
                 .Name("liaison_queue_depth")
                 .Help("Stream entries not yet completed (waiting or being worked on); a fan-out "
                       "entry carries up to " +
                       std::to_string(queue::deliveries_per_stream_entry) + " deliveries")
                 .Register(metrics)),
      pending_(prometheus::BuildGauge()
                   .Name("liaison_queue_pending")
                   .Help("Jobs of a stream taken by a consumer and not yet acknowledged")
                   .Register(metrics)),
      delayed_(prometheus::BuildGauge()
                   .Name("liaison_queue_delayed")
                   .Help("Jobs waiting in the delayed set (retries) for their due time")
                   .Register(metrics)
                   .Add({})),
      dead_(prometheus::BuildGauge()
                .Name("liaison_queue_dead_letters")
                .Help("Entries in the dead-letter stream")
                .Register(metrics)
                .Add({})),
      promoted_(prometheus::BuildCounter()
                    .Name("liaison_queue_promoted_total")
                    .Help("Delayed jobs moved back to their stream when due")
                    .Register(metrics)),
      timer_(executor) {}

void queue_scheduler::stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<boost::system::result<std::size_t>> queue_scheduler::promote_due() {
  std::size_t total = 0;
  for (;;) {
    auto moved = co_await queue_.promote_due(clock_.now_system(), promote_batch);
    if (!moved) {
      co_return moved.error();
    }
    total += *moved;
    if (*moved < promote_batch) {
      break;
    }
  }
  if (total > 0) {
    promoted_.Add({}).Increment(static_cast<double>(total));
  }
  co_return total;
}

asio::awaitable<boost::system::result<void>> queue_scheduler::sample() {
  auto stats = co_await queue_.stats(channels_);
  if (!stats) {
    co_return stats.error();
  }
  for (const auto& [key, depth] : stats->depth) {
    depth_.Add({{"stream", stream_label(key)}}).Set(static_cast<double>(depth));
  }
  for (const auto& [key, pending] : stats->pending) {
    pending_.Add({{"stream", stream_label(key)}}).Set(static_cast<double>(pending));
  }
  delayed_.Set(static_cast<double>(stats->delayed));
  dead_.Set(static_cast<double>(stats->dead));
  co_return boost::system::result<void>{};
}

void queue_scheduler::add_task(std::string name, periodic_task task) {
  tasks_.push_back({std::move(name), std::move(task), false});
}

asio::awaitable<void> queue_scheduler::run() {
  bool failing = false;
  while (!stopping_) {
    auto promoted = co_await promote_due();
    auto sampled = co_await sample();
    if (!promoted || !sampled) {
      // Redis is away: the connection reconnects by itself; say so once, not every tick.
      if (!failing) {
        logger_->warn("queue scheduler cannot reach Redis: {}",
                      (!promoted ? promoted.error() : sampled.error()).message());
      }
      failing = true;
    } else {
      failing = false;
    }
    for (auto& t : tasks_) {
      auto done = co_await t.run();
      if (!done && !t.failing) {
        logger_->warn("{} failed: {}", t.name, done.error().message());
      }
      t.failing = !done;
    }
    timer_.expires_after(cfg_.scheduler_interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace liaison::workers
