#include "daemon/workers/delivery_worker.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "daemon/services/announcement_service.hpp"
#include "daemon/services/directory_store.hpp"
#include "support/time_format.hpp"

namespace liaison::workers {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

std::optional<config::channel> channel_from(std::string_view name) {
  for (auto c : {config::channel::sms, config::channel::email, config::channel::voice,
                 config::channel::notice}) {
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

std::size_t count_field(const queue::record_fields& record, const char* key) {
  const auto text = field(record, key);
  std::size_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // malformed counts as 0
  return value;
}

bool is_final_state(std::string_view state) {
  return state == "sent" || state == "delivered" || state == "undelivered" || state == "failed" ||
         state == "dead" || state == "opted_out" || state == "cancelled";
}

// How often a worker looks for jobs abandoned by other consumers: often enough that a job
// waits little longer than the visibility timeout, rarely enough to cost nothing.
milliseconds claim_interval(const config::workers_config& cfg) {
  return std::max(cfg.visibility_timeout / 4, milliseconds(50));
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
                                 queue::delivery_queue& queue, provider_sender& providers,
                                 prometheus::Registry& metrics,
                                 std::shared_ptr<spdlog::logger> logger, const clock& clock,
                                 queue::random_source random)
    : executor_(executor),
      cfg_(cfg.workers),
      consumer_(cfg.workers.consumer_name.empty() ? default_consumer_name()
                                                  : cfg.workers.consumer_name),
      queue_(queue),
      providers_(providers),
      logger_(std::move(logger)),
      clock_(clock),
      retry_policy_(cfg.retry),
      random_(std::move(random)),
      reader_(std::make_unique<queue::redis_connection>(executor, cfg.redis, logger_)),
      outcomes_(prometheus::BuildCounter()
                    .Name("liaison_deliveries_total")
                    .Help("Deliveries handed to providers, by channel, provider and outcome")
                    .Register(metrics)),
      retries_(prometheus::BuildCounter()
                   .Name("liaison_queue_retries_total")
                   .Help("Deliveries put in the delayed set to be retried, by channel")
                   .Register(metrics)),
      dead_letters_(prometheus::BuildCounter()
                        .Name("liaison_queue_dead_letters_total")
                        .Help("Deliveries moved to the dead letters, by channel and reason "
                              "(exhausted: retries used up; poison: taken too often)")
                        .Register(metrics)),
      claims_(prometheus::BuildCounter()
                  .Name("liaison_queue_claims_total")
                  .Help("Jobs taken over from consumers that left them unfinished")
                  .Register(metrics)),
      pause_timer_(executor),
      slot_freed_(executor) {
  for (auto c : providers_.channels()) {
    channels_.emplace_back(config::to_string(c));
  }
}

delivery_worker::~delivery_worker() = default;

void delivery_worker::stop() {
  stopping_ = true;
  pause_timer_.cancel();
}

asio::awaitable<void> delivery_worker::pause(milliseconds how_long) {
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
      // What this consumer has pending includes the jobs it is sending now; let them finish
      // rather than take them a second time.
      co_await wait_for_slots(cfg_.max_in_flight);
      // Groups vanish when Redis restarts without persistence; creating them is idempotent.
      if (auto groups = co_await queue_.ensure_groups(*reader_, channels_); !groups) {
        logger_->warn("cannot create consumer groups: {}", groups.error().message());
        co_await pause(milliseconds(500));
        continue;
      }
      co_await recover_pending();
      recovered = true;
      continue;
    }
    if (clock_.now_steady() >= next_claim_) {
      co_await claim_idle();
      next_claim_ = clock_.now_steady() + claim_interval(cfg_);
    }
    // Never block past the next claim sweep by much.
    const auto block = std::min(cfg_.block_timeout, claim_interval(cfg_));
    // Take only as many jobs as can be sent now: the others stay in the stream for another
    // consumer instead of waiting here. But not one at a time: when sends finish one by one
    // (a provider answering in 100 ms), a read per freed slot would cap the worker at one
    // Redis round trip per delivery. A quarter of the slots (at most a batch) is the refill.
    co_await wait_for_slots(
        std::min(cfg_.batch_size, std::max<std::size_t>(1, cfg_.max_in_flight / 4)));
    const auto free_slots = cfg_.max_in_flight - in_flight_;
    auto jobs = co_await queue_.read_new(*reader_, consumer_, channels_,
                                         std::min(cfg_.batch_size, free_slots), block);
    if (!jobs) {
      logger_->warn("reading deliveries failed: {}", jobs.error().message());
      recovered = false;  // re-create groups and re-take pending jobs after a Redis restart
      co_await pause(milliseconds(200));
      continue;
    }
    for (auto& job : *jobs) {
      co_await dispatch(std::move(job), origin::fresh);
    }
  }
  co_await wait_for_slots(cfg_.max_in_flight);  // every job sent is finished
  reader_->cancel();
  running_ = false;
}

asio::awaitable<void> delivery_worker::wait_for_slots(std::size_t wanted) {
  while (cfg_.max_in_flight - in_flight_ < wanted) {
    slot_freed_.expires_at(asio::steady_timer::time_point::max());
    co_await slot_freed_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> delivery_worker::dispatch(queue::queued_job job, origin from) {
  co_await wait_for_slots(1);
  ++in_flight_;
  asio::co_spawn(executor_, process_and_free_slot(std::move(job), from), asio::detached);
}

asio::awaitable<void> delivery_worker::process_and_free_slot(queue::queued_job job, origin from) {
  try {
    co_await process(job, from);
  } catch (const std::exception& e) {
    // A bug, not an outcome: the job stays pending and is taken again after the visibility
    // timeout (and becomes poison if it keeps failing).
    logger_->error("delivery {} failed unexpectedly: {}", job.delivery_id, e.what());
  }
  --in_flight_;
  slot_freed_.cancel();
}

asio::awaitable<void> delivery_worker::recover_pending() {
  std::map<std::string, std::string> after;
  for (const auto& key : queue_.stream_keys(channels_)) {
    after[key] = "0";
  }
  while (!stopping_ && !after.empty()) {
    auto jobs = co_await queue_.read_pending(*reader_, consumer_, after, cfg_.batch_size);
    if (!jobs) {
      logger_->warn("reading pending deliveries failed: {}", jobs.error().message());
      co_return;
    }
    // A job that crashes the daemon every time would otherwise be taken back at every start.
    if (auto counted = co_await queue_.fill_delivery_counts(*reader_, *jobs); !counted) {
      logger_->warn("reading delivery counts failed: {}", counted.error().message());
      co_return;
    }
    std::map<std::string, std::string> next;
    for (const auto& job : *jobs) {
      next[job.stream_key] = job.entry_id;
    }
    if (!jobs->empty()) {
      logger_->info("taking back {} unacknowledged deliveries", jobs->size());
    }
    for (auto& job : *jobs) {
      co_await dispatch(std::move(job), origin::own_pending);
    }
    after = std::move(next);  // streams that returned nothing are done
  }
}

asio::awaitable<void> delivery_worker::claim_idle() {
  auto jobs = co_await queue_.claim_idle(*reader_, consumer_, channels_, cfg_.visibility_timeout,
                                         cfg_.batch_size);
  if (!jobs) {
    logger_->warn("claiming abandoned deliveries failed: {}", jobs.error().message());
    co_return;
  }
  if (jobs->empty()) {
    co_return;
  }
  logger_->info("taking over {} deliveries left unfinished for over {} ms", jobs->size(),
                cfg_.visibility_timeout.count());
  claims_.Add({}).Increment(static_cast<double>(jobs->size()));
  for (auto& job : *jobs) {
    co_await dispatch(std::move(job), origin::claimed);
  }
}

asio::awaitable<bool> delivery_worker::persist(
    const std::function<asio::awaitable<boost::system::result<void>>()>& write,
    std::string_view what, std::string_view delivery_id) {
  constexpr int tries = 20;
  for (int i = 0; i < tries; ++i) {
    auto done = co_await write();
    if (done) {
      co_return true;
    }
    logger_->warn("recording {} of delivery {} failed ({}); trying again", what, delivery_id,
                  done.error().message());
    // Its own timer: many jobs may be waiting for Redis at once, and run()'s pause timer is
    // cancelled by stop(), which must not cut this wait short.
    asio::steady_timer wait(executor_, milliseconds(250));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  logger_->error(
      "delivery {}: {} could not be recorded; the job stays pending and will be taken again",
      delivery_id, what);
  co_return false;
}

asio::awaitable<void> delivery_worker::bury(const queue::queued_job& job,
                                            const queue::record_fields& record,
                                            std::string_view channel, std::string_view priority,
                                            std::string_view attempts, const std::string& reason) {
  const auto now = format_rfc3339_utc(clock_.now_system());
  const queue::record_fields updates = {
      {"state", "dead"}, {"dead_reason", reason}, {"updated_at", now}};
  const queue::record_fields letter = {{"delivery", job.delivery_id},
                                       {"channel", std::string(channel)},
                                       {"priority", std::string(priority)},
                                       {"reason", reason},
                                       {"attempts", std::string(attempts)},
                                       {"failed_at", now},
                                       {"consumer", consumer_}};
  const bool poison = reason.starts_with("poison");
  logger_->warn("delivery {} goes to the dead letters: {}", job.delivery_id, reason);
  const auto tally = queue::tally_move_for(record, "dead", clock_.now_system());
  if (co_await persist([&] { return queue_.bury(job, updates, letter, tally); }, "the dead letter",
                       job.delivery_id)) {
    dead_letters_
        .Add({{"channel", std::string(channel)}, {"reason", poison ? "poison" : "exhausted"}})
        .Increment();
  }
}

asio::awaitable<void> delivery_worker::process(queue::queued_job& job, origin from) {
  const queue::record_fields no_updates;
  if (job.delivery_id.empty()) {
    co_await queue_.complete(job, no_updates);  // an entry without a delivery: nothing to do
    co_return;
  }
  auto loaded = co_await queue_.load(job.delivery_id);
  if (!loaded) {
    logger_->warn("cannot load delivery {}: {}", job.delivery_id, loaded.error().message());
    co_return;  // stays pending; taken again after the visibility timeout
  }
  if (*loaded) {
    // The hash is the truth once it exists (an earlier attempt wrote it): never overwrite it
    // with the record the entry was queued with.
    job.carried_record.clear();
  } else if (!job.carried_record.empty()) {
    loaded->emplace(job.carried_record);  // fan-out's delivery, taken for the first time
  }
  if (!*loaded || is_final_state(field(**loaded, "state"))) {
    // Already done (a duplicate entry) or the record is gone: just acknowledge.
    co_await queue_.complete(job, no_updates);
    co_return;
  }
  const auto& record = **loaded;
  const auto channel_name = field(record, "channel");
  const auto priority_name = field(record, "priority") == "urgent" ? "urgent" : "normal";
  const auto now_time = clock_.now_system();
  const auto now = format_rfc3339_utc(now_time);

  if (!field(record, "provider_message_id").empty()) {
    // The provider accepted this delivery already; only our record of it was incomplete.
    // Sending again would give the family a second copy.
    const queue::record_fields sent = {{"state", "sent"}, {"updated_at", now}};
    const auto tally = queue::tally_move_for(record, "sent", clock_.now_system());
    co_await persist([&] { return queue_.complete(job, sent, tally); }, "the outcome",
                     job.delivery_id);
    co_return;
  }
  const auto attempts_before = count_field(record, "attempts");
  if (job.times_delivered > cfg_.max_deliveries) {
    co_await bury(job, record, channel_name, priority_name, std::to_string(attempts_before),
                  "poison: taken " + std::to_string(job.times_delivered) +
                      " times without an outcome (the consumer crashed or hung each time)");
    co_return;
  }
  if (from == origin::claimed && field(record, "state") == "sending") {
    // Handed to a provider recently: its consumer is slow, not dead. Leave it to that consumer;
    // if it really died, the job is claimed again after another visibility timeout.
    const auto handed = queue::parse_record_time(field(record, "handed_at"));
    if (handed && now_time - *handed < cfg_.visibility_timeout) {
      logger_->debug("delivery {} is being sent by another consumer; leaving it", job.delivery_id);
      co_return;
    }
  }
  if (from != origin::fresh && field(record, "state") == "sending") {
    // Handed over without an outcome recorded: the previous consumer died between calling the
    // provider and recording the answer (docs/queue.md). Sending again is at-least-once.
    logger_->warn(
        "delivery {} was handed to a provider at {} without a recorded outcome; "
        "sending it again",
        job.delivery_id, field(record, "handed_at"));
  }

  const auto channel = channel_from(channel_name);
  const auto attempts = std::to_string(attempts_before + 1);
  // Outcome records are built before co_await: GCC 12 miscompiles braced initializer lists
  // inside a co_await expression.
  if (!channel) {
    const queue::record_fields failed = {{"state", "failed"},
                                         {"last_error", "unknown channel \"" + channel_name + "\""},
                                         {"updated_at", now}};
    const auto tally = queue::tally_move_for(record, "failed", clock_.now_system());
    co_await persist([&] { return queue_.complete(job, failed, tally); }, "the outcome",
                     job.delivery_id);
    co_return;
  }

  channels::rendered_delivery delivery;
  if (record.contains("announcement")) {
    auto prepared = co_await prepare_announcement(job, record, now);
    if (!prepared) {
      co_return;  // finished (cancelled, deferred, failed) or left pending
    }
    delivery = std::move(*prepared);
  } else {
    delivery.delivery_id = field(record, "id");
    delivery.message_id = field(record, "id");
    delivery.channel = *channel;
    delivery.address = field(record, "address");
    delivery.language = field(record, "language");
    delivery.subject = field(record, "subject");
    delivery.text = field(record, "body");
  }

  // One round trip before the provider call: whether the recipient opted out, and the "handed to
  // provider" mark, by which a consumer that takes this job over later knows it may have reached
  // the provider. Notices go to the district's systems, not to a family: nobody there opts out.
  const bool check_opt_out = directory_ != nullptr && *channel != config::channel::notice;
  const queue::record_fields handed = {
      {"state", "sending"}, {"handed_at", now}, {"attempts", attempts}, {"updated_at", now}};
  queue::redis_request checked_and_marked;
  if (check_opt_out) {
    checked_and_marked.push(directory_->opt_out_check(*channel, field(record, "address")));
  }
  checked_and_marked.push(queue_.update_command(job, handed));
  auto replies = co_await queue_.connection().exec(checked_and_marked);
  const bool answered = replies && std::none_of(replies->begin(), replies->end(),
                                                [](const auto& r) { return r.is_error(); });
  if (!answered) {
    logger_->warn(
        "cannot check opt-outs or mark delivery {} as handed over: {}", job.delivery_id,
        replies ? std::string("Redis answered with an error") : replies.error().message());
    co_return;  // not sent; stays pending and is taken again
  }
  job.carried_record.clear();  // the mark wrote it into the hash
  if (check_opt_out && replies->front().integer == 1) {
    // Not handed over after all: the attempt count goes back to what it was.
    const queue::record_fields skipped = {{"state", "opted_out"},
                                          {"last_error", "the recipient opted out"},
                                          {"attempts", std::to_string(attempts_before)},
                                          {"updated_at", now}};
    outcomes_.Add({{"channel", channel_name}, {"provider", ""}, {"outcome", "opted_out"}})
        .Increment();
    const auto tally = queue::tally_move_for(record, "opted_out", clock_.now_system());
    co_await persist([&] { return queue_.complete(job, skipped, tally); }, "the outcome",
                     job.delivery_id);
    co_return;
  }

  const auto result = co_await providers_.send(delivery);
  const auto& outcome = result.outcome;
  const std::string& provider_name = result.provider;
  const std::string outcome_label = outcome.kind == channels::outcome_kind::sent ? "sent"
                                    : outcome.kind == channels::outcome_kind::retry_later
                                        ? "retry"
                                        : "failed";
  outcomes_
      .Add({{"channel", channel_name}, {"provider", provider_name}, {"outcome", outcome_label}})
      .Increment();
  const auto done_time = clock_.now_system();
  const auto done_at = format_rfc3339_utc(done_time);

  switch (outcome.kind) {
    case channels::outcome_kind::sent: {
      const queue::record_fields sent = {{"state", "sent"},
                                         {"provider", provider_name},
                                         {"provider_message_id", outcome.provider_message_id},
                                         {"attempts", attempts},
                                         {"sent_at", done_at},
                                         {"updated_at", done_at}};
      const auto tally = queue::tally_move_for(record, "sent", clock_.now_system());
      co_await persist([&] { return queue_.complete(job, sent, tally); }, "the outcome",
                       job.delivery_id);
      if (announcements_ != nullptr && record.contains("announcement")) {
        // Replies will link to it (and count for its question), and a message to one family
        // is filed in its conversation. Best effort: a lost note only means a reply is kept
        // unlinked, or the conversation misses this copy of a message that was sent.
        if (auto noted = co_await announcements_->after_sent(record, delivery.text); !noted) {
          logger_->warn("delivery {}: cannot note it for replies or the conversation: {}",
                        job.delivery_id, noted.error().message());
        }
      }
      break;
    }
    case channels::outcome_kind::permanent_failure: {
      if (outcome.recipient_opted_out && directory_ != nullptr) {
        // The carrier says this number sent STOP (Twilio 21610): never try it again.
        co_await directory_->set_opted_out(*channel, field(record, "address"), true);
      }
      const queue::record_fields failed = {{"state", "failed"},
                                           {"provider", provider_name},
                                           {"last_error", outcome.reason},
                                           {"attempts", attempts},
                                           {"updated_at", done_at}};
      const auto tally = queue::tally_move_for(record, "failed", clock_.now_system());
      co_await persist([&] { return queue_.complete(job, failed, tally); }, "the outcome",
                       job.delivery_id);
      break;
    }
    case channels::outcome_kind::retry_later: {
      queue::retry_input input;
      input.channel = *channel;
      input.priority = priority_name == std::string_view("urgent") ? config::priority::urgent
                                                                   : config::priority::normal;
      input.attempts = attempts_before + 1;
      input.created_at =
          queue::parse_record_time(field(record, "retry_window_start"))
              .value_or(queue::parse_record_time(field(record, "created_at")).value_or(done_time));
      input.now = done_time;
      if (outcome.retry_after) {
        input.retry_after = std::chrono::duration_cast<milliseconds>(*outcome.retry_after);
      }
      input.last_error = outcome.reason;
      const auto decision = retry_policy_.decide(input, random_());
      if (decision.give_up) {
        co_await bury(job, record, channel_name, priority_name, attempts, decision.reason);
        break;
      }
      const queue::record_fields retrying = {
          {"state", "retrying"},
          {"provider", provider_name},
          {"last_error", outcome.reason},
          {"attempts", attempts},
          {"next_attempt_at", format_rfc3339_utc(decision.retry_at)},
          {"updated_at", done_at}};
      logger_->info("delivery {} will be retried at {}: {}", job.delivery_id,
                    format_rfc3339_utc(decision.retry_at), outcome.reason);
      if (co_await persist([&] { return queue_.retry_later(job, retrying, decision.retry_at); },
                           "the retry", job.delivery_id)) {
        retries_.Add({{"channel", channel_name}}).Increment();
      }
      break;
    }
  }
}

asio::awaitable<std::optional<channels::rendered_delivery>> delivery_worker::prepare_announcement(
    const queue::queued_job& job, const queue::record_fields& record, const std::string& now) {
  if (announcements_ == nullptr) {
    logger_->warn("delivery {} belongs to an announcement, which this worker cannot render",
                  job.delivery_id);
    co_return std::nullopt;  // stays pending for a worker that can
  }
  auto prepared = co_await announcements_->prepare(record);
  if (auto* ready = std::get_if<services::send_now>(&prepared)) {
    co_return std::move(ready->delivery);
  }
  if (auto* later = std::get_if<services::try_later>(&prepared)) {
    logger_->warn("delivery {} not sent now: {}", job.delivery_id, later->reason);
    co_return std::nullopt;
  }
  if (auto* wait = std::get_if<services::wait_until>(&prepared)) {
    // Quiet hours: back to the delayed set without spending an attempt.
    const queue::record_fields deferred = {{"state", "deferred"},
                                           {"next_attempt_at", format_rfc3339_utc(wait->when)},
                                           {"updated_at", now}};
    const auto tally = queue::tally_move_for(record, "deferred", clock_.now_system());
    const auto when = wait->when;
    co_await persist([&] { return queue_.retry_later(job, deferred, when, tally); },
                     "the quiet-hours deferral", job.delivery_id);
    co_return std::nullopt;
  }
  const bool cancelled = std::holds_alternative<services::stop_cancelled>(prepared);
  const std::string state = cancelled ? "cancelled" : "failed";
  const std::string reason = cancelled ? "the announcement was cancelled"
                                       : std::get<services::cannot_send>(prepared).reason;
  const queue::record_fields stopped = {
      {"state", state}, {"last_error", reason}, {"updated_at", now}};
  const auto tally = queue::tally_move_for(record, state, clock_.now_system());
  co_await persist([&] { return queue_.complete(job, stopped, tally); }, "the outcome",
                   job.delivery_id);
  co_return std::nullopt;
}

}  // namespace liaison::workers
