// The fault-injection suite (docs/queue.md, "Faults"): the real liaisond, a real redis-server, a
// recording SMS gateway (the generic webhook provider pointed at a stub) and a real SMTP server,
// with faults injected while deliveries are in flight:
//   - liaisond killed with SIGKILL mid-fan-out and mid-dispatch, again and again, and restarted;
//   - redis-server killed with SIGKILL under load and restarted from its AOF;
//   - the gateway answering 500, 429 with Retry-After, slowly, not at all, or resetting;
//   - the SMTP server down, then up.
// After each, every delivery whose intake was acknowledged (2xx) must reach a final state and
// be accepted by the provider exactly once, except a second copy under the one documented rule:
// a delivery found "sending" (handed to the provider, no outcome recorded) by the next consumer,
// which says so in its log. The suite's figures are printed at the end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/peer_process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/stub_http_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* admin_key = "faults-admin-key";

// --- The figures ----------------------------------------------------------------------------

struct figures {
  int scenarios = 0;
  int daemon_starts = 0;
  int faults = 0;  // kills, restarts, faulty answers, outages
  std::size_t acknowledged = 0;
  std::size_t final_state = 0;
  std::size_t lost = 0;
  std::size_t duplicates_in_window = 0;  // second copies the documented rule allows
  std::size_t duplicates_outside = 0;    // any other: a bug
};

// Printed once, when the whole suite has run (CTest runs it as one process).
class figures_report : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf(
        "\nfault-injection figures: %d scenarios, %d liaisond starts, %d faults injected; "
        "%zu deliveries acknowledged, %zu reached a final state, %zu lost, %zu duplicates "
        "(%zu in the documented window, %zu outside it)\n",
        totals.scenarios, totals.daemon_starts, totals.faults, totals.acknowledged,
        totals.final_state, totals.lost, totals.duplicates_in_window + totals.duplicates_outside,
        totals.duplicates_in_window, totals.duplicates_outside);
  }
  figures totals;
};

figures_report* const report =
    static_cast<figures_report*>(::testing::AddGlobalTestEnvironment(new figures_report));

// --- A recording SMS gateway ------------------------------------------------------------------

// The webhook provider's peer: answers each POST as `behaviour` says for that delivery's n-th
// request, and counts what it accepted (answered 2xx) per delivery id: what a phone would get.
class gateway {
 public:
  using behaviour = std::function<stub_response(const std::string& text, int attempt)>;

  explicit gateway(behaviour b)
      : behaviour_(std::move(b)), server_([this](const stub_request& r) { return answer(r); }) {}

  std::string url() const { return server_.url() + "/deliveries"; }

  std::map<std::string, int> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::size_t accepted_total() const {
    std::lock_guard lock(mutex_);
    return accepted_total_;
  }
  std::map<std::string, std::vector<steady_clock::time_point>> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int faulty_answers() const {
    std::lock_guard lock(mutex_);
    return faulty_;
  }

 private:
  stub_response answer(const stub_request& r) {
    std::string id;
    std::string text;
    try {
      const auto body = boost::json::parse(r.body).as_object();
      id = std::string(body.at("delivery_id").as_string());
      text = std::string(body.at("text").as_string());
    } catch (const std::exception&) {
      return {400, {}, "{}"};
    }
    std::lock_guard lock(mutex_);
    auto& times = requests_[id];
    times.push_back(steady_clock::now());
    auto res = behaviour_(text, static_cast<int>(times.size()));
    if (res.status / 100 == 2 && !res.never_answer && !res.close_connection &&
        !res.reset_connection) {
      ++accepted_[id];
      ++accepted_total_;
      res.headers.emplace_back("Content-Type", "application/json");
      res.body = R"({"id": "gw-)" + id + "\"}";
    } else {
      ++faulty_;
    }
    return res;
  }

  behaviour behaviour_;
  mutable std::mutex mutex_;
  std::map<std::string, int> accepted_;
  std::size_t accepted_total_ = 0;
  std::map<std::string, std::vector<steady_clock::time_point>> requests_;
  int faulty_ = 0;
  stub_http_server server_;  // last: its thread stops before the rest goes
};

stub_response ok_after(milliseconds delay) {
  stub_response r;
  r.status = 200;
  r.delay = delay;
  return r;
}

// --- The fixture --------------------------------------------------------------------------------

class FaultInjectionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ++report->totals.scenarios;
    report->totals.daemon_starts += starts_;
    report->totals.faults += faults_;
  }

  void start_redis(bool append_only) {
    redis_server::options options;
    options.append_only = append_only;  // appendfsync always, as config/redis-liaison.conf
    redis_ = std::make_unique<redis_server>(options);
  }

  // `providers`: [[providers]] tables. Retries are fast (100 ms to 1 s) and plentiful so that
  // every transient fault ends in a delivery within the suite's time.
  void write_config(const std::string& providers) {
    liaisond_config(port_, redis_->socket_path())
        .district("quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n")
        .redis(
            "reconnect_min_delay = \"20ms\"\nreconnect_max_delay = \"200ms\"\n"
            "health_check_interval = \"100ms\"\ncommand_timeout = \"1s\"\n")
        .api_key("admin", "admin", admin_key)
        .tables(
            "[workers]\nconsumer_name = \"faults\"\nblock_timeout = \"100ms\"\n"
            "visibility_timeout = \"5s\"\nscheduler_interval = \"100ms\"\n"
            // Pages of two families: 750 pages for the kills to land in, however fast the
            // machine writes them (pages of 25 were all written before the first kill).
            "fanout_lease = \"1s\"\nfanout_page_families = 2\nmax_in_flight = 32\n"
            // Every kill makes the restarted worker take its pending jobs again: with many
            // kills a job would count as poison (docs/queue.md) long before it is one.
            "max_deliveries = 100\n"
            "[shutdown]\ndrain_timeout = \"2s\"\n"
            "[retry.sms.normal]\nmax_attempts = 40\nbase_delay = \"100ms\"\n"
            "max_delay = \"1s\"\nmax_age = \"10m\"\n"
            "[retry.email.normal]\nmax_attempts = 40\nbase_delay = \"100ms\"\n"
            "max_delay = \"1s\"\nmax_age = \"10m\"\n" +
            providers)
        .write(dir_.path() / "liaison.toml");
  }

  std::string gateway_provider(const gateway& g, int rate_per_second) {
    std::ofstream(dir_.path() / "gateway-secret") << "faults-gateway-secret";
    return "[[providers]]\nname = \"gateway\"\nkind = \"webhook\"\nchannels = [\"sms\"]\n"
           "base_url = \"" +
           g.url() + "\"\nsecret_file = \"" + (dir_.path() / "gateway-secret").string() +
           "\"\nrequest_timeout = \"1500ms\"\nrate_per_second = " +
           std::to_string(rate_per_second) +
           "\nbreaker_failures = 5\nbreaker_open_for = \"300ms\"\n";
  }

  void start_daemon() {
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    ++starts_;
  }

  // SIGKILL: no drain, no last write. Returns the deliveries the dead process left "sending".
  std::set<std::string> kill_daemon() {
    daemon_->signal(SIGKILL);
    daemon_->wait_exit(5s);
    daemon_.reset();
    ++faults_;
    std::set<std::string> sending;
    for (const auto& [id, state] : delivery_states()) {
      if (state == "sending") {
        sending.insert(id);
      }
    }
    return sending;
  }

  std::string log() const {
    std::ifstream in(dir_.path() / "liaisond.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // delivery id -> state, for every delivery record.
  std::map<std::string, std::string> delivery_states() const {
    const auto out = redis_->cli({"EVAL", R"lua(
      local out = {}
      for _, key in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
        out[#out + 1] = string.sub(key, #ARGV[1] + 1) .. '=' .. (redis.call('HGET', key, 'state') or '')
      end
      return table.concat(out, '\n'))lua",
                                  "0", "liaison:{q}:delivery:"});
    std::map<std::string, std::string> states;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      const auto eq = line.rfind('=');
      if (eq != std::string::npos) {
        states[line.substr(0, eq)] = line.substr(eq + 1);
      }
    }
    return states;
  }

  bool all_sent(const std::set<std::string>& ids) const {
    const auto states = delivery_states();
    return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
      const auto it = states.find(id);
      return it != states.end() && it->second == "sent";
    });
  }

  http_reply post(const std::string& target, const std::string& body) {
    return call_api(port_, "POST", target, body, admin_key);
  }

  static std::string sms_body(const std::string& text) {
    return R"({"to": {"phone": "+12025550143"}, "channel": "sms", "language": "en", "body": ")" +
           text + "\"}";
  }

  static std::string id_of(const http_reply& reply) {
    return std::string(boost::json::parse(reply.body).at("id").as_string());
  }

  // The check of every scenario: each acknowledged delivery is final ("sent": every fault here
  // is transient) and reached the provider exactly once, but for second copies of deliveries a
  // restarted consumer found handed over without an outcome (it logs each one). Adds to the
  // figures; returns the ids sent twice under that rule.
  std::set<std::string> expect_each_delivered_once(const std::set<std::string>& acknowledged,
                                                   const std::map<std::string, int>& received) {
    std::map<std::string, int> resent;  // "sending it again" warnings per delivery
    const std::regex warning("delivery (\\S+) was handed to a provider at");
    const auto text = log();
    for (std::sregex_iterator it(text.begin(), text.end(), warning), end; it != end; ++it) {
      ++resent[(*it)[1].str()];
    }
    const auto states = delivery_states();
    std::set<std::string> twice;
    for (const auto& id : acknowledged) {
      ++report->totals.acknowledged;
      const auto state = states.find(id);
      if (state != states.end() && state->second == "sent") {
        ++report->totals.final_state;
      } else {
        ADD_FAILURE() << id << " is "
                      << (state == states.end() ? "gone" : "in state " + state->second);
      }
      const auto got = received.find(id);
      const int copies = got == received.end() ? 0 : got->second;
      if (copies == 0) {
        ++report->totals.lost;
        ADD_FAILURE() << id << " was acknowledged and never reached the provider";
        continue;
      }
      const int extra = copies - 1;
      const int allowed = resent.count(id) ? resent.at(id) : 0;
      if (extra > 0 && extra <= allowed) {
        report->totals.duplicates_in_window += static_cast<std::size_t>(extra);
        twice.insert(id);
      } else if (extra > 0) {
        report->totals.duplicates_outside += static_cast<std::size_t>(extra);
        ADD_FAILURE() << id << " reached the provider " << copies << " times; the log shows "
                      << allowed << " re-send(s) of a handed-over delivery";
      }
    }
    for (const auto& [id, copies] : received) {
      EXPECT_TRUE(acknowledged.contains(id)) << id << " was sent but never acknowledged";
    }
    return twice;
  }

  temp_dir dir_;
  std::unique_ptr<redis_server> redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
  int starts_ = 0;
  int faults_ = 0;
};

// (1) SIGKILL of liaisond mid-fan-out and mid-dispatch, repeatedly, each time restarted.
TEST_F(FaultInjectionTest, liaisond_killed_mid_fan_out_and_mid_dispatch_again_and_again) {
  start_redis(false);
  gateway phones([](const std::string&, int) { return ok_after(5ms); });
  // 150 a second: the 1,500 sends take 10 s, longer than the fan-out with its kills and lease
  // waits (about 4 s), so dispatch is still going when the fan-out is done, however fast the
  // machine.
  write_config(gateway_provider(phones, 150));
  start_daemon();

  // 1,500 families of one guardian each, imported in one streamed request.
  constexpr int families = 1500;
  std::string roster;
  for (int i = 0; i < families; ++i) {
    const auto n = std::to_string(10000 + i);
    roster += R"({"id": "f-)" + n +
              R"(", "guardians": [{"id": "g", "name": "Rosa", "language": "es", "phone": )"
              R"("+12025550143", "channels": ["sms"]}], "students": [{"id": "s-)" +
              n + R"(", "name": "Ana", "school": "faults-es", "grade": "03"}]})" + "\n";
  }
  const auto imported = send_http(port_, {"POST",
                                          "/v1/families/import",
                                          roster,
                                          {{"Authorization", std::string("Bearer ") + admin_key},
                                           {"Content-Type", "application/x-ndjson"}}});
  ASSERT_EQ(imported.status, 200u) << imported.body;

  const auto accepted = post("/v1/announcements", R"({
      "audience": {"schools": ["faults-es"]}, "channels": ["sms"], "source_language": "es",
      "body": "Mañana no hay clases por la nieve."})");
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const auto announcement = id_of(accepted);
  std::set<std::string> expected;
  for (int i = 0; i < families; ++i) {
    expected.insert(announcement + ":f-" + std::to_string(10000 + i) + ":g:sms");
  }
  const auto ann_field = [&](const char* name) {
    return redis_->cli({"HGET", "liaison:{q}:ann:" + announcement, name});
  };
  const auto number = [](const std::string& text) { return text.empty() ? 0L : std::stol(text); };

  std::set<std::string> handed_over_at_a_kill;
  // Mid-fan-out: kill as soon as a page more was written; the restarted daemon resumes at the
  // cursor once the dead one's lease (1 s) ran out.
  int fan_out_kills = 0;
  for (int round = 0; round < 3; ++round) {
    const long before = number(ann_field("families_done"));
    ASSERT_TRUE(eventually(
        [&] {
          return number(ann_field("families_done")) > before || ann_field("state") == "fanned_out";
        },
        20s))
        << log();
    if (ann_field("state") == "fanned_out") {
      break;
    }
    const auto sending = kill_daemon();
    handed_over_at_a_kill.insert(sending.begin(), sending.end());
    ++fan_out_kills;
    start_daemon();
  }
  ASSERT_TRUE(eventually([&] { return ann_field("state") == "fanned_out"; }, 30s)) << log();
  EXPECT_GE(fan_out_kills, 1) << "the fan-out finished before any kill";

  // Mid-dispatch: the gateway takes 150 a second, so each kill finds deliveries on their way.
  int dispatch_kills = 0;
  for (int round = 0; round < 3; ++round) {
    const auto before = phones.accepted_total();
    ASSERT_TRUE(eventually([&] { return phones.accepted_total() >= before + 150; }, 30s) ||
                all_sent(expected))
        << log();
    if (all_sent(expected)) {
      break;
    }
    const auto sending = kill_daemon();
    handed_over_at_a_kill.insert(sending.begin(), sending.end());
    ++dispatch_kills;
    start_daemon();
  }
  EXPECT_GE(dispatch_kills, 1) << "the dispatch finished before any kill";

  std::printf("liaisond killed %d times mid-fan-out and %d times mid-dispatch\n", fan_out_kills,
              dispatch_kills);
  ASSERT_TRUE(eventually([&] { return all_sent(expected); }, 60s)) << log();
  const auto twice = expect_each_delivered_once(expected, phones.accepted());
  for (const auto& id : twice) {
    EXPECT_TRUE(handed_over_at_a_kill.contains(id))
        << id << " was sent twice but was not being sent when the daemon was killed";
  }
  EXPECT_EQ(delivery_states().size(), expected.size()) << "a delivery the fan-out made twice";
}

// (2) SIGKILL of redis-server under load, restarted from its AOF while liaisond runs: liaisond
// reconnects by itself and every 202 is delivered; what was refused meanwhile got a 503.
TEST_F(FaultInjectionTest, redis_killed_and_restarted_from_its_aof_while_liaisond_sends) {
  start_redis(true);
  // Slow enough that deliveries are on their way at every kill: their outcomes meet the dead
  // Redis and must be recorded once it is back.
  gateway phones([](const std::string&, int) { return ok_after(200ms); });
  write_config(gateway_provider(phones, 1000));
  start_daemon();

  std::set<std::string> acknowledged;
  int refused = 0;
  int message = 0;
  const auto send_one = [&] {
    const auto reply = post("/v1/messages", sms_body("notice " + std::to_string(++message)));
    if (reply.status == 202) {
      acknowledged.insert(id_of(reply));
    } else {
      EXPECT_EQ(reply.status, 503u) << reply.body;
      ++refused;
    }
  };
  for (int outage = 0; outage < 2; ++outage) {
    for (int i = 0; i < 80; ++i) {
      send_one();
    }
    const auto on_their_way = acknowledged.size() - phones.accepted_total();
    redis_->kill_now();  // a crash: only what the AOF has survives
    ++faults_;
    EXPECT_GT(on_their_way, 0u) << "nothing was being sent when Redis was killed";
    const auto down_until = steady_clock::now() + 800ms;
    while (steady_clock::now() < down_until) {
      send_one();
    }
    redis_->start();
    const auto restarted = steady_clock::now();
    ASSERT_TRUE(eventually(
        [&] {
          try {
            return send_http(port_, {"GET", "/readyz", {}, {}}).status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        15s))
        << "liaisond did not reconnect to the restarted Redis\n"
        << log();
    std::printf(
        "redis outage %d: %zu deliveries on their way at the kill; liaisond ready again %lld ms "
        "after the restart\n",
        outage + 1, on_their_way,
        static_cast<long long>(
            std::chrono::duration_cast<milliseconds>(steady_clock::now() - restarted).count()));
  }
  for (int i = 0; i < 40; ++i) {
    send_one();
  }
  EXPECT_GT(refused, 0) << "no request came while Redis was down";
  EXPECT_GE(acknowledged.size(), 200u);
  ASSERT_TRUE(eventually([&] { return all_sent(acknowledged); }, 60s)) << log();
  expect_each_delivered_once(acknowledged, phones.accepted());
}

// (3) The gateway fails in every way a provider does: 500, 429 with Retry-After, an answer just
// inside the timeout, no answer at all (the timeout), a reset connection. Each message's text
// says which faults its first requests get; then the gateway accepts it.
TEST_F(FaultInjectionTest, provider_answering_500_429_slowly_never_or_with_a_reset) {
  start_redis(false);
  const std::vector<std::string> kinds = {"500", "429", "slow", "hang", "reset"};
  gateway phones([&kinds](const std::string& text, int attempt) {
    // text: "plan <fault> <fault>…"
    std::istringstream words(text);
    std::string word;
    words >> word;
    for (int i = 1; words >> word; ++i) {
      if (i != attempt) {
        continue;
      }
      stub_response r;
      if (word == "500") {
        r.status = 500;
      } else if (word == "429") {
        r.status = 429;
        r.headers = {{"Retry-After", "1"}};
      } else if (word == "slow") {
        return ok_after(900ms);  // inside the 1.5 s request timeout: accepted
      } else if (word == "hang") {
        r.never_answer = true;  // liaisond gives up after its request timeout
      } else {
        r.reset_connection = true;
      }
      return r;
    }
    return ok_after(0ms);
  });
  write_config(gateway_provider(phones, 1000));
  start_daemon();

  std::set<std::string> acknowledged;
  std::map<std::string, std::vector<std::string>> plans;
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> plan = {kinds[static_cast<std::size_t>(i) % kinds.size()]};
    if (i % 2 == 0) {
      plan.push_back(kinds[static_cast<std::size_t>(i + 2) % kinds.size()]);
    }
    std::string text = "plan";
    for (const auto& fault : plan) {
      text += " " + fault;
    }
    const auto reply = post("/v1/messages", sms_body(text));
    ASSERT_EQ(reply.status, 202u) << reply.body;
    acknowledged.insert(id_of(reply));
    plans[id_of(reply)] = plan;
  }
  ASSERT_TRUE(eventually([&] { return all_sent(acknowledged); }, 90s)) << log();
  faults_ += phones.faulty_answers();
  for (const auto& [id, plan] : plans) {
    faults_ += static_cast<int>(std::count(plan.begin(), plan.end(), "slow"));
  }
  expect_each_delivered_once(acknowledged, phones.accepted());

  // Retry-After is a floor: the request after a 429 came at least a second later.
  const auto requests = phones.requests();
  for (const auto& [id, plan] : plans) {
    const auto& times = requests.at(id);
    for (std::size_t i = 0; i < plan.size() && i + 1 < times.size(); ++i) {
      if (plan[i] == "429") {
        EXPECT_GE(times[i + 1] - times[i], 950ms) << id << " was retried before Retry-After";
      }
    }
    // Each planned fault took a request, and the acceptance one more; a slow answer is the
    // acceptance itself. (libcurl may repeat a request whose reused connection died before any
    // answer, so there may be more.)
    const auto slow = std::find(plan.begin(), plan.end(), "slow");
    const auto needed =
        slow != plan.end() ? static_cast<std::size_t>(slow - plan.begin()) + 1 : plan.size() + 1;
    EXPECT_GE(times.size(), needed) << id;
  }
}

// (4) The SMTP server is down when the emails are accepted, then comes up: they are retried and
// each is delivered once.
TEST_F(FaultInjectionTest, smtp_server_down_then_up) {
  start_redis(false);
  const auto smtp_port = free_tcp_port();
  write_config(
      "[[providers]]\nname = \"mail\"\nkind = \"smtp\"\nchannels = [\"email\"]\n"
      "base_url = \"smtp://127.0.0.1:" +
      std::to_string(smtp_port) +
      "\"\nfrom = \"Escuelas <avisos@district.example.org>\"\nstarttls = \"off\"\n"
      "request_timeout = \"3s\"\nrate_per_second = 1000\n"
      "breaker_failures = 5\nbreaker_open_for = \"300ms\"\n");
  start_daemon();

  std::set<std::string> acknowledged;
  for (int i = 0; i < 20; ++i) {
    const auto reply = post("/v1/messages", R"({"to": {"email": "family)" + std::to_string(i) +
                                                R"(@example.org"}, "channel": "email", )"
                                                R"("language": "en", "subject": "Notice", )"
                                                R"("body": "Notice )" +
                                                std::to_string(i) + "\"}");
    ASSERT_EQ(reply.status, 202u) << reply.body;
    acknowledged.insert(id_of(reply));
  }
  // Down: every email is tried and put back for a retry.
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& id : acknowledged) {
          const auto attempts = redis_->cli({"HGET", "liaison:{q}:delivery:" + id, "attempts"});
          if (attempts.empty() || std::stoi(attempts) < 2) {
            return false;
          }
        }
        return true;
      },
      30s))
      << log();
  ++faults_;

  const auto mail = dir_.path() / "mail";
  fs::create_directories(mail);
  peer_process sink({"/usr/bin/python3", LIAISON_SOURCE_DIR "/tests/support/smtp_sink.py",
                     mail.string(), std::to_string(smtp_port)},
                    smtp_port, dir_.path() / "smtp.log");
  ASSERT_TRUE(eventually([&] { return all_sent(acknowledged); }, 60s)) << log();

  // The SMTP server's copies, by the delivery id in each Message-ID (<id.random@domain>).
  std::map<std::string, int> received;
  for (const auto& entry : fs::directory_iterator(mail)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const auto headers = boost::json::parse(text.str()).at("headers").as_object();
    const std::string message_id(headers.at("message-id").as_string());
    ++received[message_id.substr(1, message_id.find('.') - 1)];
  }
  expect_each_delivered_once(acknowledged, received);
}

}  // namespace
}  // namespace liaison::testing
