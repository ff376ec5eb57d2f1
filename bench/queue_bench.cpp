// Queue benchmarks against a private redis-server (unix socket, no persistence unless noted):
// pipelined enqueue throughput, and end-to-end latency from enqueue to a worker's
// acknowledgement at a paced rate. Results and how to run: bench/README.md.
#include <benchmark/benchmark.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "queue/delivery_queue.hpp"
#include "queue/redis_connection.hpp"
#include "tests/support/redis_server.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using liaison::queue::delivery_queue;
using liaison::queue::record_fields;
using liaison::queue::redis_connection;
using steady = std::chrono::steady_clock;

// A record as direct-message intake writes it (~250 bytes).
record_fields record_for(const std::string& id) {
  return {{"id", id},
          {"kind", "direct"},
          {"channel", "sms"},
          {"address", "+12025550143"},
          {"language", "es-MX"},
          {"body", "Mañana no hay clases por la nieve. Las oficinas abren a las 10."},
          {"state", "queued"},
          {"attempts", "0"},
          {"school", "lincoln-es"},
          {"created_at", "2024-01-15T06:00:00.000Z"},
          {"retry_window_start", "2024-01-15T06:00:00.000Z"}};
}

// The same content as one JSON value in a single field plus the fields that change: what a
// compact record layout would write (not what liaisond writes today; see bench/README.md).
record_fields compact_record_for(const std::string& id) {
  return {{"payload",
           R"({"id":")" + id +
               R"(","kind":"direct","channel":"sms","address":"+12025550143","language":"es-MX",)"
               R"("body":"Mañana no hay clases por la nieve. Las oficinas abren a las 10.",)"
               R"("school":"lincoln-es","created_at":"2024-01-15T06:00:00.000Z"})"},
          {"state", "queued"},
          {"channel", "sms"}};
}

// One redis-server, connection and queue for a benchmark run.
struct fixture {
  explicit fixture(bool append_only = false)
      : server(options(append_only)),
        logger(std::make_shared<spdlog::logger>(
            "bench", std::make_shared<spdlog::sinks::stderr_sink_st>())) {
    logger->set_level(spdlog::level::warn);
    cfg.unix_socket = server.socket_path().string();
    cfg.command_timeout = 30s;
    commands = connect();
    reader = connect();
    queue = std::make_unique<delivery_queue>(*commands, "bench");
  }

  ~fixture() {
    commands->cancel();
    reader->cancel();
    io.restart();
    io.run_for(100ms);
  }

  static liaison::testing::redis_server::options options(bool append_only) {
    liaison::testing::redis_server::options o;
    o.append_only = append_only;
    return o;
  }

  std::unique_ptr<redis_connection> connect() {
    auto c = std::make_unique<redis_connection>(io.get_executor(), cfg, logger);
    asio::co_spawn(io, c->run(), asio::detached);
    const auto deadline = steady::now() + 5s;
    while (!c->connected() && steady::now() < deadline) {
      io.run_for(5ms);
    }
    if (!c->connected()) {
      throw std::runtime_error("no connection to the benchmark Redis");
    }
    return c;
  }

  liaison::testing::redis_server server;
  std::shared_ptr<spdlog::logger> logger;
  liaison::config::redis_config cfg;
  asio::io_context io;
  std::unique_ptr<redis_connection> commands;
  std::unique_ptr<redis_connection> reader;
  std::unique_ptr<delivery_queue> queue;
};

// A direct message as intake gives it to the queue (which makes its id), tagged so that a
// consumer can tell which one it got.
record_fields message_for(const std::string& tag) {
  auto record = record_for(tag);
  record.erase("id");
  record["tag"] = tag;
  return record;
}

// `in_flight` coroutines each enqueue their share with enqueue_message, as intake does: the calls
// of one turn of the event loop share a transaction (group commit), as many concurrent HTTP
// requests would.
asio::awaitable<void> enqueue_share(delivery_queue& queue, int first, int count, int& failures) {
  for (int i = first; i < first + count; ++i) {
    const auto record = message_for("msg_" + std::to_string(i));
    if (!co_await queue.enqueue_message("sms", record)) {
      ++failures;
    }
  }
}

void BM_enqueue_pipelined(benchmark::State& state) {
  fixture f(state.range(1) != 0);
  const int in_flight = static_cast<int>(state.range(0));
  constexpr int batch = 20'000;
  int next_id = 0;
  int failures = 0;
  for (auto _ : state) {
    int done = 0;
    for (int w = 0; w < in_flight; ++w) {
      asio::co_spawn(
          f.io,
          enqueue_share(*f.queue, next_id + w * (batch / in_flight), batch / in_flight, failures),
          [&done](std::exception_ptr) { ++done; });
    }
    while (done < in_flight) {
      f.io.run_one();
    }
    next_id += batch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * batch);
  state.counters["failures"] = failures;
}
BENCHMARK(BM_enqueue_pipelined)
    ->ArgNames({"in_flight", "aof_always"})
    ->Args({1, 0})
    ->Args({64, 0})
    ->Args({512, 0})
    ->Args({512, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Owns what the enqueue refers to, so it can run detached.
asio::awaitable<void> enqueue_one(delivery_queue& queue, std::string tag) {
  const auto record = message_for(tag);
  co_await queue.enqueue_message("sms", record);
}

// Fan-out style: batches of `batch_size` jobs per MULTI/EXEC, `in_flight` batches at once.
asio::awaitable<void> enqueue_batches(delivery_queue& queue, int first, int count, int batch_size,
                                      bool compact, int& failures) {
  std::vector<delivery_queue::new_delivery> batch;
  for (int i = first; i < first + count; i += batch_size) {
    batch.clear();
    for (int j = i; j < std::min(i + batch_size, first + count); ++j) {
      const auto id = "msg_" + std::to_string(j);
      batch.push_back({"sms", id, compact ? compact_record_for(id) : record_for(id)});
    }
    if (!co_await queue.enqueue_many(batch)) {
      ++failures;
    }
  }
}

void BM_enqueue_batched(benchmark::State& state) {
  fixture f(state.range(2) != 0);
  const bool compact = state.range(3) != 0;
  const int batch_size = static_cast<int>(state.range(0));
  const int in_flight = static_cast<int>(state.range(1));
  constexpr int total = 100'000;
  int next_id = 0;
  int failures = 0;
  for (auto _ : state) {
    int done = 0;
    for (int w = 0; w < in_flight; ++w) {
      asio::co_spawn(f.io,
                     enqueue_batches(*f.queue, next_id + w * (total / in_flight), total / in_flight,
                                     batch_size, compact, failures),
                     [&done](std::exception_ptr) { ++done; });
    }
    while (done < in_flight) {
      f.io.run_one();
    }
    next_id += total;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * total);
  state.counters["failures"] = failures;
}
BENCHMARK(BM_enqueue_batched)
    ->ArgNames({"batch", "in_flight", "aof_always", "compact"})
    ->Args({100, 4, 0, 0})
    ->Args({1000, 2, 0, 0})
    ->Args({1000, 2, 1, 0})
    ->Args({1000, 2, 0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

struct latency_run {
  std::map<std::string, steady::time_point> enqueued_at;
  std::vector<double> latencies_us;
  bool producing = true;
};

// Exactly `per_second` jobs each second for `duration`, in 1 ms ticks; a late tick is caught up
// at once (the schedule is kept, as a real burst of intake would).
asio::awaitable<void> produce(delivery_queue& queue, latency_run& run, int per_second,
                              std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  constexpr auto tick = 1ms;
  const int per_tick = per_second / 1000;
  auto next = steady::now();
  for (auto t = 0ms; t < duration; t += tick) {
    for (int i = 0; i < per_tick; ++i) {
      const auto id = "lat_" + std::to_string(run.enqueued_at.size());
      run.enqueued_at[id] = steady::now();
      // Not awaited one by one: intake of concurrent requests overlaps the same way.
      asio::co_spawn(co_await asio::this_coro::executor, enqueue_one(queue, id), asio::detached);
    }
    next += tick;
    timer.expires_at(next);
    co_await timer.async_wait(asio::use_awaitable);
  }
  run.producing = false;
}

asio::awaitable<void> consume(delivery_queue& queue, redis_connection& reader, std::string name,
                              latency_run& run) {
  const std::vector<std::string> channels = {"sms"};
  const record_fields done = {{"state", "sent"}};
  while (run.producing || run.latencies_us.size() < run.enqueued_at.size()) {
    auto jobs = co_await queue.read_new(reader, name, channels, 16, 20ms);
    if (!jobs) {
      if (!reader.connected()) {
        co_return;  // the run is over (or Redis is gone): do not spin
      }
      continue;
    }
    for (const auto& job : *jobs) {
      co_await queue.complete(job, done);
      const auto tag = job.carried_record.find("tag");
      const auto at = tag == job.carried_record.end() ? run.enqueued_at.end()
                                                      : run.enqueued_at.find(tag->second);
      if (at != run.enqueued_at.end()) {
        run.latencies_us.push_back(
            std::chrono::duration<double, std::micro>(steady::now() - at->second).count());
      }
    }
  }
}

// Enqueue at a steady rate while one worker reads, acknowledges (record update + XACK + XDEL)
// and measures enqueue → acknowledged. No provider call: this is the queue's own latency.
void BM_end_to_end_latency(benchmark::State& state) {
  const int per_second = static_cast<int>(state.range(0));
  constexpr auto duration = 3s;
  for (auto _ : state) {
    fixture f;
    const std::vector<std::string> channels = {"sms"};
    bool groups = false;
    asio::co_spawn(f.io, f.queue->ensure_groups(*f.reader, channels),
                   [&groups](std::exception_ptr, auto) { groups = true; });
    while (!groups) {
      f.io.run_one();
    }
    latency_run run;
    // Four workers, each with its own blocking connection, as four liaisond workers would be.
    constexpr int workers = 4;
    std::vector<std::unique_ptr<redis_connection>> readers;
    int consumers_done = 0;
    asio::co_spawn(f.io, produce(*f.queue, run, per_second, duration), asio::detached);
    for (int w = 0; w < workers; ++w) {
      readers.push_back(f.connect());
      asio::co_spawn(f.io, consume(*f.queue, *readers.back(), "bench-" + std::to_string(w), run),
                     [&consumers_done](std::exception_ptr) { ++consumers_done; });
    }
    const auto deadline = steady::now() + duration + 30s;
    const auto consumed = [&] { return consumers_done == workers; };
    while (!consumed() && steady::now() < deadline) {
      f.io.run_for(10ms);
    }
    for (auto& r : readers) {
      r->cancel();
    }
    if (!consumed()) {
      state.SkipWithError("the consumer did not catch up within 30 s");
    }
    auto& l = run.latencies_us;
    std::sort(l.begin(), l.end());
    const auto at = [&](double q) {
      return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(q * l.size()))];
    };
    state.counters["jobs"] = static_cast<double>(l.size());
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["max_us"] = l.empty() ? 0.0 : l.back();
  }
}
BENCHMARK(BM_end_to_end_latency)
    ->ArgName("jobs_per_second")
    ->Arg(2'000)
    ->Arg(5'000)
    ->Arg(10'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
