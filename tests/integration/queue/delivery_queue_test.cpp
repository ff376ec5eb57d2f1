// delivery_queue against a private redis-server: intake (plain and idempotent), the delayed set
// and its promotion, claiming abandoned jobs, dead letters and their replay, statistics.
#include "queue/delivery_queue.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::queue {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

const system_clock::time_point t0 = system_clock::time_point(1'700'000'000s);

record_fields sms_record(const std::string& id, const std::string& priority = "normal") {
  return {{"id", id},          {"channel", "sms"},    {"priority", priority},
          {"state", "queued"}, {"attempts", "0"},     {"address", "+12025550143"},
          {"body", "hola"},    {"language", "es-MX"}, {"created_at", "2023-11-14T22:13:20.000Z"}};
}

// A direct message's record as intake gives it to the queue: no id, which the queue makes.
record_fields message_record(const std::string& priority = "normal",
                             const std::string& body = "hola", const std::string& channel = "sms") {
  return {{"kind", "direct"},  {"channel", channel},  {"priority", priority},
          {"state", "queued"}, {"attempts", "0"},     {"address", "+12025550143"},
          {"body", body},      {"language", "es-MX"}, {"created_at", "2023-11-14T22:13:20.000Z"}};
}

// One scheduler instance: promotes in small batches until nothing is due.
asio::awaitable<void> promote_all(delivery_queue& q, std::size_t& moved) {
  for (;;) {
    auto n = co_await q.promote_due(t0 + 1h, 7);
    if (!n || *n == 0) {
      co_return;
    }
    moved += *n;
  }
}

class DeliveryQueueTest : public ::testing::Test {
 protected:
  DeliveryQueueTest() {
    logger_->set_level(spdlog::level::warn);
    cfg_.unix_socket = server_.socket_path().string();
    cfg_.reconnect_min_delay = 10ms;
    cfg_.reconnect_max_delay = 100ms;
    commands_ = &connect();
    reader_ = &connect();
    queue_ = std::make_unique<delivery_queue>(*commands_, "test");
    if (!complete(queue_->ensure_groups(*reader_, channels_))) {
      throw std::runtime_error("cannot create the consumer groups");
    }
  }

  ~DeliveryQueueTest() override {
    for (auto& c : connections_) {
      c->cancel();
    }
    io_.restart();
    io_.run_for(200ms);
  }

  redis_connection& connect() {
    connections_.push_back(std::make_unique<redis_connection>(io_.get_executor(), cfg_, logger_));
    auto& c = *connections_.back();
    asio::co_spawn(io_, c.run(), asio::detached);
    if (!run_until([&] { return c.connected(); })) {
      throw std::runtime_error("no connection to the test Redis");
    }
    return c;
  }

  bool run_until(const std::function<bool()>& done, milliseconds bound = 5s) {
    return liaison::testing::run_io_until(io_, done, bound);
  }

  template <typename T>
  T complete(asio::awaitable<T> task) {
    return liaison::testing::complete_on(io_, std::move(task), 10s);
  }

  std::vector<queued_job> read(const std::string& consumer) {
    auto jobs = complete(queue_->read_new(*reader_, consumer, channels_, 100, 10ms));
    EXPECT_TRUE(jobs) << jobs.error().message();
    return jobs ? *jobs : std::vector<queued_job>{};
  }

  record_fields record(const std::string& id) {
    auto loaded = complete(queue_->load(id));
    EXPECT_TRUE(loaded && *loaded);
    return loaded && *loaded ? **loaded : record_fields{};
  }

  long long delayed_count() { return std::stoll(server_.cli({"ZCARD", queue_->delayed_key()})); }

  liaison::testing::redis_server server_;
  config::redis_config cfg_;
  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ = std::make_shared<spdlog::logger>(
      "queue-test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::vector<std::unique_ptr<redis_connection>> connections_;
  redis_connection* commands_ = nullptr;
  redis_connection* reader_ = nullptr;
  std::unique_ptr<delivery_queue> queue_;
  std::vector<std::string> channels_ = {"sms", "email"};
};

TEST_F(DeliveryQueueTest, keys_share_one_hash_tag) {
  for (const auto& key :
       {queue_->stream_key("sms"), queue_->stream_key("sms", "urgent"), queue_->delivery_key("d1"),
        queue_->delayed_key(), queue_->dead_key(), queue_->idempotency_key("school", "k")}) {
    EXPECT_NE(key.find("{q}"), std::string::npos) << key;
    EXPECT_EQ(key.find('{'), key.rfind('{')) << key;  // exactly one tag
  }
  EXPECT_EQ(server_.cli({"CLUSTER", "KEYSLOT", queue_->delayed_key()}),
            server_.cli({"CLUSTER", "KEYSLOT", queue_->stream_key("voice", "urgent")}));
}

TEST_F(DeliveryQueueTest, urgent_jobs_are_read_before_normal_ones) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "normal-1", sms_record("normal-1"))));
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "urgent-1", sms_record("urgent-1", "urgent"))));
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].delivery_id, "urgent-1");
  EXPECT_EQ(jobs[0].stream_key, queue_->stream_key("sms", "urgent"));
  EXPECT_EQ(jobs[1].delivery_id, "normal-1");
}

// Enqueues a direct message to each of `channels` from as many coroutines at once, as concurrent
// HTTP requests do; the outcome of each (its id), in order. Message i's body is "message <i>".
std::vector<boost::system::result<std::string>> enqueue_concurrently(
    asio::io_context& io, delivery_queue& q, const std::vector<std::string>& channels) {
  std::vector<std::optional<boost::system::result<std::string>>> outcomes(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    asio::co_spawn(
        io,
        [&q, &outcomes, &channels, i]() -> asio::awaitable<void> {
          const auto record = message_record("normal", "message " + std::to_string(i), channels[i]);
          outcomes[i] = co_await q.enqueue_message(channels[i], record);
        },
        asio::detached);
  }
  liaison::testing::run_io_until(
      io, [&] { return std::all_of(outcomes.begin(), outcomes.end(), [](auto& o) { return o; }); },
      10s);
  std::vector<boost::system::result<std::string>> done;
  for (auto& o : outcomes) {
    done.push_back(o ? *o : make_error_code(redis_errc::timeout));
  }
  return done;
}

long long multi_calls(liaison::testing::redis_server& server) {
  const auto stats = server.cli({"INFO", "commandstats"});
  const auto at = stats.find("cmdstat_multi:calls=");
  return at == std::string::npos ? 0 : std::stoll(stats.substr(at + 20));
}

TEST_F(DeliveryQueueTest, concurrent_enqueues_share_transactions_of_up_to_max_enqueue_batch) {
  const std::size_t count = 2 * delivery_queue::max_enqueue_batch + 4;
  server_.cli({"CONFIG", "RESETSTAT"});
  const auto ids = enqueue_concurrently(io_, *queue_, std::vector<std::string>(count, "sms"));
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < count; ++i) {
    ASSERT_TRUE(ids[i]) << i;
    distinct.insert(*ids[i]);
  }
  EXPECT_EQ(distinct.size(), count);
  EXPECT_EQ(multi_calls(server_), 3);  // two full transactions and one of 4
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), std::to_string(count));
  // Each message is one job, read in the order enqueued.
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), count);
  EXPECT_EQ(jobs.front().delivery_id, *ids.front());
  EXPECT_EQ(jobs.back().delivery_id, *ids.back());

  // One at a time, each is its own transaction.
  ASSERT_TRUE(complete(queue_->enqueue_message("sms", message_record())));
  ASSERT_TRUE(complete(queue_->enqueue_message("sms", message_record())));
  EXPECT_EQ(multi_calls(server_), 5);

  // Each id finds its own message (find reads in a MULTI of its own, so after the counting).
  for (std::size_t i = 0; i < count; ++i) {
    auto found = complete(queue_->find(*ids[i]));
    ASSERT_TRUE(found && *found) << *ids[i];
    EXPECT_EQ((*found)->at("body"), "message " + std::to_string(i)) << *ids[i];
  }
}

TEST_F(DeliveryQueueTest, a_delivery_whose_write_fails_fails_alone_in_a_shared_transaction) {
  // Redis runs the other commands of a transaction when one fails: the others are written, and
  // only the caller whose message could not be written hears of a failure.
  server_.cli({"SET", queue_->stream_key("email"), "not a stream"});
  const auto outcomes = enqueue_concurrently(io_, *queue_, {"sms", "email", "sms"});
  EXPECT_TRUE(outcomes[0]);
  ASSERT_FALSE(outcomes[1]);
  EXPECT_EQ(outcomes[1].error(), make_error_code(queue_errc::redis_error));
  ASSERT_TRUE(outcomes[2]);
  auto found = complete(queue_->find(*outcomes[2]));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->at("body"), "message 2");

  // Without a link, every caller of the transaction gets the transport error.
  server_.stop();
  const auto offline = enqueue_concurrently(io_, *queue_, {"sms", "sms"});
  EXPECT_FALSE(offline[0]);
  EXPECT_FALSE(offline[1]);
}

TEST_F(DeliveryQueueTest, completed_job_leaves_the_stream_and_keeps_its_record) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sms_record("d1"))));
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  const record_fields sent = {{"state", "sent"}};
  ASSERT_TRUE(complete(queue_->complete(jobs[0], sent)));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
  EXPECT_EQ(record("d1").at("state"), "sent");
}

TEST_F(DeliveryQueueTest, a_record_carried_in_the_entry_becomes_the_hash_at_the_first_write) {
  // Fan-out's layout: the stream entry carries the record; no hash exists until a worker writes.
  const record_fields carried = {{"id", "c1"},
                                 {"channel", "sms"},
                                 {"state", "queued"},
                                 {"address", "+12025550143"},
                                 {"guardian_name", "Nguyễn"}};
  server_.cli(
      {"XADD", queue_->stream_key("sms"), "*", "deliveries", pack_records({pack_record(carried)})});
  auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].delivery_id, "c1");
  EXPECT_EQ(jobs[0].carried_record, carried);
  EXPECT_FALSE(complete(queue_->load("c1")).value());

  const record_fields handed = {{"state", "sending"}, {"attempts", "1"}};
  const auto marked = complete(commands_->exec_one(queue_->update_command(jobs[0], handed)));
  ASSERT_TRUE(marked && !marked->is_error());
  EXPECT_EQ(record("c1").at("guardian_name"), "Nguyễn");
  EXPECT_EQ(record("c1").at("state"), "sending");

  jobs[0].carried_record.clear();  // as the worker does once the hash exists
  const record_fields sent = {{"state", "sent"}};
  ASSERT_TRUE(complete(queue_->complete(jobs[0], sent)));
  const auto stored = record("c1");
  EXPECT_EQ(stored.at("state"), "sent");
  EXPECT_EQ(stored.at("attempts"), "1");
  EXPECT_EQ(stored.at("address"), "+12025550143");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
}

TEST_F(DeliveryQueueTest, an_entry_of_several_deliveries_is_acknowledged_after_the_last_outcome) {
  const auto packed = [](const std::string& id) {
    return pack_record({{"id", id}, {"channel", "sms"}, {"state", "queued"}});
  };
  const std::string p1 = packed("b1"), p2 = packed("b2"), p3 = packed("b3");
  server_.cli({"XADD", queue_->stream_key("sms"), "*", "deliveries", pack_records({p1, p2, p3})});
  auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[1].delivery_id, "b2");
  EXPECT_EQ(jobs[0].entry_id, jobs[2].entry_id);

  // Each outcome writes its delivery's hash from the carried record.
  const record_fields retrying = {{"state", "retrying"}};
  ASSERT_TRUE(complete(queue_->retry_later(jobs[0], retrying, t0 + 10s)));
  EXPECT_EQ(record("b1").at("channel"), "sms");
  EXPECT_EQ(record("b1").at("state"), "retrying");
  const record_fields dead = {{"state", "dead"}};
  const record_fields letter = {{"delivery", "b2"}, {"reason", "poison"}};
  ASSERT_TRUE(complete(queue_->bury(jobs[1], dead, letter)));
  EXPECT_EQ(record("b2").at("id"), "b2");
  EXPECT_EQ(record("b2").at("state"), "dead");
  // Two of three: the entry is still pending, so a crash now would hand it out again.
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "1");
  auto stats = complete(queue_->stats(channels_));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->pending.at(queue_->stream_key("sms")), 1);

  const record_fields sent = {{"state", "sent"}};
  ASSERT_TRUE(complete(queue_->complete(jobs[2], sent)));
  EXPECT_EQ(record("b3").at("state"), "sent");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
  stats = complete(queue_->stats(channels_));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->pending.at(queue_->stream_key("sms")), 0);
}

TEST_F(DeliveryQueueTest, peek_pages_through_a_stream_without_taking_its_jobs) {
  std::vector<delivery_queue::new_delivery> batch;
  for (int i = 0; i < 20; ++i) {
    const auto id = "m" + std::to_string(i);
    batch.push_back({"sms", id, sms_record(id)});
  }
  ASSERT_TRUE(complete(queue_->enqueue_many(batch)));  // entries of 16 and 4
  auto message = complete(queue_->enqueue_message("sms", message_record()));
  ASSERT_TRUE(message);

  auto first = complete(queue_->peek(queue_->stream_key("sms"), "-", 1));
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(first->size(), 16u);
  EXPECT_EQ(first->front().delivery_id, "m0");
  EXPECT_EQ(first->front().carried_record.at("address"), "+12025550143");
  auto rest = complete(queue_->peek(queue_->stream_key("sms"), first->back().entry_id, 10));
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 5u);
  EXPECT_EQ(rest->at(3).delivery_id, "m19");
  EXPECT_EQ(rest->back().delivery_id, *message);
  EXPECT_EQ(rest->back().carried_record.at("id"), *message);
  auto none = complete(queue_->peek(queue_->stream_key("sms"), rest->back().entry_id, 10));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // Nothing was taken: a worker still gets every job.
  EXPECT_EQ(read("a").size(), 21u);
}

TEST_F(DeliveryQueueTest, enqueue_many_carries_the_records_sixteen_to_an_entry_per_stream) {
  std::vector<delivery_queue::new_delivery> batch;
  for (int i = 0; i < 40; ++i) {
    const auto id = "m" + std::to_string(i);
    batch.push_back({"sms", id, sms_record(id, i % 10 == 0 ? "urgent" : "normal")});
  }
  batch.push_back({"email", "e1", sms_record("e1")});
  ASSERT_TRUE(complete(queue_->enqueue_many(batch)));
  // 36 normal SMS in 3 entries, 4 urgent in 1, the email in 1; no hash yet.
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "3");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms", "urgent")}), "1");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("email")}), "1");
  EXPECT_FALSE(complete(queue_->load("m1")).value());

  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 41u);
  std::set<std::string> ids;
  for (const auto& job : jobs) {
    ids.insert(job.delivery_id);
    EXPECT_EQ(job.carried_record.at("id"), job.delivery_id);
    EXPECT_EQ(job.carried_record.at("body"), "hola");
  }
  EXPECT_EQ(ids.size(), 41u);
  EXPECT_EQ(jobs.front().delivery_id, "m0");  // urgent first
  const record_fields sent = {{"state", "sent"}};
  for (const auto& job : jobs) {
    ASSERT_TRUE(complete(queue_->complete(job, sent)));
  }
  EXPECT_EQ(record("m39").at("state"), "sent");
  EXPECT_EQ(record("m39").at("address"), "+12025550143");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
}

TEST_F(DeliveryQueueTest, an_entry_whose_deliveries_cannot_be_read_is_one_job_without_a_delivery) {
  server_.cli({"XADD", queue_->stream_key("sms"), "*", "deliveries", R"([{"id": 1}])"});
  auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].delivery_id.empty());
  EXPECT_FALSE(jobs[0].batch);
  const record_fields nothing;
  ASSERT_TRUE(complete(queue_->complete(jobs[0], nothing)));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
}

TEST(record_packing, round_trips_and_refuses_what_is_not_an_object_of_strings) {
  const record_fields fields = {{"body", "مرحبا \"quoted\"\n"}, {"id", "x"}};
  EXPECT_EQ(unpack_record(pack_record(fields)), fields);
  EXPECT_FALSE(unpack_record("not json"));
  EXPECT_FALSE(unpack_record(R"({"a": 1})"));
  EXPECT_FALSE(unpack_record(R"(["a"])"));
  const auto many = unpack_records(pack_records({pack_record(fields), pack_record({})}));
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ(many->front(), fields);
  EXPECT_TRUE(many->back().empty());
  EXPECT_FALSE(unpack_records(R"([{"a": "b"}, 3])"));
  EXPECT_FALSE(unpack_records(R"({"a": "b"})"));
}

TEST(record_packing, writes_each_value_as_boost_json_serializes_it) {
  // Plain values are copied between quotes without Boost.JSON's serializer; the bytes must be
  // the same either way, escapes or not.
  const std::vector<std::string> values = {"",
                                           "fam-000123",
                                           "+12025550143",
                                           "Nguyễn Văn Anh",
                                           "مرحبا",
                                           "a/b",
                                           "del\x7f",
                                           "say \"hi\"",
                                           "back\\slash",
                                           "line\nbreak",
                                           "tab\there",
                                           std::string("nul\0in", 6),
                                           "\x01\x1f",
                                           "emoji \xf0\x9f\x8e\x92"};
  for (const auto& value : values) {
    const auto expected =
        "{\"k\":" + boost::json::serialize(boost::json::string_view(value.data(), value.size())) +
        "}";
    EXPECT_EQ(pack_record({{"k", value}}), expected) << value;
  }
}

TEST(record_packing, shared_fields_are_carried_once_and_each_record_keeps_its_own) {
  const auto shared = pack_record({{"announcement", "ann_1"}, {"state", "queued"}});
  const auto first = pack_record({{"id", "d1"}});
  const auto second = pack_record({{"id", "d2"}, {"state", "deferred"}});
  const auto packed = pack_records({first, second}, {shared, {}, {}});
  // Once per entry, not once per record.
  EXPECT_EQ(packed.find("ann_1"), packed.rfind("ann_1"));
  const auto records = unpack_records(packed);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0],
            (record_fields{{"announcement", "ann_1"}, {"id", "d1"}, {"state", "queued"}}));
  EXPECT_EQ((*records)[1].at("state"), "deferred");
  EXPECT_EQ((*records)[1].at("announcement"), "ann_1");
  // Entries split at sixteen records each carry the shared fields.
  std::vector<std::string> many(20, first);
  const auto entries = pack_stream_entries({many.begin(), many.end()}, {shared, {}, {}});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(unpack_records(entries[1])->front().at("announcement"), "ann_1");
  // What is not an object of strings under "shared", or has no "records", is refused.
  EXPECT_FALSE(unpack_records(R"({"shared": {"a": 1}, "records": [{"id": "x"}]})"));
  EXPECT_FALSE(unpack_records(R"({"shared": {"a": "b"}})"));
  EXPECT_FALSE(unpack_records(R"({"shared": {"a": "b"}, "records": {"id": "x"}})"));
}

TEST(record_packing, rows_name_their_values_by_the_columns_given_once) {
  const auto shared = pack_record({{"announcement", "ann_1"}, {"state", "queued"}});
  const auto columns = pack_columns({"id", "name", "state"});
  const auto first = packed_row_writer().add("d1").add("Nguyễn \"Anh\"").add("queued").finish();
  const auto second = packed_row_writer().add("d2").add("").add("deferred").finish();
  EXPECT_EQ(first, R"(["d1","Nguyễn \"Anh\"","queued"])");
  const auto packed = pack_records({first, second}, {shared, columns, {}});
  // The names once per entry, not once per record.
  EXPECT_EQ(packed.find("\"name\""), packed.rfind("\"name\""));
  const auto records = unpack_records(packed);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0], (record_fields{{"announcement", "ann_1"},
                                          {"id", "d1"},
                                          {"name", "Nguyễn \"Anh\""},
                                          {"state", "queued"}}));
  EXPECT_EQ((*records)[1].at("state"), "deferred");  // its own value wins over the shared one
  EXPECT_EQ((*records)[1].at("name"), "");
  // Rows without shared fields.
  const auto bare = unpack_records(pack_records({first}, {{}, columns, {}}));
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->front().contains("announcement"));
  EXPECT_EQ(bare->front().at("id"), "d1");
  // Entries split at sixteen rows each carry the columns and the shared fields.
  std::vector<std::string> many(20, first);
  const auto entries = pack_stream_entries({many.begin(), many.end()}, {shared, columns, {}});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(unpack_records(entries[1])->size(), 4u);
  EXPECT_EQ(unpack_records(entries[1])->front().at("name"), "Nguyễn \"Anh\"");
  // A row longer or shorter than the columns, a value that is not a string, columns that are
  // not strings, or rows under "records" are refused.
  EXPECT_FALSE(unpack_records(R"({"columns": ["a", "b"], "rows": [["x"]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": ["a"], "rows": [["x", "y"]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": ["a"], "rows": [[1]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": [1], "rows": [["x"]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": "a", "rows": [["x"]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": ["a"], "records": [["x"]]})"));
  EXPECT_FALSE(unpack_records(R"({"columns": ["a"], "rows": [{"a": "x"}]})"));
}

TEST(record_packing, joined_fields_are_made_from_the_shared_and_own_values) {
  const auto shared = pack_record({{"announcement", "ann_1"}});
  const auto columns = pack_columns({"family", "channel", "language"});
  const auto joined = pack_joined({{"id", ":", {"announcement", "family", "channel"}},
                                   {"tally_group", "|", {"language", "channel"}},
                                   {"copy", "-", {"family"}}});
  EXPECT_EQ(joined,
            R"({"id":[":","announcement","family","channel"],"tally_group":["|","language",)"
            R"("channel"],"copy":["-","family"]})");
  const auto row = packed_row_writer().add("fam-1").add("sms").add("es-MX").finish();
  const auto records = unpack_records(pack_records({row}, {shared, columns, joined}));
  ASSERT_TRUE(records);
  EXPECT_EQ(records->front().at("id"), "ann_1:fam-1:sms");
  EXPECT_EQ(records->front().at("tally_group"), "es-MX|sms");
  EXPECT_EQ(records->front().at("copy"), "fam-1");
  // A record's own value wins.
  const auto own_columns = pack_columns({"family", "channel", "language", "id"});
  const auto own = packed_row_writer().add("fam-1").add("sms").add("es-MX").add("mine").finish();
  EXPECT_EQ(unpack_records(pack_records({own}, {shared, own_columns, joined}))->front().at("id"),
            "mine");
  // Without the shared announcement the id cannot be made: refused, not made short.
  EXPECT_FALSE(unpack_records(pack_records({row}, {{}, columns, joined})));
  // A "joined" that is not an object of arrays of a separator and names is refused.
  for (const auto* bad : {R"("x")", R"({"id": ":"})", R"({"id": [":"]})", R"({"id": [":", 1]})",
                          R"({"id": [1, "a"]})"}) {
    EXPECT_FALSE(unpack_records(std::string(R"({"columns": ["a"], "joined": )") + bad +
                                R"(, "rows": [["x"]]})"))
        << bad;
  }
  EXPECT_TRUE(
      unpack_records(R"({"columns": ["a"], "joined": {"b": ["+", "a", "a"]}, "rows": [["x"]]})")
          ->front()
          .at("b") == "x+x");
}

TEST(record_packing, stream_entries_carry_sixteen_records_each_in_order) {
  std::vector<std::string> records;
  for (int i = 0; i < 33; ++i) {
    records.push_back(pack_record({{"id", "r" + std::to_string(i)}}));
  }
  const auto entries = pack_stream_entries({records.begin(), records.end()});
  ASSERT_EQ(entries.size(), 3u);
  std::vector<std::string> ids;
  for (const auto& entry : entries) {
    const auto unpacked = unpack_records(entry);
    ASSERT_TRUE(unpacked);
    for (const auto& record : *unpacked) {
      ids.push_back(record.at("id"));
    }
  }
  ASSERT_EQ(ids.size(), 33u);
  EXPECT_EQ(ids[15], "r15");
  EXPECT_EQ(ids[16], "r16");
  EXPECT_EQ(ids.back(), "r32");
  EXPECT_EQ(unpack_records(entries[2])->size(), 1u);
  EXPECT_TRUE(pack_stream_entries({}).empty());
}

TEST(record_packing, stream_batches_group_records_by_stream_in_first_use_order) {
  std::vector<std::string> records;
  for (int i = 0; i < 20; ++i) {
    records.push_back(pack_record({{"id", "r" + std::to_string(i)}}));
  }
  stream_batches batches;
  for (int i = 0; i < 20; ++i) {
    batches.add(i % 4 == 1 ? "email" : "sms", records[static_cast<std::size_t>(i)]);
  }
  ASSERT_EQ(batches.streams(), (std::vector<std::string>{"sms", "email"}));
  EXPECT_EQ(batches.records_of(0), 15u);
  EXPECT_EQ(batches.records_of(1), 5u);
  const auto email = batches.entries_of(1);
  ASSERT_EQ(email.size(), 1u);
  const auto unpacked = unpack_records(email[0]);
  ASSERT_TRUE(unpacked && unpacked->size() == 5u);
  EXPECT_EQ(unpacked->front().at("id"), "r1");
  EXPECT_EQ(unpacked->back().at("id"), "r17");
  EXPECT_EQ(batches.entries_of(0).size(), 1u);  // 15 records: one entry
}

TEST_F(DeliveryQueueTest, retry_later_moves_the_job_to_the_delayed_set_in_one_step) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sms_record("d1"))));
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  const record_fields retrying = {{"state", "retrying"}, {"last_error", "HTTP 503"}};
  ASSERT_TRUE(complete(queue_->retry_later(jobs[0], retrying, t0 + 10s)));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
  EXPECT_EQ(server_.cli({"ZSCORE", queue_->delayed_key(), "d1"}), "1700000010000");
  EXPECT_EQ(record("d1").at("last_error"), "HTTP 503");
  auto pending = complete(queue_->stats(channels_));
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->pending.at(queue_->stream_key("sms")), 0);
  EXPECT_EQ(pending->delayed, 1);
}

TEST_F(DeliveryQueueTest, promotion_moves_only_what_is_due) {
  for (const auto* id : {"early", "late"}) {
    ASSERT_TRUE(complete(queue_->enqueue_once("sms", id, sms_record(id))));
  }
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 2u);
  const record_fields retrying = {{"state", "retrying"}};
  ASSERT_TRUE(complete(queue_->retry_later(jobs[0], retrying, t0 + 5s)));
  ASSERT_TRUE(complete(queue_->retry_later(jobs[1], retrying, t0 + 60s)));

  EXPECT_EQ(*complete(queue_->promote_due(t0 + 4s, 100)), 0u);
  EXPECT_EQ(*complete(queue_->promote_due(t0 + 5s, 100)), 1u);
  auto again = read("a");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].delivery_id, "early");
  EXPECT_EQ(record("early").at("state"), "queued");
  EXPECT_EQ(delayed_count(), 1);
  EXPECT_EQ(*complete(queue_->promote_due(t0 + 1h, 100)), 1u);
  EXPECT_EQ(read("a").size(), 1u);
}

TEST_F(DeliveryQueueTest, promotion_drops_deliveries_that_reached_a_final_state) {
  auto r = sms_record("d1");
  r["state"] = "sent";
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", r)));
  server_.cli({"ZADD", queue_->delayed_key(), "1", "d1"});
  server_.cli({"ZADD", queue_->delayed_key(), "1", "no-record"});
  EXPECT_EQ(*complete(queue_->promote_due(t0, 100)), 2u);
  EXPECT_EQ(delayed_count(), 0);
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "1");  // only the enqueue
}

// A delivery of an announcement that a provider accepted: state sent, counted as sent.
record_fields sent_announcement_record(const std::string& id) {
  auto r = sms_record(id);
  r["state"] = "sent";
  r["tally"] = "ann:a1:tally";
  r["tally_group"] = "es-MX|sms";
  return r;
}

TEST_F(DeliveryQueueTest, a_final_report_moves_a_sent_delivery_and_its_count_once) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sent_announcement_record("d1"))));
  server_.cli({"HSET", queue_->key("ann:a1:tally"), "es-MX|sms|sent", "1"});
  const record_fields fields = {{"provider_status", "delivered"}};
  EXPECT_EQ(*complete(queue_->record_provider_report("d1", "delivered", fields)),
            report_result::applied);
  EXPECT_EQ(record("d1").at("state"), "delivered");
  EXPECT_EQ(server_.cli({"HGET", queue_->key("ann:a1:tally"), "es-MX|sms|delivered"}), "1");
  EXPECT_EQ(server_.cli({"HGET", queue_->key("ann:a1:tally"), "es-MX|sms|sent"}), "0");
  // The same report again (a provider's retry, or a replay) changes nothing.
  EXPECT_EQ(*complete(queue_->record_provider_report("d1", "delivered", fields)),
            report_result::stale);
  EXPECT_EQ(server_.cli({"HGET", queue_->key("ann:a1:tally"), "es-MX|sms|delivered"}), "1");
}

TEST_F(DeliveryQueueTest, an_old_report_replayed_after_the_final_one_moves_nothing_back) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sent_announcement_record("d1"))));
  server_.cli({"HSET", queue_->key("ann:a1:tally"), "es-MX|sms|sent", "1"});
  ASSERT_EQ(*complete(queue_->record_provider_report("d1", "delivered",
                                                     {{"provider_status", "delivered"}})),
            report_result::applied);
  EXPECT_EQ(*complete(queue_->record_provider_report("d1", "undelivered",
                                                     {{"provider_status", "failed"}})),
            report_result::stale);
  EXPECT_EQ(
      *complete(queue_->record_provider_report("d1", "sent", {{"provider_status", "buffered"}})),
      report_result::stale);
  const auto r = record("d1");
  EXPECT_EQ(r.at("state"), "delivered");
  EXPECT_EQ(r.at("provider_status"), "delivered");
  EXPECT_EQ(server_.cli({"HGET", queue_->key("ann:a1:tally"), "es-MX|sms|failed"}), "");
  EXPECT_EQ(server_.cli({"HGET", queue_->key("ann:a1:tally"), "es-MX|sms|delivered"}), "1");
}

TEST_F(DeliveryQueueTest, a_progress_report_is_recorded_without_moving_the_state) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sent_announcement_record("d1"))));
  EXPECT_EQ(
      *complete(queue_->record_provider_report("d1", "sent", {{"provider_status", "buffered"}})),
      report_result::recorded);
  EXPECT_EQ(record("d1").at("state"), "sent");
  EXPECT_EQ(record("d1").at("provider_status"), "buffered");
}

TEST_F(DeliveryQueueTest, a_report_before_our_own_sent_is_recorded_but_moves_nothing) {
  auto r = sms_record("d1");
  r["state"] = "sending";
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", r)));
  EXPECT_EQ(*complete(queue_->record_provider_report("d1", "delivered",
                                                     {{"provider_status", "delivered"}})),
            report_result::recorded);
  EXPECT_EQ(record("d1").at("state"), "sending");
  EXPECT_EQ(*complete(queue_->record_provider_report("nobody", "delivered", {})),
            report_result::unknown_delivery);
}

TEST_F(DeliveryQueueTest, a_report_of_an_unknown_state_is_refused_before_anything_is_written) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sent_announcement_record("d1"))));
  EXPECT_FALSE(
      complete(queue_->record_provider_report("d1", "queued", {{"provider_status", "queued"}})));
  EXPECT_EQ(record("d1").count("provider_status"), 0u);
  EXPECT_EQ(record("d1").at("state"), "sent");
}

TEST_F(DeliveryQueueTest, schedulers_promoting_at_once_move_each_job_once) {
  constexpr int count = 300;
  for (int i = 0; i < count; ++i) {
    const auto id = "d" + std::to_string(i);
    auto r = sms_record(id);
    r["state"] = "retrying";
    ASSERT_TRUE(complete(queue_->update(id, r)));
    ASSERT_TRUE(
        complete(commands_->exec_one({"ZADD", queue_->delayed_key(), std::to_string(i), id})));
  }
  // Three instances, each on its own connection, promoting in small batches concurrently.
  std::vector<std::unique_ptr<delivery_queue>> instances;
  std::size_t moved = 0;
  int finished = 0;
  for (int i = 0; i < 3; ++i) {
    instances.push_back(std::make_unique<delivery_queue>(connect(), "test"));
  }
  for (auto& instance : instances) {
    asio::co_spawn(io_, promote_all(*instance, moved),
                   [&finished](std::exception_ptr) { ++finished; });
  }
  ASSERT_TRUE(run_until([&] { return finished == 3; }, 20s));
  EXPECT_EQ(moved, static_cast<std::size_t>(count));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), std::to_string(count));
  std::set<std::string> ids;
  for (const auto& job : read("a")) {
    ids.insert(job.delivery_id);
  }
  EXPECT_EQ(ids.size(), 100u);  // COUNT 100 per read: all distinct
}

TEST_F(DeliveryQueueTest, scripts_are_loaded_again_after_redis_forgets_them) {
  EXPECT_EQ(*complete(queue_->promote_due(t0, 10)), 0u);
  server_.cli({"SCRIPT", "FLUSH"});
  auto again = complete(queue_->promote_due(t0, 10));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, 0u);
}

TEST_F(DeliveryQueueTest, a_job_left_by_a_dead_consumer_is_claimed_with_its_delivery_count) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sms_record("d1"))));
  ASSERT_EQ(read("crashed").size(), 1u);  // taken, never acknowledged

  auto none = complete(queue_->claim_idle(*reader_, "survivor", channels_, 1h, 10));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());  // not idle long enough

  auto claimed = complete(queue_->claim_idle(*reader_, "survivor", channels_, 0ms, 10));
  ASSERT_TRUE(claimed) << claimed.error().message();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].delivery_id, "d1");
  EXPECT_EQ((*claimed)[0].times_delivered, 2u);
  // Now the survivor's: a second claim by a third consumer counts again.
  auto third = complete(queue_->claim_idle(*reader_, "third", channels_, 0ms, 10));
  ASSERT_TRUE(third);
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ((*third)[0].times_delivered, 3u);
}

TEST_F(DeliveryQueueTest, a_direct_message_is_one_entry_carrying_its_record_and_no_hash) {
  auto id = complete(queue_->enqueue_message("sms", message_record()));
  ASSERT_TRUE(id) << id.error().message();
  const auto at = locate_message(*id);
  ASSERT_TRUE(at) << *id;
  EXPECT_EQ(at->channel, "sms");
  EXPECT_EQ(at->priority, "normal");
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "1");
  EXPECT_EQ(server_.cli({"EXISTS", queue_->delivery_key(*id)}), "0");

  // Found the moment it is accepted, from the entry its id names.
  auto found = complete(queue_->find(*id));
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->at("id"), *id);
  EXPECT_EQ((*found)->at("state"), "queued");
  EXPECT_EQ((*found)->at("address"), "+12025550143");

  // A worker gets it with its record; its outcome writes the hash and removes the entry.
  auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].delivery_id, *id);
  EXPECT_EQ(jobs[0].entry_id, at->entry_id);
  EXPECT_EQ(jobs[0].carried_record.at("id"), *id);
  EXPECT_EQ(jobs[0].carried_record.at("body"), "hola");
  EXPECT_FALSE(jobs[0].batch);  // acknowledged with its outcome
  const record_fields sent = {{"state", "sent"}};
  ASSERT_TRUE(complete(queue_->complete(jobs[0], sent)));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
  EXPECT_EQ(record(*id).at("state"), "sent");
  EXPECT_EQ(record(*id).at("address"), "+12025550143");
  found = complete(queue_->find(*id));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->at("state"), "sent");  // the hash, now
}

TEST_F(DeliveryQueueTest, an_urgent_direct_message_goes_to_the_urgent_stream_and_is_read_first) {
  ASSERT_TRUE(complete(queue_->enqueue_message("sms", message_record("normal", "later"))));
  auto urgent = complete(queue_->enqueue_message("sms", message_record("urgent", "now")));
  ASSERT_TRUE(urgent);
  EXPECT_TRUE(urgent->ends_with("_sms_urgent")) << *urgent;
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms", "urgent")}), "1");
  auto found = complete(queue_->find(*urgent));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->at("body"), "now");
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].delivery_id, *urgent);
  EXPECT_EQ(jobs[1].carried_record.at("body"), "later");
}

TEST_F(DeliveryQueueTest, find_answers_nothing_for_an_id_that_names_no_message) {
  auto id = complete(queue_->enqueue_message("sms", message_record()));
  ASSERT_TRUE(id);
  const auto at = locate_message(*id);
  ASSERT_TRUE(at);
  for (const auto& other :
       {std::string("msg_1-1_sms"),
        message_id_for(at->entry_id, "email", "normal"),  // no such entry on email's stream
        message_id_for(at->entry_id, "sms", "urgent"),
        std::string("msg_99999999999999999999-0_sms"),  // past Redis's entry ids: an error there
        std::string("msg_019ac1f0e3a2c1d35f0b9a7e4c21")}) {
    auto found = complete(queue_->find(other));
    ASSERT_TRUE(found) << other << ": " << found.error().message();
    EXPECT_FALSE(*found) << other;
  }
  // An entry the id names that is not a direct message's is none either.
  ASSERT_TRUE(complete(queue_->enqueue_once("email", "d1", sms_record("d1"))));
  const auto entry = server_.cli({"XRANGE", queue_->stream_key("email"), "-", "+"});
  const auto entry_id = entry.substr(0, entry.find('\n'));
  auto found = complete(queue_->find(message_id_for(entry_id, "email", "normal")));
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found) << entry_id;
}

TEST_F(DeliveryQueueTest, an_unreadable_direct_message_entry_is_a_job_without_a_delivery) {
  server_.cli({"XADD", queue_->stream_key("sms"), "*", "message", "not a record"});
  auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].delivery_id.empty());
  const record_fields none;
  ASSERT_TRUE(complete(queue_->complete(jobs[0], none)));
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "0");
}

TEST_F(DeliveryQueueTest, idempotent_intake_same_request_replays_other_request_conflicts) {
  const idempotency_claim claim{"lincoln", "key-1", "hash-a", 24h};
  auto first = complete(queue_->enqueue_idempotent(claim, "sms", message_record()));
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->result, intake_result::created);
  // The id names the entry the script wrote, as enqueue_message's does, and finds the message.
  const auto at = locate_message(first->delivery_id);
  ASSERT_TRUE(at) << first->delivery_id;
  EXPECT_EQ(server_.cli({"XRANGE", queue_->stream_key("sms"), at->entry_id, at->entry_id}).empty(),
            false);
  auto found = complete(queue_->find(first->delivery_id));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->at("id"), first->delivery_id);

  auto repeat = complete(queue_->enqueue_idempotent(claim, "sms", message_record()));
  ASSERT_TRUE(repeat);
  EXPECT_EQ(repeat->result, intake_result::replayed);
  EXPECT_EQ(repeat->delivery_id, first->delivery_id);

  idempotency_claim other = claim;
  other.request_hash = "hash-b";
  auto conflict = complete(queue_->enqueue_idempotent(other, "sms", message_record()));
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->result, intake_result::conflict);

  EXPECT_EQ(conflict->delivery_id, first->delivery_id);
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms")}), "1");  // no new work
  const auto ttl = std::stoll(server_.cli({"PTTL", queue_->idempotency_key("lincoln", "key-1")}));
  EXPECT_GT(ttl, 86'340'000);
  EXPECT_LE(ttl, 86'400'000);
}

TEST_F(DeliveryQueueTest, idempotency_keys_are_scoped_per_api_key) {
  const idempotency_claim lincoln{"lincoln", "same-key", "hash-a", 24h};
  const idempotency_claim washington{"washington", "same-key", "hash-b", 24h};
  EXPECT_EQ(complete(queue_->enqueue_idempotent(lincoln, "sms", message_record()))->result,
            intake_result::created);
  EXPECT_EQ(complete(queue_->enqueue_idempotent(washington, "sms", message_record()))->result,
            intake_result::created);
}

TEST_F(DeliveryQueueTest, an_expired_idempotency_key_is_new_again) {
  const idempotency_claim claim{"lincoln", "key-1", "hash-a", 1ms};
  EXPECT_EQ(complete(queue_->enqueue_idempotent(claim, "sms", message_record()))->result,
            intake_result::created);
  // Redis's own clock expires the key; it cannot be injected, but 1 ms passes quickly.
  ASSERT_TRUE(liaison::testing::eventually([&] {
    return server_.cli({"EXISTS", queue_->idempotency_key("lincoln", "key-1")}) == "0";
  }));
  EXPECT_EQ(complete(queue_->enqueue_idempotent(claim, "sms", message_record()))->result,
            intake_result::created);
}

TEST_F(DeliveryQueueTest, an_announcements_failures_are_indexed_until_a_replay_takes_one_back) {
  const auto failures = queue_->key("ann:a1:failures");
  const auto tally = queue_->key("ann:a1:tally");
  // d1 is sent and then reported undelivered; d2 exhausts its retries (a dead letter).
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sent_announcement_record("d1"))));
  auto queued = sent_announcement_record("d2");
  queued["state"] = "queued";
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d2", queued)));
  server_.cli({"HSET", tally, "es-MX|sms|sent", "1", "es-MX|sms|queued", "1"});
  ASSERT_EQ(
      *complete(queue_->record_provider_report("d1", "undelivered", {{"provider_error", "30003"}})),
      report_result::applied);
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 2u);
  const auto& job = jobs[0].delivery_id == "d2" ? jobs[0] : jobs[1];
  const auto move = tally_move_for(queued, "dead", t0);
  EXPECT_EQ(move.failures_key_suffix, "ann:a1:failures");
  ASSERT_TRUE(complete(queue_->bury(job, {{"state", "dead"}, {"dead_reason", "gave up"}},
                                    {{"delivery", "d2"}, {"channel", "sms"}}, move)));
  EXPECT_EQ(server_.cli({"HGET", tally, "es-MX|sms|failed"}), "2");
  EXPECT_EQ(server_.cli({"ZSCORE", failures, "d2"}), "1700000000000");
  EXPECT_NE(server_.cli({"ZSCORE", failures, "d1"}), "");  // scored by Redis's clock
  EXPECT_EQ(server_.cli({"ZCARD", failures}), "2");

  // The operator replays the dead letter: pending again, no longer a failure.
  auto letters = complete(queue_->list_dead("-", 10));
  ASSERT_TRUE(letters);
  ASSERT_EQ(letters->size(), 1u);
  ASSERT_TRUE(complete(queue_->replay_dead((*letters)[0].entry_id, t0)));
  EXPECT_EQ(server_.cli({"HGET", tally, "es-MX|sms|failed"}), "1");
  EXPECT_EQ(server_.cli({"HGET", tally, "es-MX|sms|queued"}), "1");
  EXPECT_EQ(server_.cli({"ZRANGE", failures, "0", "-1"}), "d1");
}

TEST_F(DeliveryQueueTest, buried_job_is_listed_shown_replayed_and_purged) {
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d1", sms_record("d1", "urgent"))));
  ASSERT_TRUE(complete(queue_->enqueue_once("sms", "d2", sms_record("d2"))));
  const auto jobs = read("a");
  ASSERT_EQ(jobs.size(), 2u);
  const record_fields dead = {{"state", "dead"}, {"dead_reason", "gave up after 8 attempts"}};
  for (const auto& job : jobs) {
    const record_fields letter = {
        {"delivery", job.delivery_id}, {"channel", "sms"}, {"reason", "gave up after 8 attempts"}};
    ASSERT_TRUE(complete(queue_->bury(job, dead, letter)));
  }
  EXPECT_EQ(server_.cli({"XLEN", queue_->stream_key("sms", "urgent")}), "0");

  auto listed = complete(queue_->list_dead("-", 10));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].fields.at("delivery"), "d1");
  EXPECT_EQ((*listed)[0].fields.at("reason"), "gave up after 8 attempts");
  auto page = complete(queue_->list_dead((*listed)[0].entry_id, 10));
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].fields.at("delivery"), "d2");

  auto shown = complete(queue_->find_dead((*listed)[0].entry_id));
  ASSERT_TRUE(shown && *shown);
  EXPECT_EQ((*shown)->fields.at("delivery"), "d1");
  EXPECT_FALSE(*complete(queue_->find_dead("not-an-id")));

  auto replayed = complete(queue_->replay_dead((*listed)[0].entry_id, t0));
  ASSERT_TRUE(replayed) << replayed.error().message();
  EXPECT_EQ(*replayed, "d1");
  const auto r = record("d1");
  EXPECT_EQ(r.at("state"), "queued");
  EXPECT_EQ(r.at("attempts"), "0");
  EXPECT_EQ(r.at("retry_window_start"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(r.count("dead_reason"), 0u);
  const auto again = read("a");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].stream_key, queue_->stream_key("sms", "urgent"));
  // Replaying the same entry twice queues it once.
  EXPECT_EQ(complete(queue_->replay_dead((*listed)[0].entry_id, t0)).error(),
            make_error_code(queue_errc::not_found));

  const std::vector<std::string> second = {(*listed)[1].entry_id};
  EXPECT_EQ(*complete(queue_->purge_dead(second)), 1u);
  EXPECT_EQ(server_.cli({"XLEN", queue_->dead_key()}), "0");
  EXPECT_EQ(record("d2").at("state"), "dead");
}

TEST_F(DeliveryQueueTest, stats_count_depth_pending_delayed_and_dead) {
  for (const auto* id : {"d1", "d2", "d3"}) {
    ASSERT_TRUE(complete(queue_->enqueue_once("sms", id, sms_record(id))));
  }
  ASSERT_EQ(complete(queue_->read_new(*reader_, "a", channels_, 1, 10ms))->size(), 1u);
  server_.cli({"ZADD", queue_->delayed_key(), "1", "later"});
  server_.cli({"XADD", queue_->dead_key(), "*", "delivery", "x"});
  auto stats = complete(queue_->stats(channels_));
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->depth.at(queue_->stream_key("sms")), 3);
  EXPECT_EQ(stats->pending.at(queue_->stream_key("sms")), 1);
  EXPECT_EQ(stats->depth.at(queue_->stream_key("email", "urgent")), 0);
  EXPECT_EQ(stats->delayed, 1);
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(*complete(queue_->purge_all_dead()), 1u);
}

}  // namespace
}  // namespace liaison::queue
