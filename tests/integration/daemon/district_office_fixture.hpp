// The real liaisond on a private redis-server as a district's family engagement office uses it:
// a coordinator key, a school key for another school (parks-ms), texts to the outbox, and one
// Spanish-speaking family (f-1: Rosa, +12025550111, a student at lincoln-es). Translation
// requests are made and delivered as translators deliver them, with PATCH. A test adds what it
// needs to the configuration by overriding configure().
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/time_format.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {

class district_office_fixture : public ::testing::Test {
 protected:
  static constexpr const char* coordinator_key = "interp-coordinator-key";
  static constexpr const char* school_key = "interp-school-key";

  void SetUp() override {
    liaisond_config config(port_, redis_.socket_path());
    config.api_key("fe-office", "coordinator", coordinator_key)
        .api_key("parks", "school", school_key, {"parks-ms"})
        .outbox(dir_.path(), {"sms"});
    configure(config);
    config.write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    ASSERT_EQ(call("PUT", "/v1/families/f-1",
                   R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es",
                        "phone": "+12025550111"}],
                       "students": [{"id": "s-1", "school": "lincoln-es", "grade": "04"}]})")
                  .status,
              201u);
  }

  // More configuration before the daemon starts.
  virtual void configure(liaisond_config& /*config*/) {}

  http_reply call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& key = coordinator_key) {
    return call_api(port_, method, target, body, key);
  }

  // A translator (an interpreter who takes written work) of `language`, offered its requests.
  http_reply put_translator(const std::string& id, const std::string& language) {
    return call("PUT", "/v1/interpreters/" + id,
                R"({"name": "Tomás", "languages": [")" + language +
                    R"("], "translator": true, "phone": "+12025550160"})");
  }

  // A translation request for lincoln-es of `text` into `languages`, due in five days.
  http_reply request_translation(const std::string& title, const std::string& text,
                                 const std::vector<std::string>& languages) {
    const auto due = format_rfc3339_utc(std::chrono::floor<std::chrono::minutes>(
        std::chrono::system_clock::now() + std::chrono::days(5)));
    std::string targets;
    for (const auto& language : languages) {
      targets += (targets.empty() ? "\"" : ", \"") + language + "\"";
    }
    return call("POST", "/v1/translation-requests",
                R"({"school": "lincoln-es", "title": ")" + title + R"(", "text": ")" + text +
                    R"(", "target_languages": [)" + targets + R"(], "due": ")" + due + R"("})");
  }

  // What a translator delivers: the text in one target language.
  http_reply deliver_translation(const std::string& id, const std::string& language,
                                 const std::string& text) {
    return call("PATCH", "/v1/translation-requests/" + id,
                R"({"language": ")" + language + R"(", "text": ")" + text + R"("})");
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

}  // namespace liaison::testing
