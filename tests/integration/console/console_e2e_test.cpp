// The staff console in a real browser against a real liaisond: Redis and liaisond start here
// with the built console, a roster in seven languages (Arabic among them) and an Arabic
// interpreter; then web/e2e/console.e2e.mjs drives Debian's chromium headless with
// playwright-core: wrong key, the CSP, sign-in, compose with the Arabic preview right to left
// and its segments, send, progress to 100%, an interpreter request that becomes assigned when
// the interpreter's Twilio-signed YES arrives, a family's reply and an answer, Spanish.
// Screenshots go to <build>/console-screenshots (kept by CI as artifacts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* coordinator_key = "console-e2e-coordinator-key";
constexpr const char* twilio_token = "console-e2e-twilio-token";
constexpr const char* public_url = "https://liaison.example.org";
constexpr const char* interpreter_phone = "+12025550161";
constexpr const char* arabic_guardian_phone = "+12025551001";

struct seeded_family {
  const char* id;
  const char* language;
  const char* phone;
};

// The audience: seven languages at one school, one right to left (ar), two without a voice
// (so, ht); plus a family at another school that the announcement must not count.
constexpr seeded_family families[] = {
    {"fam-es", "es-MX", "+12025551000"},   {"fam-ar", "ar", arabic_guardian_phone},
    {"fam-vi", "vi", "+12025551002"},      {"fam-so", "so", "+12025551003"},
    {"fam-ht", "ht", "+12025551004"},      {"fam-en", "en", "+12025551005"},
    {"fam-zh", "zh-Hans", "+12025551006"},
};

std::string chromium_path() {
  if (const char* configured = std::getenv("CHROMIUM_PATH")) {
    return configured;
  }
  return "/usr/bin/chromium";
}

class console_e2e_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(LIAISON_NODE).empty() || !fs::exists(LIAISON_NODE)) {
      GTEST_SKIP() << "node is not installed: the console cannot be built or driven";
    }
    if (!fs::exists(chromium_path())) {
      GTEST_SKIP() << chromium_path() << " is missing (apt-get install chromium)";
    }
    ASSERT_TRUE(fs::exists(fs::path(LIAISON_CONSOLE_DIR) / "index.html"))
        << "the console was not built into " << LIAISON_CONSOLE_DIR;
    ASSERT_TRUE(fs::exists(fs::path(LIAISON_SOURCE_DIR) / "web/node_modules/playwright-core"))
        << "playwright-core is missing: npm ci in web/";

    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    liaisond_config(port_, redis_.socket_path())
        .district(
            "name = \"Test District\"\ntime_zone = \"America/Chicago\"\n"
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n"
            "parks-ms = \"Parks Middle\"\n")
        .http("public_url = \"" + std::string(public_url) + "\"\nconsole_dir = \"" +
              LIAISON_CONSOLE_DIR + "\"\n")
        .tables("[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n")
        .api_key("coordinator", "coordinator", coordinator_key)
        // Twilio only signs the inbound webhooks here; everything is sent to the outbox.
        .tables(
            "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"voice\"]\n"
            "base_url = \"http://127.0.0.1:9\"\n"
            "account_sid = \"AC00000000000000000000000000000000\"\n"
            "from = \"+12025550100\"\nauth_token_file = \"twilio-token\"\n")
        .outbox(dir_.path(), {"sms", "email"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    int n = 0;
    for (const auto& f : families) {
      const auto put =
          call_api(port_, "PUT", std::string("/v1/families/") + f.id,
                   std::string(R"({"guardians": [{"id": "g-)") + f.id + R"(", "name": "Guardian )" +
                       std::to_string(n) + R"(", "language": ")" + f.language + R"(", "phone": ")" +
                       f.phone + R"(", "channels": ["sms"]}], "students": [{"id": "s-)" + f.id +
                       R"(", "name": "Student", "school": "lincoln-es", "grade": "03"}]})",
                   coordinator_key);
      ASSERT_EQ(put.status, 201u) << put.body;
      ++n;
    }
    const auto other = call_api(port_, "PUT", "/v1/families/fam-parks",
                                R"({"guardians": [{"id": "g-p", "name": "Pablo", "language": "es",
                                     "phone": "+12025551099"}],
                                    "students": [{"id": "s-p", "school": "parks-ms",
                                     "grade": "07"}]})",
                                coordinator_key);
    ASSERT_EQ(other.status, 201u) << other.body;
    const auto interpreter =
        call_api(port_, "PUT", "/v1/interpreters/int-ar",
                 std::string(R"({"name": "Layla Haddad", "languages": ["ar"], "phone": ")") +
                     interpreter_phone + R"("})",
                 coordinator_key);
    ASSERT_EQ(interpreter.status, 201u) << interpreter.body;
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(console_e2e_test, staff_compose_send_follow_and_book_an_interpreter_in_a_browser) {
  const fs::path screenshots = fs::path(LIAISON_BINARY_DIR) / "console-screenshots";
  fs::remove_all(screenshots);
  const std::string command =
      "cd " + shell_quote(LIAISON_SOURCE_DIR "/web") +
      " && env LIAISON_URL=" + shell_quote("http://127.0.0.1:" + std::to_string(port_)) +
      " LIAISON_KEY=" + shell_quote(coordinator_key) +
      " LIAISON_OUTBOX=" + shell_quote((dir_.path() / "outbox" / "outbox.ndjson").string()) +
      " LIAISON_PUBLIC_URL=" + shell_quote(public_url) +
      " LIAISON_TWILIO_TOKEN=" + shell_quote(twilio_token) +
      " LIAISON_INTERPRETER_PHONE=" + shell_quote(interpreter_phone) +
      " LIAISON_ARABIC_GUARDIAN_PHONE=" + shell_quote(arabic_guardian_phone) +
      " LIAISON_FAMILIES=" + std::to_string(std::size(families)) +
      " SCREENSHOT_DIR=" + shell_quote(screenshots.string()) +
      " CHROMIUM_PATH=" + shell_quote(chromium_path()) + " " + shell_quote(LIAISON_NODE) +
      " e2e/console.e2e.mjs";
  const auto result = run_command(command);
  std::cout << result.output;
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n--- liaisond log ---\n" << daemon_->log();
  EXPECT_TRUE(fs::exists(screenshots / "03-signed-in.png"));
  EXPECT_TRUE(fs::exists(screenshots / "06-progress-100.png"));
}

}  // namespace
}  // namespace liaison::testing
