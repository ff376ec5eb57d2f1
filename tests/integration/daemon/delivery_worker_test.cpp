// The delivery worker and the queue scheduler in process, against a private redis-server, with
// a recording provider and an injected clock: retry schedules, dead letters and replay, crash
// recovery by claiming, the "handed to provider" mark, poison jobs, two workers sharing work.
#include "daemon/workers/delivery_worker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/workers/queue_scheduler.hpp"
#include "queue/delivery_queue.hpp"
#include "support/time_format.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::workers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::StartsWith;

channels::delivery_outcome sent(const std::string& id) {
  channels::delivery_outcome o;
  o.kind = channels::outcome_kind::sent;
  o.provider_message_id = "REC-" + id;
  return o;
}

channels::delivery_outcome unavailable(std::optional<std::chrono::seconds> retry_after = {}) {
  channels::delivery_outcome o;
  o.kind = channels::outcome_kind::retry_later;
  o.reason = "HTTP 503";
  o.retry_after = retry_after;
  return o;
}

// A provider that records every send and answers as the test scripts it.
class recording_provider final : public channels::provider {
 public:
  using script_fn = std::function<channels::delivery_outcome(const channels::rendered_delivery&)>;

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override {
    return c == config::channel::sms || c == config::channel::email;
  }
  asio::awaitable<channels::delivery_outcome> send(
      const channels::rendered_delivery& delivery) override {
    ++sends[delivery.delivery_id];
    ++total;
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    if (gate != nullptr) {  // a provider slow to answer: wait until the test opens the gate
      co_await gate->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    --in_flight;
    co_return script ? script(delivery) : sent(delivery.delivery_id);
  }

  script_fn script;
  asio::steady_timer* gate = nullptr;
  int in_flight = 0;
  int max_in_flight = 0;
  std::map<std::string, int> sends;
  int total = 0;

 private:
  std::string name_ = "recorder";
};

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  DeliveryWorkerTest() {
    logger_->set_level(spdlog::level::err);
    cfg_.redis.unix_socket = redis_.socket_path().string();
    cfg_.redis.reconnect_min_delay = 10ms;
    cfg_.redis.reconnect_max_delay = 100ms;
    cfg_.workers.block_timeout = 20ms;
    cfg_.workers.visibility_timeout = 300ms;
    cfg_.workers.max_deliveries = 5;
    cfg_.retry.sms.normal = {4, 10s, 1min, 1h};
    clock_.now_system = [this] { return now_; };
    commands_ = std::make_unique<queue::redis_connection>(io_.get_executor(), cfg_.redis, logger_);
    asio::co_spawn(io_, commands_->run(), asio::detached);
    if (!run_until([&] { return commands_->connected(); })) {
      throw std::runtime_error("no connection to the test Redis");
    }
    queue_ = std::make_unique<queue::delivery_queue>(*commands_, "test");
    scheduler_ =
        std::make_unique<queue_scheduler>(io_.get_executor(), cfg_.workers, *queue_, channel_names_,
                                          scheduler_metrics_, logger_, clock_);
  }

  ~DeliveryWorkerTest() override {
    for (auto& w : workers_) {
      w->stop();
    }
    run_until([&] {
      for (auto& w : workers_) {
        if (w->running()) {
          return false;
        }
      }
      return true;
    });
    commands_->cancel();
    io_.restart();
    io_.run_for(100ms);
  }

  delivery_worker& start_worker(const std::string& consumer) {
    auto cfg = cfg_;
    cfg.workers.consumer_name = consumer;
    registries_.push_back(std::make_unique<prometheus::Registry>());
    workers_.push_back(std::make_unique<delivery_worker>(io_.get_executor(), cfg, *queue_, sender_,
                                                         *registries_.back(), logger_, clock_,
                                                         [] { return 0.5; }));
    auto& worker = *workers_.back();
    asio::co_spawn(io_, worker.run(), asio::detached);
    if (!run_until([&] { return worker.running(); })) {
      throw std::runtime_error("the worker did not start");
    }
    return worker;
  }

  bool run_until(const std::function<bool()>& done, milliseconds bound = 10s) {
    return liaison::testing::run_io_until(io_, done, bound);
  }

  template <typename T>
  T complete(asio::awaitable<T> task) {
    return liaison::testing::complete_on(io_, std::move(task), 10s);
  }

  void enqueue(const std::string& id) {
    const queue::record_fields record = {{"id", id},
                                         {"channel", "sms"},
                                         {"state", "queued"},
                                         {"attempts", "0"},
                                         {"address", "+12025550143"},
                                         {"language", "es-MX"},
                                         {"body", "Mañana no hay clases."},
                                         {"created_at", format_rfc3339_utc(now_)},
                                         {"retry_window_start", format_rfc3339_utc(now_)}};
    ASSERT_TRUE(complete(queue_->enqueue_once("sms", id, record)));
  }

  queue::record_fields record(const std::string& id) {
    auto loaded = complete(queue_->load(id));
    return loaded && *loaded ? **loaded : queue::record_fields{};
  }

  std::string state(const std::string& id) { return record(id)["state"]; }

  std::size_t promote() {
    auto moved = complete(scheduler_->promote_due());
    EXPECT_TRUE(moved);
    return moved ? *moved : 0;
  }

  std::vector<queue::dead_letter> dead_letters() {
    auto listed = complete(queue_->list_dead("-", 100));
    return listed ? *listed : std::vector<queue::dead_letter>{};
  }

  // A consumer that takes jobs and dies without acknowledging them.
  void take_and_die(const std::string& consumer) {
    ASSERT_TRUE(complete(queue_->ensure_groups(*commands_, channel_names_)));
    auto taken = complete(queue_->read_new(*commands_, consumer, channel_names_, 100, 10ms));
    ASSERT_TRUE(taken);
    ASSERT_FALSE(taken->empty());
  }

  liaison::testing::redis_server redis_;
  config::liaison_config cfg_;
  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ = std::make_shared<spdlog::logger>(
      "worker-test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  system_clock::time_point now_ = system_clock::time_point(1'700'000'000s);
  clock clock_;
  recording_provider provider_;
  provider_sender sender_{std::vector<channels::provider*>{&provider_}};
  std::vector<std::string> channel_names_ = {"sms", "email"};
  std::unique_ptr<queue::redis_connection> commands_;
  std::unique_ptr<queue::delivery_queue> queue_;
  prometheus::Registry scheduler_metrics_;
  std::unique_ptr<queue_scheduler> scheduler_;
  std::vector<std::unique_ptr<prometheus::Registry>> registries_;
  std::vector<std::unique_ptr<delivery_worker>> workers_;
};

TEST_F(DeliveryWorkerTest, sent_delivery_is_recorded_with_the_provider_id) {
  start_worker("w1");
  enqueue("d1");
  ASSERT_TRUE(run_until([&] { return state("d1") == "sent"; }));
  const auto r = record("d1");
  EXPECT_EQ(r.at("provider"), "recorder");
  EXPECT_EQ(r.at("provider_message_id"), "REC-d1");
  EXPECT_EQ(r.at("attempts"), "1");
  EXPECT_EQ(r.count("handed_at"), 1u);
  EXPECT_EQ(provider_.sends["d1"], 1);
}

TEST_F(DeliveryWorkerTest, retry_schedule_follows_the_policy_then_dead_letters_then_replay) {
  provider_.script = [](const channels::rendered_delivery&) { return unavailable(); };
  start_worker("w1");
  const auto accepted = now_;
  enqueue("d1");

  // Policy for sms normal here: 4 attempts, base 10s, max 1m; the jitter draw is 0.5, so the
  // waits are 5s, 10s, 20s.
  const std::vector<std::chrono::seconds> waits = {5s, 10s, 20s};
  for (std::size_t i = 0; i < waits.size(); ++i) {
    ASSERT_TRUE(run_until([&] { return state("d1") == "retrying"; })) << state("d1");
    EXPECT_EQ(provider_.sends["d1"], static_cast<int>(i + 1));
    const auto r = record("d1");
    EXPECT_EQ(r.at("attempts"), std::to_string(i + 1));
    EXPECT_EQ(r.at("last_error"), "HTTP 503");
    EXPECT_EQ(r.at("next_attempt_at"), format_rfc3339_utc(now_ + waits[i]));
    // Not due a millisecond early, due exactly on time.
    now_ += waits[i] - 1ms;
    EXPECT_EQ(promote(), 0u);
    now_ += 1ms;
    EXPECT_EQ(promote(), 1u);
    ASSERT_TRUE(run_until([&] { return provider_.sends["d1"] == static_cast<int>(i + 2); }));
  }
  ASSERT_TRUE(run_until([&] { return state("d1") == "dead"; })) << state("d1");
  EXPECT_EQ(now_ - accepted, 35s);
  const auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].fields.at("delivery"), "d1");
  EXPECT_EQ(letters[0].fields.at("reason"), "gave up after 4 attempts: HTTP 503");
  EXPECT_EQ(letters[0].fields.at("attempts"), "4");
  EXPECT_EQ(record("d1").at("dead_reason"), "gave up after 4 attempts: HTTP 503");

  // The provider is back; replay delivers it.
  provider_.script = nullptr;
  auto replayed = complete(queue_->replay_dead(letters[0].entry_id, now_));
  ASSERT_TRUE(replayed) << replayed.error().message();
  ASSERT_TRUE(run_until([&] { return state("d1") == "sent"; }));
  EXPECT_EQ(provider_.sends["d1"], 5);
  EXPECT_EQ(record("d1").at("attempts"), "1");
  EXPECT_TRUE(dead_letters().empty());
}

TEST_F(DeliveryWorkerTest, retry_after_from_the_provider_sets_the_next_attempt) {
  provider_.script = [](const channels::rendered_delivery&) { return unavailable(90s); };
  start_worker("w1");
  enqueue("d1");
  ASSERT_TRUE(run_until([&] { return state("d1") == "retrying"; }));
  EXPECT_EQ(record("d1").at("next_attempt_at"), format_rfc3339_utc(now_ + 90s));
}

TEST_F(DeliveryWorkerTest, max_age_gives_up_before_max_attempts) {
  provider_.script = [](const channels::rendered_delivery&) { return unavailable(); };
  start_worker("w1");
  enqueue("d1");
  ASSERT_TRUE(run_until([&] { return state("d1") == "retrying"; }));
  now_ += 1h - 1s;  // the next wait (10s) would end past max_age (1h)
  EXPECT_EQ(promote(), 1u);
  ASSERT_TRUE(run_until([&] { return state("d1") == "dead"; }));
  EXPECT_THAT(record("d1").at("dead_reason"), HasSubstr("max_age (1h)"));
}

TEST_F(DeliveryWorkerTest, permanent_failure_is_final_and_not_a_dead_letter) {
  provider_.script = [](const channels::rendered_delivery&) {
    channels::delivery_outcome o;
    o.kind = channels::outcome_kind::permanent_failure;
    o.reason = "21211 invalid To";
    return o;
  };
  start_worker("w1");
  enqueue("d1");
  ASSERT_TRUE(run_until([&] { return state("d1") == "failed"; }));
  EXPECT_EQ(record("d1").at("last_error"), "21211 invalid To");
  EXPECT_TRUE(dead_letters().empty());
}

TEST_F(DeliveryWorkerTest, job_of_a_dead_consumer_is_taken_over_after_the_visibility_timeout) {
  enqueue("d1");
  take_and_die("crashed");
  start_worker("survivor");
  // Redis measures the idle time on its own clock: this waits ~visibility_timeout for real.
  ASSERT_TRUE(run_until([&] { return state("d1") == "sent"; }));
  EXPECT_EQ(provider_.sends["d1"], 1);
  EXPECT_EQ(redis_.cli({"XLEN", queue_->stream_key("sms")}), "0");
}

TEST_F(DeliveryWorkerTest, taken_over_job_that_already_has_a_provider_id_is_not_sent_again) {
  enqueue("d1");
  take_and_die("crashed");
  // It crashed after the provider accepted and the id was written, before the acknowledgement.
  const queue::record_fields handed = {{"state", "sending"},
                                       {"handed_at", format_rfc3339_utc(now_ - 1h)},
                                       {"provider_message_id", "SM-EARLIER"}};
  ASSERT_TRUE(complete(queue_->update("d1", handed)));
  start_worker("survivor");
  ASSERT_TRUE(run_until([&] { return state("d1") == "sent"; }));
  EXPECT_EQ(provider_.sends["d1"], 0);
  EXPECT_EQ(record("d1").at("provider_message_id"), "SM-EARLIER");
  ASSERT_TRUE(run_until([&] { return redis_.cli({"XLEN", queue_->stream_key("sms")}) == "0"; }));
}

TEST_F(DeliveryWorkerTest, job_being_sent_by_a_slow_consumer_is_left_to_it) {
  enqueue("d1");
  take_and_die("slow");
  const queue::record_fields handed = {{"state", "sending"},
                                       {"handed_at", format_rfc3339_utc(now_)}};
  ASSERT_TRUE(complete(queue_->update("d1", handed)));
  start_worker("other");
  // Claimed (idle past the visibility timeout) but handed over just now: not sent.
  ASSERT_TRUE(run_until([&] {
    return redis_.cli({"XPENDING", queue_->stream_key("sms"), "workers", "-", "+", "1"})
               .find("other") != std::string::npos;
  }));
  EXPECT_EQ(provider_.sends["d1"], 0);
  // The slow consumer's clock moves on: past the visibility timeout since the hand-over, the
  // job is presumed lost and sent again.
  now_ += 1s;
  ASSERT_TRUE(run_until([&] { return state("d1") == "sent"; }));
  EXPECT_EQ(provider_.sends["d1"], 1);
}

TEST_F(DeliveryWorkerTest, job_taken_too_often_without_an_outcome_is_buried_as_poison) {
  cfg_.workers.max_deliveries = 2;
  enqueue("d1");
  take_and_die("crash-1");
  auto again = complete(queue_->claim_idle(*commands_, "crash-2", channel_names_, 0ms, 10));
  ASSERT_TRUE(again && again->size() == 1u);
  start_worker("survivor");  // its claim is the third delivery
  ASSERT_TRUE(run_until([&] { return state("d1") == "dead"; }));
  EXPECT_EQ(provider_.sends["d1"], 0);
  const auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0].fields.at("reason"), StartsWith("poison: taken 3 times"));
}

TEST_F(DeliveryWorkerTest, two_workers_on_one_redis_deliver_each_job_exactly_once) {
  constexpr int jobs = 300;
  start_worker("a");
  start_worker("b");
  for (int i = 0; i < jobs; ++i) {
    enqueue("d" + std::to_string(i));
  }
  ASSERT_TRUE(run_until([&] { return provider_.total >= jobs; }, 30s)) << provider_.total;
  // Give any duplicate a chance to show up before counting.
  run_until([] { return false; }, 300ms);
  EXPECT_EQ(provider_.total, jobs);
  EXPECT_EQ(provider_.sends.size(), static_cast<std::size_t>(jobs));
  for (const auto& [id, count] : provider_.sends) {
    EXPECT_EQ(count, 1) << id;
  }
}

TEST_F(DeliveryWorkerTest, sends_up_to_max_in_flight_deliveries_at_once) {
  cfg_.workers.max_in_flight = 4;
  asio::steady_timer gate(io_, asio::steady_timer::time_point::max());
  provider_.gate = &gate;
  start_worker("a");
  for (int i = 0; i < 10; ++i) {
    enqueue("d" + std::to_string(i));
  }
  // Four sends wait for the provider at once; the fifth waits for one of them to finish.
  ASSERT_TRUE(run_until([&] { return provider_.in_flight == 4; })) << provider_.in_flight;
  run_until([] { return false; }, 100ms);
  EXPECT_EQ(provider_.total, 4);
  EXPECT_EQ(state("d0"), "sending");

  provider_.gate = nullptr;
  gate.cancel();
  ASSERT_TRUE(run_until([&] { return state("d9") == "sent"; })) << state("d9");
  EXPECT_EQ(provider_.total, 10);
  EXPECT_EQ(provider_.max_in_flight, 4);
  EXPECT_EQ(state("d0"), "sent");
}

TEST_F(DeliveryWorkerTest, stop_finishes_the_deliveries_being_sent) {
  asio::steady_timer gate(io_, asio::steady_timer::time_point::max());
  provider_.gate = &gate;
  auto& worker = start_worker("a");
  enqueue("d1");
  enqueue("d2");
  ASSERT_TRUE(run_until([&] { return provider_.in_flight == 2; }));
  worker.stop();
  run_until([] { return false; }, 100ms);
  EXPECT_TRUE(worker.running()) << "stopped with two sends unfinished";
  provider_.gate = nullptr;
  gate.cancel();
  ASSERT_TRUE(run_until([&] { return !worker.running(); }));
  EXPECT_EQ(state("d1"), "sent");
  EXPECT_EQ(state("d2"), "sent");
}

TEST_F(DeliveryWorkerTest, scheduler_samples_queue_sizes_into_gauges) {
  enqueue("d1");
  enqueue("d2");
  ASSERT_TRUE(complete(scheduler_->sample()));
  bool found = false;
  for (const auto& family : scheduler_metrics_.Collect()) {
    if (family.name == "liaison_queue_depth") {
      for (const auto& m : family.metric) {
        if (!m.label.empty() && m.label[0].value == "sms") {
          EXPECT_EQ(m.gauge.value, 2);
          found = true;
        }
      }
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace liaison::workers
