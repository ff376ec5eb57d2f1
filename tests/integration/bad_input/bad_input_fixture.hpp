// The bad-input suite's daemon: the real liaisond on a private redis-server, with short read
// deadlines (so slow-client tests take about a second), a 256 KiB body limit, API keys of each
// role and every kind of provider callback configured (Twilio, Kannel, SendGrid, a webhook
// gateway). Each test sends something wrong and checks the answer, then that Redis saw no write
// and the same daemon process is still ready.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "tests/support/daemon_process.hpp"
#include "tests/support/ecdsa_key.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {

inline constexpr const char* admin_key = "bad-input-admin-key";
inline constexpr const char* coordinator_key = "bad-input-coordinator-key";
inline constexpr const char* school_key = "bad-input-school-key";
inline constexpr const char* public_url = "https://liaison.example.org";
inline constexpr const char* twilio_token = "bad-input-twilio-token";
inline constexpr const char* dlr_secret = "bad-input-dlr-secret";
inline constexpr const char* gateway_secret = "bad-input-gateway-secret";
inline constexpr const char* mo_token = "bad-input-mo-token-0123456789abcdef";

inline constexpr std::chrono::milliseconds read_timeout{1000};
inline constexpr std::size_t max_body_bytes = 256 * 1024;
inline constexpr std::size_t max_connections = 24;

class bad_input_test : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto secret_file = [this](const char* name, const std::string& content) {
      std::ofstream(dir_.path() / name) << content;
      return "\"" + (dir_.path() / name).string() + "\"";
    };
    std::string providers;
    providers += "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"sms\"]\n";
    providers += "base_url = \"http://127.0.0.1:9\"\n";
    providers += "account_sid = \"AC00000000000000000000000000000000\"\nfrom = \"+12025550100\"\n";
    providers += "auth_token_file = " + secret_file("twilio-token", twilio_token) + "\n";
    providers += "[[providers]]\nname = \"smsc\"\nkind = \"kannel\"\nchannels = [\"sms\"]\n";
    providers += "base_url = \"http://127.0.0.1:9\"\nusername = \"liaison\"\n";
    providers += "password_file = " + secret_file("kannel-password", "p") + "\n";
    providers += "dlr_secret_file = " + secret_file("dlr-secret", dlr_secret) + "\n";
    providers += "mo_token_file = " + secret_file("mo-token", mo_token) + "\n";
    providers +=
        "[[providers]]\nname = \"sendgrid\"\nkind = \"sendgrid\"\nchannels = [\"email\"]\n";
    providers += "base_url = \"http://127.0.0.1:9\"\nfrom = \"noreply@district.example.org\"\n";
    providers += "api_key_file = " + secret_file("sendgrid-key", "SG.x") + "\n";
    providers += "event_webhook_public_key = \"" + sendgrid_key_.public_key_base64() + "\"\n";
    providers += "[[providers]]\nname = \"gateway\"\nkind = \"webhook\"\nchannels = [\"sms\"]\n";
    providers += "base_url = \"http://127.0.0.1:9\"\n";
    providers += "secret_file = " + secret_file("gateway-secret", gateway_secret) + "\n";
    liaisond_config(port_, redis_.socket_path())
        .district("[district.schools]\nlincoln-es = \"Lincoln Elementary School\"\n")
        .http("public_url = \"" + std::string(public_url) + "\"\nread_timeout = \"" +
              std::to_string(read_timeout.count()) + "ms\"\nidle_timeout = \"" +
              std::to_string(read_timeout.count()) + "ms\"\nmax_body_bytes = " +
              std::to_string(max_body_bytes) + "\nmax_import_bytes = \"1MiB\"\n" +
              "max_connections = " + std::to_string(max_connections) + "\n")
        .api_key("admin", "admin", admin_key)
        .api_key("office", "coordinator", coordinator_key)
        .api_key("lincoln", "school", school_key, {"lincoln-es"})
        .tables(providers)
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    writes_at_start_ = redis_writes();
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "liaisond's log:\n" << daemon_->log();
    }
  }

  http_reply api(const std::string& method, const std::string& target, const std::string& body,
                 const std::string& key = admin_key) {
    return call_api(port_, method, target, body, key);
  }

  // Redis's own count of changes to its data since it started (every write command counts),
  // read with INFO: the daemon at rest writes nothing, so any write a bad request caused shows.
  long long redis_writes() const {
    const auto info = redis_.cli({"INFO", "persistence"});
    const std::string field = "rdb_changes_since_last_save:";
    const auto at = info.find(field);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no " << field << " in INFO persistence:\n" << info;
      return -1;
    }
    return std::stoll(info.substr(at + field.size()));
  }

  // Nothing reached Redis since the daemon started, and the daemon that started is still the
  // one answering, and ready.
  void expect_nothing_written_and_daemon_healthy() {
    EXPECT_EQ(redis_writes(), writes_at_start_) << "a bad request changed Redis; keys now:\n"
                                                << redis_.cli({"--scan"});
    expect_daemon_healthy();
  }

  void expect_daemon_healthy() {
    const auto ready = send_http(port_, {"GET", "/readyz", {}, {}});
    EXPECT_EQ(ready.status, 200u) << ready.body;
    const auto body = boost::json::parse(ready.body);
    EXPECT_EQ(body.at("pid").to_number<long long>(), static_cast<long long>(daemon_->pid()));
  }

  temp_dir dir_;
  redis_server redis_;
  ecdsa_key sendgrid_key_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
  long long writes_at_start_ = 0;
};

// An answer is RFC 9457 problem+json with this status; returns the parsed body.
inline boost::json::object expect_problem(unsigned status, const std::string& content_type,
                                          const std::string& body, unsigned want) {
  EXPECT_EQ(status, want) << body;
  EXPECT_EQ(content_type, "application/problem+json") << body;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << body;
    return {};
  }
  EXPECT_EQ(parsed.at("status").to_number<unsigned>(), want) << body;
  return parsed.as_object();
}

inline boost::json::object expect_problem(const http_reply& reply, unsigned want) {
  const auto it = reply.headers.find("content-type");
  return expect_problem(reply.status, it == reply.headers.end() ? "" : it->second, reply.body,
                        want);
}

inline boost::json::object expect_problem(const raw_answer& answer, unsigned want) {
  EXPECT_TRUE(answer.error.empty()) << answer.error;
  const auto it = answer.headers.find("content-type");
  return expect_problem(answer.status, it == answer.headers.end() ? "" : it->second, answer.body,
                        want);
}

// The fields named by a 422's "errors" (or an empty list).
inline std::vector<std::string> problem_fields(const boost::json::object& problem) {
  std::vector<std::string> fields;
  if (const auto* errors = problem.if_contains("errors"); errors != nullptr && errors->is_array()) {
    for (const auto& e : errors->as_array()) {
      fields.emplace_back(e.at("field").as_string());
    }
  }
  return fields;
}

}  // namespace liaison::testing
