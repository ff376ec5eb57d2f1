// The queue's promises, end to end with the real liaisond and a private redis-server: a daemon
// killed with SIGKILL mid-batch delivers every job after its restart and none twice; a Redis
// killed and restarted under load (AOF) loses no accepted message; Idempotency-Key over HTTP;
// `liaisonctl dlq` lists, shows, replays and purges dead letters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "queue/message_id.hpp"
#include "support/crypto.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* admin_key = "durability-admin-key";

std::string sms_body(int n) {
  return R"({"to": {"phone": "+12025550143"}, "channel": "sms", "language": "en", "body": "notice )" +
         std::to_string(n) + R"("})";
}

command_result run_liaisonctl(const std::string& args) {
  return run_command(std::string(LIAISONCTL_PATH) + " " + args);
}

class QueueDurabilityTest : public ::testing::Test {
 protected:
  explicit QueueDurabilityTest(redis_server::options options = {}) : redis_(options) {
    write_config(config_path(), port_, "durable");
  }

  void write_config(const std::filesystem::path& path, std::uint16_t port,
                    const std::string& consumer) {
    std::ostringstream toml;
    toml << "[district]\ncatalog_directory = \"" LIAISON_SOURCE_DIR "/i18n/catalog\"\n"
         << "[http]\nport = " << port << "\nread_timeout = \"5s\"\n"
         << "[redis]\nunix_socket = \"" << redis_.socket_path().string() << "\"\n"
         << "reconnect_min_delay = \"20ms\"\nreconnect_max_delay = \"200ms\"\n"
         << "health_check_interval = \"100ms\"\ncommand_timeout = \"1s\"\n"
         << "[workers]\nconsumer_name = \"" << consumer << "\"\nblock_timeout = \"100ms\"\n"
         << "visibility_timeout = \"2s\"\nscheduler_interval = \"100ms\"\n"
         << "[shutdown]\ndrain_timeout = \"5s\"\n"
         << "[[auth.api_keys]]\nname = \"admin\"\nrole = \"admin\"\nsha256 = \""
         << sha256_hex(admin_key) << "\"\n"
         << "[[providers]]\nname = \"outbox\"\nkind = \"outbox\"\nchannels = [\"sms\", \"email\"]\n"
         // The outbox is a file: no provider rate limit to model here.
         << "rate_per_second = 1000000\n"
         << "directory = \"" << (dir_.path() / "outbox").string() << "\"\n";
    std::ofstream(path) << toml.str();
  }

  std::filesystem::path config_path() const { return dir_.path() / "liaison.toml"; }

  void start_daemon() {
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, config_path(), port_,
                                               dir_.path() / "liaisond.log");
  }

  http_reply post(const std::string& body, const std::string& idempotency_key = {}) {
    http_call call{"POST",
                   "/v1/messages",
                   body,
                   {{"Authorization", std::string("Bearer ") + admin_key},
                    {"Content-Type", "application/json"}}};
    if (!idempotency_key.empty()) {
      call.headers["Idempotency-Key"] = idempotency_key;
    }
    return send_http(port_, call);
  }

  static std::string id_of(const http_reply& reply) {
    return std::string(boost::json::parse(reply.body).at("id").as_string());
  }

  // delivery id -> how many times the outbox received it; malformed lines count under "".
  std::map<std::string, int> outbox() const {
    std::map<std::string, int> seen;
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    for (std::string line; std::getline(in, line);) {
      try {
        ++seen[std::string(boost::json::parse(line).at("delivery_id").as_string())];
      } catch (const std::exception&) {
        ++seen[""];
      }
    }
    return seen;
  }

  bool all_delivered(const std::set<std::string>& ids) const {
    const auto seen = outbox();
    return std::all_of(ids.begin(), ids.end(), [&](const auto& id) { return seen.count(id) > 0; });
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

class QueueDurabilityAofTest : public QueueDurabilityTest {
 protected:
  QueueDurabilityAofTest() : QueueDurabilityTest(append_only()) {}

  static redis_server::options append_only() {
    redis_server::options options;
    options.append_only = true;  // appendfsync always, as docs/operations.md recommends
    return options;
  }
};

TEST_F(QueueDurabilityTest,
       daemon_killed_mid_batch_delivers_every_job_after_restart_twice_only_if_in_the_window) {
  // A backlog written as intake writes it (a stream entry carrying the record; the id names the
  // entry), so the worker is busy when the kill comes; HTTP intake one request at a time would
  // never get ahead of it.
  constexpr int jobs = 2000;
  const auto entries = redis_.cli({"EVAL", R"lua(
    local ids = {}
    for i = 1, tonumber(ARGV[1]) do
      local record = cjson.encode({kind = 'direct', channel = 'sms', address = '+12025550143',
                                   language = 'en', body = 'notice ' .. i, state = 'queued',
                                   attempts = '0', created_at = '2030-01-01T00:00:00.000Z',
                                   retry_window_start = '2030-01-01T00:00:00.000Z'})
      ids[#ids + 1] = redis.call('XADD', 'liaison:{q}:stream:sms', '*', 'message', record)
    end
    return table.concat(ids, ' '))lua",
                                   "0", std::to_string(jobs)});
  std::set<std::string> accepted;
  {
    std::istringstream words(entries);
    for (std::string entry; words >> entry;) {
      accepted.insert(queue::message_id_for(entry, "sms", "normal"));
    }
  }
  ASSERT_EQ(accepted.size(), static_cast<std::size_t>(jobs)) << entries;
  start_daemon();
  ASSERT_TRUE(eventually([&] { return outbox().size() >= 300; }))
      << daemon_->log() << redis_.cli({"XLEN", "liaison:{q}:stream:sms"}) << " entries; "
      << redis_.cli({"XINFO", "GROUPS", "liaison:{q}:stream:sms"});
  daemon_->signal(SIGKILL);  // mid-batch: up to max_in_flight jobs are being sent at once
  daemon_->wait_exit(5s);
  const auto before_restart = outbox().size();
  // The deliveries handed to the provider with no outcome recorded: the one window in which a
  // crash may cause a second send (docs/queue.md). Each was written to the outbox or not.
  std::vector<std::string> eval_handed_over = {"EVAL", R"lua(
    local ids = {}
    for _, id in ipairs(ARGV) do
      if redis.call('HGET', 'liaison:{q}:delivery:' .. id, 'state') == 'sending' then
        ids[#ids + 1] = id
      end
    end
    return table.concat(ids, ' '))lua",
                                               "0"};
  eval_handed_over.insert(eval_handed_over.end(), accepted.begin(), accepted.end());
  const auto handed_over = redis_.cli(eval_handed_over);
  std::set<std::string> in_window;
  {
    std::istringstream words(handed_over);
    for (std::string id; words >> id;) {
      in_window.insert(id);
    }
  }
  ASSERT_LT(before_restart, accepted.size()) << "the worker finished before the kill";

  start_daemon();  // same consumer name: takes back its own unacknowledged jobs at once
  ASSERT_TRUE(eventually([&] { return all_delivered(accepted); }, 60s)) << daemon_->log();
  const auto seen = outbox();
  EXPECT_EQ(seen.count(""), 0u) << "a torn outbox line";
  EXPECT_EQ(seen.size(), accepted.size());
  for (const auto& [id, times] : seen) {
    if (in_window.contains(id)) {
      EXPECT_LE(times, 2) << id << " was delivered " << times << " times";
    } else {
      EXPECT_EQ(times, 1) << id << " was delivered " << times << " times, not in the window";
    }
  }
  EXPECT_EQ(redis_.cli({"XLEN", "liaison:{q}:stream:sms"}), "0");
}

TEST_F(QueueDurabilityTest, two_daemons_on_one_redis_split_the_work_and_deliver_each_job_once) {
  start_daemon();
  const auto second_port = free_tcp_port();
  write_config(dir_.path() / "second.toml", second_port, "second");
  daemon_process second(LIAISOND_PATH, dir_.path() / "second.toml", second_port,
                        dir_.path() / "second.log");
  std::set<std::string> accepted;
  for (int i = 0; i < 200; ++i) {
    // Intake through both; the outbox file is shared (one appended line per delivery).
    const auto reply =
        i % 2 == 0 ? post(sms_body(i))
                   : send_http(second_port, {"POST",
                                             "/v1/messages",
                                             sms_body(i),
                                             {{"Authorization", std::string("Bearer ") + admin_key},
                                              {"Content-Type", "application/json"}}});
    ASSERT_EQ(reply.status, 202u) << reply.body;
    accepted.insert(id_of(reply));
  }
  ASSERT_TRUE(eventually([&] { return all_delivered(accepted); }, 30s)) << daemon_->log();
  const auto seen = outbox();
  EXPECT_EQ(seen.size(), accepted.size());
  for (const auto& [id, times] : seen) {
    EXPECT_EQ(times, 1) << id << " was delivered " << times << " times";
  }
  // Both instances are consumers of the one group (which of them sent what is not recorded).
  const auto consumers = redis_.cli({"XINFO", "CONSUMERS", "liaison:{q}:stream:sms", "workers"});
  EXPECT_THAT(consumers, HasSubstr("durable"));
  EXPECT_THAT(consumers, HasSubstr("second"));
}

TEST_F(QueueDurabilityAofTest, redis_killed_under_load_loses_no_accepted_message) {
  start_daemon();
  std::set<std::string> accepted;
  int refused = 0;
  for (int i = 0; i < 300; ++i) {
    if (i == 100) {
      redis_.kill_now();  // a crash: no shutdown save, only the AOF survives
    }
    if (i == 150) {
      redis_.start();
      // Reconnecting takes the client's backoff; what is under test is that nothing accepted
      // is lost, not how fast the reconnect is, so wait for readiness.
      ASSERT_TRUE(eventually(
          [&] {
            return send_http(port_, {"GET", "/readyz", {}, {}}).status == 200;
          },
          10s));
    }
    const auto reply = post(sms_body(i));
    if (reply.status == 202) {
      accepted.insert(id_of(reply));
    } else {
      EXPECT_EQ(reply.status, 503u) << reply.body;
      ++refused;
    }
  }
  EXPECT_GE(accepted.size(), 250u);  // all before the kill and all after the reconnect
  EXPECT_GT(refused, 0);
  ASSERT_TRUE(eventually([&] { return all_delivered(accepted); }, 60s)) << daemon_->log();
}

TEST_F(QueueDurabilityTest, liaisonctl_export_lists_messages_still_queued_and_those_sent) {
  start_daemon();
  const auto sent = post(sms_body(1));
  ASSERT_EQ(sent.status, 202u) << sent.body;
  ASSERT_TRUE(eventually([&] { return outbox().count(id_of(sent)) == 1; })) << daemon_->log();
  // An instance that only takes requests: the next message stays in its stream entry, no hash.
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(10s), 0);
  daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, config_path(), port_,
                                             dir_.path() / "api-only.log",
                                             std::vector<std::string>{"--workers", "off"});
  const auto queued = post(sms_body(2));
  ASSERT_EQ(queued.status, 202u) << queued.body;
  EXPECT_EQ(redis_.cli({"EXISTS", "liaison:{q}:delivery:" + id_of(queued)}), "0");

  const auto exported = run_liaisonctl("export --config " + config_path().string() + " 2>&1");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_THAT(exported.output, HasSubstr("liaisonctl: 2 records"));
  std::map<std::string, std::string> state_by_id;
  std::istringstream lines(exported.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("{")) {
      const auto record = boost::json::parse(line).as_object();
      state_by_id[std::string(record.at("id").as_string())] =
          std::string(record.at("state").as_string());
    }
  }
  EXPECT_EQ(state_by_id[id_of(sent)], "sent");
  EXPECT_EQ(state_by_id[id_of(queued)], "queued");

  const auto none = run_liaisonctl("export --since 2100-01-01T00:00:00Z --config " +
                                   config_path().string() + " 2>&1");
  ASSERT_EQ(none.exit_code, 0) << none.output;
  EXPECT_THAT(none.output, HasSubstr("liaisonctl: 0 records"));
}

TEST_F(QueueDurabilityTest, idempotency_key_same_body_same_answer_other_body_422) {
  start_daemon();
  const auto first = post(sms_body(1), "attendance-2024-01-15-maria");
  ASSERT_EQ(first.status, 202u) << first.body;
  const auto repeat = post(sms_body(1), "attendance-2024-01-15-maria");
  EXPECT_EQ(repeat.status, 202u);
  EXPECT_EQ(repeat.body, first.body);
  EXPECT_EQ(repeat.headers.at("location"), first.headers.at("location"));
  EXPECT_EQ(repeat.headers.at("idempotent-replayed"), "true");

  const auto other = post(sms_body(2), "attendance-2024-01-15-maria");
  EXPECT_EQ(other.status, 422u);
  EXPECT_EQ(other.headers.at("content-type"), "application/problem+json");
  EXPECT_THAT(other.body, HasSubstr("idempotency-key-reused"));

  EXPECT_EQ(post(sms_body(1), std::string(300, 'k')).status, 400u);

  ASSERT_TRUE(eventually([&] { return outbox().size() == 1; }));
  // A later message gets through: anything the repeats had queued would be out by then.
  ASSERT_EQ(post(sms_body(3)).status, 202u);
  ASSERT_TRUE(eventually([&] { return outbox().size() == 2; }));
  EXPECT_EQ(outbox().at(id_of(first)), 1);
}

TEST_F(QueueDurabilityTest, liaisonctl_dlq_lists_shows_replays_and_purges) {
  // Two dead letters as the worker writes them.
  for (const std::string id : {"msg_dead_one", "msg_dead_two"}) {
    redis_.cli({"HSET", "liaison:{q}:delivery:" + id, "id", id, "channel", "sms", "state", "dead",
                "address", "+12025550143", "language", "en", "body", "replayed " + id, "attempts",
                "6", "dead_reason", "gave up after 6 attempts: HTTP 503"});
    redis_.cli({"XADD", "liaison:{q}:dead", "*", "delivery", id, "channel", "sms", "reason",
                "gave up after 6 attempts: HTTP 503", "failed_at", "2024-01-15T07:00:00.000Z"});
  }
  const std::string config = "--config " + config_path().string();
  const auto listed = run_liaisonctl("dlq " + config + " list");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("msg_dead_one\tsms\t2024-01-15T07:00:00.000Z\tgave up"));
  const auto first_entry = listed.output.substr(0, listed.output.find('\t'));
  const auto second_line = listed.output.substr(listed.output.find('\n') + 1);
  const auto second_entry = second_line.substr(0, second_line.find('\t'));

  const auto shown = run_liaisonctl("dlq " + config + " show " + first_entry);
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("body: replayed msg_dead_one"));
  EXPECT_EQ(run_liaisonctl("dlq " + config + " show 1-1").exit_code, 1);
  EXPECT_EQ(run_liaisonctl("dlq " + config + " frobnicate").exit_code, 2);

  const auto replayed = run_liaisonctl("dlq " + config + " replay " + first_entry);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_THAT(replayed.output, HasSubstr("1 replayed"));
  start_daemon();
  ASSERT_TRUE(eventually([&] { return outbox().count("msg_dead_one") == 1; })) << daemon_->log();
  EXPECT_EQ(outbox().count("msg_dead_two"), 0u);

  const auto purged = run_liaisonctl("dlq " + config + " purge --all");
  ASSERT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_THAT(purged.output, HasSubstr("1 purged"));
  EXPECT_EQ(run_liaisonctl("dlq " + config + " list").output, "");
  EXPECT_NE(second_entry, first_entry);
}

TEST_F(QueueDurabilityTest, liaisonctl_stats_prints_the_queues_figures) {
  redis_.cli({"XADD", "liaison:{q}:stream:sms", "*", "delivery", "d-1"});
  redis_.cli({"XADD", "liaison:{q}:stream:sms", "*", "delivery", "d-2"});
  redis_.cli({"ZADD", "liaison:{q}:delayed", "1", "d-3"});
  redis_.cli({"XADD", "liaison:{q}:dead", "*", "delivery", "d-4"});
  redis_.cli({"ZADD", "liaison:{q}:fanout", "1", "ann_1"});
  const auto stats = run_liaisonctl("stats --config " + config_path().string());
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_THAT(stats.output, HasSubstr("stream sms: 2 entries waiting or in progress"));
  EXPECT_THAT(stats.output, HasSubstr("delayed: 1\n"));
  EXPECT_THAT(stats.output, HasSubstr("dead letters: 1\n"));
  EXPECT_THAT(stats.output, HasSubstr("announcements to fan out: 1\n"));
  EXPECT_EQ(run_liaisonctl("stats --bogus").exit_code, 2);
}

}  // namespace
}  // namespace liaison::testing
