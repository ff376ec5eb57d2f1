// End to end: the real liaisond binary against a private redis-server, driven over HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "support/crypto.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* admin_key = "test-admin-key";
constexpr const char* school_key = "test-school-key";

struct daemon_options {
  std::size_t max_body_bytes = 64 * 1024;
  std::string extra_admin_key_hash;  // a second admin key, to observe reloads
  bool reuse_port = false;
  std::string consumer_name = "test";
};

std::string config_text(const std::filesystem::path& dir, const std::filesystem::path& redis_socket,
                        std::uint16_t port, const daemon_options& options) {
  std::ostringstream toml;
  toml << "[district]\nname = \"Test District\"\n"
       << "catalog_directory = \"" LIAISON_SOURCE_DIR "/i18n/catalog\"\n"
       << "[http]\nport = " << port << "\nmax_body_bytes = " << options.max_body_bytes
       << "\nread_timeout = \"5s\"\nreuse_port = " << (options.reuse_port ? "true" : "false")
       << "\n"
       << "[redis]\nunix_socket = \"" << redis_socket.string() << "\"\n"
       << "reconnect_min_delay = \"20ms\"\nreconnect_max_delay = \"200ms\"\n"
       << "health_check_interval = \"100ms\"\n"
       << "[workers]\nconsumer_name = \"" << options.consumer_name
       << "\"\nblock_timeout = \"200ms\"\n"
       << "[shutdown]\ndrain_timeout = \"5s\"\n"
       << "[[auth.api_keys]]\nname = \"admin\"\nrole = \"admin\"\nsha256 = \""
       << sha256_hex(admin_key) << "\"\n"
       << "[[auth.api_keys]]\nname = \"lincoln\"\nrole = \"school\"\nschools = [\"lincoln-es\"]\n"
       << "sha256 = \"" << sha256_hex(school_key) << "\"\n";
  if (!options.extra_admin_key_hash.empty()) {
    toml << "[[auth.api_keys]]\nname = \"second\"\nrole = \"admin\"\nsha256 = \""
         << options.extra_admin_key_hash << "\"\n";
  }
  toml << "[[providers]]\nname = \"outbox\"\nkind = \"outbox\"\nchannels = [\"sms\", \"email\"]\n"
       << "directory = \"" << (dir / "outbox").string() << "\"\n";
  return toml.str();
}

class liaisond_test : public ::testing::Test {
 protected:
  void start_daemon(daemon_options options = {}) {
    options_ = options;
    write_config(options);
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, config_path(), port_,
                                               dir_.path() / "liaisond.log");
  }

  void write_config(const daemon_options& options) {
    std::ofstream(config_path()) << config_text(dir_.path(), redis_.socket_path(), port_, options);
  }

  std::filesystem::path config_path() const { return dir_.path() / "liaison.toml"; }

  http_reply post_message(const std::string& body, const std::string& key = admin_key) {
    return send_http(port_,
                     {"POST",
                      "/v1/messages",
                      body,
                      {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}});
  }

  http_reply get(const std::string& target, const std::string& key = admin_key) {
    return send_http(port_, {"GET", target, {}, {{"Authorization", "Bearer " + key}}});
  }

  std::vector<boost::json::object> outbox_lines() const {
    std::vector<boost::json::object> lines;
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    for (std::string line; std::getline(in, line);) {
      lines.push_back(boost::json::parse(line).as_object());
    }
    return lines;
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  daemon_options options_;
  std::unique_ptr<daemon_process> daemon_;
};

constexpr const char* sms_to_maria =
    R"({"to": {"phone": "+1 (202) 555-0143"}, "channel": "sms", "language": "es_mx",
        "body": "Mañana no hay clases por la nieve."})";

TEST_F(liaisond_test, accepted_message_is_written_to_the_outbox_exactly_once) {
  start_daemon();
  const auto accepted = post_message(sms_to_maria);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const auto id = std::string(boost::json::parse(accepted.body).at("id").as_string());
  EXPECT_EQ(accepted.headers.at("location"), "/v1/messages/" + id);

  ASSERT_TRUE(eventually([&] {
    return boost::json::parse(get("/v1/messages/" + id).body).at("state") == "sent";
  })) << daemon_->log();
  const auto lines = outbox_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("delivery_id").as_string(), id);
  EXPECT_EQ(lines[0].at("address"), "+12025550143");
  EXPECT_EQ(lines[0].at("language"), "es-MX");
  EXPECT_EQ(lines[0].at("channel"), "sms");
  EXPECT_EQ(lines[0].at("text"), "Mañana no hay clases por la nieve.");

  // A restart takes back nothing: the delivery was acknowledged.
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(10s), 0);
  start_daemon();
  EXPECT_EQ(outbox_lines().size(), 1u);
}

TEST_F(liaisond_test, instances_with_reuse_port_share_one_port) {
  daemon_options options;
  options.reuse_port = true;
  start_daemon(options);
  // One config file for both; the second names itself in the consumer group. daemon_process
  // returns once /readyz answered with this instance's pid: it is up and serving the port too.
  daemon_process second(LIAISOND_PATH, config_path(), port_, dir_.path() / "second.log",
                        {"--consumer-name", "test-2"});
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(post_message(sms_to_maria).status, 202u);
  }
  // The first leaves; the port is still served, by the second.
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(10s), 0);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(post_message(sms_to_maria).status, 202u) << second.log();
  }
  EXPECT_TRUE(eventually([&] { return outbox_lines().size() == 20; })) << second.log();
  EXPECT_THAT(redis_.cli({"XINFO", "CONSUMERS", "liaison:{q}:stream:sms", "workers"}),
              HasSubstr("test-2"));
}

TEST_F(liaisond_test, an_api_only_instance_accepts_and_an_instance_with_workers_sends) {
  // One config file for both roles, as two systemd units would share it.
  write_config({});
  daemon_ =
      std::make_unique<daemon_process>(LIAISOND_PATH, config_path(), port_, dir_.path() / "api.log",
                                       std::vector<std::string>{"--workers", "off"});
  EXPECT_EQ(get("/readyz").status, 200u) << daemon_->log();  // ready without workers
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const auto accepted = post_message(sms_to_maria);
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    ids.emplace_back(boost::json::parse(accepted.body).at("id").as_string());
  }
  EXPECT_EQ(boost::json::parse(get("/v1/messages/" + ids.back()).body).at("state"), "queued");
  EXPECT_THAT(daemon_->log(), HasSubstr("workers off"));

  const auto worker_port = free_tcp_port();
  daemon_process worker(LIAISOND_PATH, config_path(), worker_port, dir_.path() / "worker.log",
                        {"--port", std::to_string(worker_port), "--consumer-name", "sender"});
  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == ids.size(); })) << worker.log();
  for (const auto& id : ids) {
    // The outbox line is written before the outcome is recorded: "sending" for a moment.
    EXPECT_TRUE(eventually([&] {
      return boost::json::parse(get("/v1/messages/" + id).body).at("state") == "sent";
    })) << id;
  }
  // Only the instance with workers joined the consumer group.
  const auto consumers = redis_.cli({"XINFO", "CONSUMERS", "liaison:{q}:stream:sms", "workers"});
  EXPECT_THAT(consumers, HasSubstr("sender"));
  EXPECT_THAT(consumers, ::testing::Not(HasSubstr("test")));
}

TEST_F(liaisond_test, role_flags_with_wrong_values_are_refused) {
  write_config({});
  for (const auto& args : std::vector<std::vector<std::string>>{{"--workers", "maybe"},
                                                                {"--workers"},
                                                                {"--port", "0"},
                                                                {"--port", "70000"},
                                                                {"--port", "80x"}}) {
    try {
      daemon_process refused(LIAISOND_PATH, config_path(), port_, dir_.path() / "refused.log",
                             args);
      ADD_FAILURE() << "started with " << args[0];
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(args[0] + " takes")) << args[0];
    }
  }
}

TEST_F(liaisond_test, a_second_instance_without_reuse_port_cannot_listen_and_says_so) {
  start_daemon();
  const auto second_config = dir_.path() / "second.toml";
  daemon_options options;
  options.consumer_name = "test-2";
  std::ofstream(second_config) << config_text(dir_.path(), redis_.socket_path(), port_, options);
  // daemon_process throws, with the log, when the process ends before it is ready.
  try {
    daemon_process second(LIAISOND_PATH, second_config, port_, dir_.path() / "second.log");
    ADD_FAILURE() << "a second instance started without reuse_port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot listen"));
    EXPECT_THAT(e.what(), HasSubstr("Address already in use"));
  }
  EXPECT_EQ(get("/healthz").status, 200u);  // the first serves on
}

TEST_F(liaisond_test, message_status_shows_the_delivery) {
  start_daemon();
  const auto accepted = post_message(sms_to_maria);
  const auto id = std::string(boost::json::parse(accepted.body).at("id").as_string());
  ASSERT_TRUE(eventually(
      [&] { return boost::json::parse(get("/v1/messages/" + id).body).at("state") == "sent"; }));
  const auto status = boost::json::parse(get("/v1/messages/" + id).body).as_object();
  EXPECT_EQ(status.at("channel"), "sms");
  EXPECT_EQ(status.at("provider"), "outbox");
  EXPECT_EQ(status.at("attempts"), 1);
  EXPECT_EQ(get("/v1/messages/msg_0000000000000000000000000000").status, 404u);
}

TEST_F(liaisond_test, request_without_a_key_is_401_and_with_an_unknown_key_too) {
  start_daemon();
  const auto missing = send_http(
      port_, {"POST", "/v1/messages", sms_to_maria, {{"Content-Type", "application/json"}}});
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(missing.headers.at("content-type"), "application/problem+json");
  EXPECT_THAT(missing.headers.at("www-authenticate"), HasSubstr("Bearer"));
  EXPECT_EQ(post_message(sms_to_maria, "not-a-key").status, 401u);
}

TEST_F(liaisond_test, school_key_may_not_send_for_another_school) {
  start_daemon();
  const auto other = post_message(
      R"({"to": {"email": "parent@example.org"}, "channel": "email", "language": "en",
          "body": "Hello", "school": "washington-ms"})",
      school_key);
  EXPECT_EQ(other.status, 403u) << other.body;
  const auto own = post_message(
      R"({"to": {"email": "parent@example.org"}, "channel": "email", "language": "en",
          "body": "Hello", "school": "lincoln-es"})",
      school_key);
  EXPECT_EQ(own.status, 202u) << own.body;
}

TEST_F(liaisond_test, body_over_the_limit_is_413) {
  start_daemon({.max_body_bytes = 1024, .extra_admin_key_hash = {}});
  const auto reply = post_message(std::string(4096, ' ') + sms_to_maria);
  EXPECT_EQ(reply.status, 413u);
  EXPECT_EQ(reply.headers.at("content-type"), "application/problem+json");
}

TEST_F(liaisond_test, malformed_json_is_400_problem_naming_the_problem) {
  start_daemon();
  const auto reply = post_message(R"({"to": {"phone": "+12025550143"}, "channel": )");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(reply.headers.at("content-type"), "application/problem+json");
  const auto problem = boost::json::parse(reply.body).as_object();
  EXPECT_EQ(problem.at("status"), 400);
  EXPECT_THAT(std::string(problem.at("detail").as_string()), HasSubstr("malformed JSON at byte"));
}

TEST_F(liaisond_test, invalid_fields_are_422_with_each_field_named) {
  start_daemon();
  const auto reply = post_message(
      R"({"to": {"phone": "12"}, "channel": "sms", "language": "not a tag!", "body": ""})");
  EXPECT_EQ(reply.status, 422u);
  const auto problem = boost::json::parse(reply.body).as_object();
  std::vector<std::string> fields;
  for (const auto& e : problem.at("errors").as_array()) {
    fields.emplace_back(e.at("field").as_string());
  }
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("to.phone", "language", "body"));
  EXPECT_TRUE(outbox_lines().empty());
}

TEST_F(liaisond_test, readiness_follows_redis_and_the_daemon_reconnects_by_itself) {
  start_daemon();
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
  redis_.kill_now();
  EXPECT_TRUE(eventually([&] { return get("/readyz").status == 503; }));
  EXPECT_EQ(get("/healthz").status, 200u);  // alive, just not ready
  EXPECT_EQ(post_message(sms_to_maria).status, 503u);
  redis_.start();
  EXPECT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << daemon_->log();
  const auto accepted = post_message(sms_to_maria);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  EXPECT_TRUE(eventually([&] { return outbox_lines().size() == 1; })) << daemon_->log();
}

TEST_F(liaisond_test, sigterm_drains_and_exits_zero) {
  start_daemon();
  ASSERT_EQ(post_message(sms_to_maria).status, 202u);
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_exit(10s), 0) << daemon_->log();
  EXPECT_THAT(daemon_->log(), HasSubstr("drained"));
}

TEST_F(liaisond_test, sighup_applies_a_valid_config_and_keeps_the_old_one_when_invalid) {
  start_daemon();
  const std::string second_key = "second-admin-key";
  EXPECT_EQ(get("/v1/messages/msg_0000000000000000000000000000", second_key).status, 401u);

  write_config({.max_body_bytes = 64 * 1024, .extra_admin_key_hash = sha256_hex(second_key)});
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return get("/v1/messages/msg_0000000000000000000000000000", second_key).status == 404;
  }));

  std::ofstream(config_path()) << "[http]\nport = \"not a number\"\n";
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return daemon_->log().find("reload") != std::string::npos &&
           daemon_->log().find("http.port") != std::string::npos;
  }));
  EXPECT_EQ(get("/v1/messages/msg_0000000000000000000000000000", second_key).status, 404u);
}

TEST_F(liaisond_test, metrics_count_requests_by_route_and_status) {
  start_daemon();
  get("/v1/messages/msg_0000000000000000000000000000");
  const auto metrics = send_http(port_, {"GET", "/metrics", {}, {}});
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_THAT(metrics.body, HasSubstr("liaison_http_requests_total{method=\"GET\","
                                      "route=\"/v1/messages/{id}\",status=\"404\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("liaison_http_request_duration_seconds_bucket"));
  EXPECT_THAT(metrics.body, HasSubstr("liaison_redis_connected"));
}

}  // namespace
}  // namespace liaison::testing
