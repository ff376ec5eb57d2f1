#include "daemon/workers/delivery_worker.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/time_format.hpp"

namespace liaison::workers {
namespace {

namespace asio = boost::asio;

std::optional<config::channel> channel_from(std::string_view name) {
  for (auto c : {config::channel::sms, config::channel::email, config::channel::voice}) {
    if (config::to_string(c) == name) {
      return c;
    }
  }
  return std::nullopt;
}

std::string field(const queue::record_fields& record, const char* key) {
  auto it = record.find(key);
  return it == record.end() ? std::string() : it->second;
}

bool is_final_state(std::string_view state) {
  return state == "sent" || state == "failed";
}

}  // namespace

std::string default_consumer_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    return "liaisond";
  }
  return host;
}

delivery_worker::delivery_worker(asio::any_io_executor executor, const config::liaison_config& cfg,
                                 queue::delivery_queue& queue,
                                 const channels::provider_registry& providers,
                                 prometheus::Registry& metrics,
                                 std::shared_ptr<spdlog::logger> logger, const clock& clock)
    : executor_(executor),
      cfg_(cfg.workers),
      consumer_(cfg.workers.consumer_name.empty() ? default_consumer_name()
                                                  : cfg.workers.consumer_name),
      queue_(queue),
      providers_(providers),
      logger_(std::move(logger)),
      clock_(clock),
      reader_(std::make_unique<queue::redis_connection>(executor, cfg.redis, logger_)),
      outcomes_(prometheus::BuildCounter()
                    .Name("liaison_deliveries_total")
                    .Help("Deliveries handed to providers, by channel, provider and outcome")
                    .Register(metrics)),
      pause_timer_(executor) {
  for (auto c : providers_.channels()) {
    channels_.emplace_back(config::to_string(c));
  }
}

delivery_worker::~delivery_worker() = default;

void delivery_worker::stop() {
  stopping_ = true;
  pause_timer_.cancel();
}

asio::awaitable<void> delivery_worker::pause(std::chrono::milliseconds how_long) {
  pause_timer_.expires_after(how_long);
  co_await pause_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> delivery_worker::run() {
  if (channels_.empty()) {
    logger_->warn("no provider is configured for any channel; the worker has nothing to do");
    co_return;
  }
  asio::co_spawn(executor_, reader_->run(), asio::detached);
  running_ = true;
  bool recovered = false;
  while (!stopping_) {
    if (!reader_->connected()) {
      co_await reader_->wait_connected(std::chrono::seconds(1));
      continue;
    }
    if (!recovered) {
      // Groups vanish when Redis restarts without persistence; creating them is idempotent.
      if (auto groups = co_await queue_.ensure_groups(*reader_, channels_); !groups) {
        logger_->warn("cannot create consumer groups: {}", groups.error().message());
        co_await pause(std::chrono::milliseconds(500));
        continue;
      }
      co_await recover_pending();
      recovered = true;
      continue;
    }
    auto jobs = co_await queue_.read_new(*reader_, consumer_, channels_, cfg_.batch_size,
                                         cfg_.block_timeout);
    if (!jobs) {
      logger_->warn("reading deliveries failed: {}", jobs.error().message());
      recovered = false;  // re-create groups and re-take pending jobs after a Redis restart
      co_await pause(std::chrono::milliseconds(200));
      continue;
    }
    for (const auto& job : *jobs) {
      co_await process(job);
    }
  }
  reader_->cancel();
  running_ = false;
}

asio::awaitable<void> delivery_worker::recover_pending() {
  std::map<std::string, std::string> after;
  for (const auto& c : channels_) {
    after[queue_.stream_key(c)] = "0";
  }
  while (!stopping_ && !after.empty()) {
    auto jobs = co_await queue_.read_pending(*reader_, consumer_, after, cfg_.batch_size);
    if (!jobs) {
      logger_->warn("reading pending deliveries failed: {}", jobs.error().message());
      co_return;
    }
    std::map<std::string, std::string> next;
    for (const auto& job : *jobs) {
      next[job.stream_key] = job.entry_id;
    }
    if (!jobs->empty()) {
      logger_->info("taking back {} unacknowledged deliveries", jobs->size());
    }
    for (const auto& job : *jobs) {
      co_await process(job);
    }
    after = std::move(next);  // streams that returned nothing are done
  }
}

asio::awaitable<void> delivery_worker::process(const queue::queued_job& job) {
  auto loaded = co_await queue_.load(job.delivery_id);
  if (!loaded) {
    logger_->warn("cannot load delivery {}: {}", job.delivery_id, loaded.error().message());
    co_return;  // stays pending; taken again after a restart
  }
  if (!*loaded || is_final_state(field(**loaded, "state"))) {
    // Already done (a duplicate entry) or the record is gone: just acknowledge.
    co_await queue_.complete(job, queue::record_fields{});
    co_return;
  }
  const auto& record = **loaded;
  const auto channel = channel_from(field(record, "channel"));
  const auto providers =
      channel ? providers_.for_channel(*channel) : std::vector<channels::provider*>{};
  const auto now = format_rfc3339_utc(clock_.now_system());
  const auto attempts = std::to_string(
      std::stoll(field(record, "attempts").empty() ? "0" : field(record, "attempts")) + 1);
  // Outcome records are built before co_await: GCC 12 miscompiles braced initializer lists
  // inside a co_await expression.
  if (providers.empty()) {
    const queue::record_fields failed = {{"state", "failed"},
                                         {"last_error", "no provider serves this channel"},
                                         {"updated_at", now}};
    co_await queue_.complete(job, failed);
    co_return;
  }
  channels::provider& provider = *providers.front();
  const channels::rendered_delivery delivery{
      field(record, "id"),      field(record, "id"),       *channel,
      field(record, "address"), field(record, "language"), field(record, "subject"),
      field(record, "body")};
  const auto outcome = co_await provider.send(delivery);
  const std::string outcome_label = outcome.kind == channels::outcome_kind::sent ? "sent"
                                    : outcome.kind == channels::outcome_kind::retry_later
                                        ? "retry"
                                        : "failed";
  outcomes_
      .Add({{"channel", std::string(config::to_string(*channel))},
            {"provider", provider.name()},
            {"outcome", outcome_label}})
      .Increment();

  switch (outcome.kind) {
    case channels::outcome_kind::sent: {
      const queue::record_fields sent = {{"state", "sent"},
                                         {"provider", provider.name()},
                                         {"provider_message_id", outcome.provider_message_id},
                                         {"attempts", attempts},
                                         {"sent_at", now},
                                         {"updated_at", now}};
      auto done = co_await queue_.complete(job, sent);
      if (!done) {
        logger_->error("delivery {} was sent but its outcome could not be recorded: {}",
                       job.delivery_id, done.error().message());
      }
      break;
    }
    case channels::outcome_kind::permanent_failure: {
      const queue::record_fields failed = {{"state", "failed"},
                                           {"provider", provider.name()},
                                           {"last_error", outcome.reason},
                                           {"attempts", attempts},
                                           {"updated_at", now}};
      co_await queue_.complete(job, failed);
      break;
    }
    case channels::outcome_kind::retry_later:
      // Left unacknowledged: taken again when this consumer restarts. The delayed-retry
      // schedule (docs/queue.md) replaces this.
      logger_->warn("delivery {} will be retried: {}", job.delivery_id, outcome.reason);
      break;
  }
}

}  // namespace liaison::workers
