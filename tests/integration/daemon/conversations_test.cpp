// Conversations end to end (issue 7, "Done when"): the real liaisond with a private
// redis-server, a real Apertium APy (Spanish ↔ English) and a real SMTP server (aiosmtpd,
// tests/support/smtp_sink.py). A Spanish free-text reply, posted as Twilio's signed webhook,
// appears in GET /v1/conversations with its English translation and reaches the school's SMTP
// inbox with both texts; a staff answer in English reaches the Spanish-speaking family in
// Spanish and appears in the conversation. Skips (with the reason) only when APy, its
// English-Spanish pair or aiosmtpd is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "channels/webhook.hpp"
#include "tests/support/apertium_server.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/peer_process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/stub_http_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* admin_key = "conversations-admin-key";
constexpr const char* twilio_token = "conversations-twilio-token";
constexpr const char* public_url = "https://liaison.example.org";
constexpr const char* school_inbox = "office@lincoln.example.org";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class conversations_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = apertium_missing(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    if (!fs::exists("/usr/share/apertium/modes/spa-eng.mode")) {
      GTEST_SKIP() << "the Spanish-English pair is not installed (Debian package apertium-eng-spa)";
    }
    if (run_command("/usr/bin/python3 -c 'import aiosmtpd'").exit_code != 0) {
      GTEST_SKIP() << "aiosmtpd is not installed (Debian package python3-aiosmtpd; "
                      "scripts/install-deps --for-tests)";
    }
    apertium_ = std::make_unique<apertium_server>();
    mail_dir_ = dir_.path() / "mail";
    fs::create_directories(mail_dir_);
    const auto smtp_port = free_tcp_port();
    smtp_ = std::make_unique<peer_process>(
        std::vector<std::string>{"/usr/bin/python3",
                                 std::string(LIAISON_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                 mail_dir_.string(), std::to_string(smtp_port)},
        smtp_port, dir_.path() / "smtp.log");
    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    std::ofstream(dir_.path() / "notice-secret") << "school-notice-secret";
    liaisond_config(port_, redis_.socket_path())
        .district(
            "name = \"Riverside USD\"\ndefault_language = \"en\"\n"
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = { name = \"Lincoln Elementary\", reply_email = \"" +
            std::string(school_inbox) + "\", reply_webhook = \"" + school_system_.url() +
            "/liaison/replies\" }\n")
        .http("public_url = \"" + std::string(public_url) + "\"\n")
        .tables(
            "[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n"
            "[notices]\nsecret_file = \"" +
            (dir_.path() / "notice-secret").string() +
            "\"\n"
            "[translation]\nprovider = \"apertium\"\nurl = \"" +
            apertium_->url() +
            "\"\ntimeout = \"30s\"\n"
            // Twilio only signs the inbound webhooks here (its auth token); SMS go to the outbox.
            "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"voice\"]\n"
            "base_url = \"http://127.0.0.1:9\"\naccount_sid = "
            "\"AC00000000000000000000000000000000\"\nfrom = \"+12025550100\"\n"
            "auth_token_file = \"" +
            (dir_.path() / "twilio-token").string() +
            "\"\n"
            "[[providers]]\nname = \"mail\"\nkind = \"smtp\"\nchannels = [\"email\"]\n"
            "base_url = \"smtp://127.0.0.1:" +
            std::to_string(smtp_port) +
            "\"\nfrom = \"Liaison <liaison@riverside.example.org>\"\nstarttls = \"off\"\n")
        .api_key("office", "admin", admin_key)
        .outbox(dir_.path(), {"sms"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    const auto put = call_api(port_, "PUT", "/v1/families/fam-1",
                              R"({"guardians": [{"id": "g-1", "name": "Rosa Díaz",
                                   "language": "es-MX", "phone": "+12025550111",
                                   "channels": ["sms"]}],
                                  "students": [{"id": "s-1", "name": "Ana",
                                   "school": "lincoln-es", "grade": "02"}]})",
                              admin_key);
    ASSERT_EQ(put.status, 201u) << put.body;
  }

  boost::json::array conversation() {
    const auto listed = call_api(port_, "GET", "/v1/conversations?family_id=fam-1", "", admin_key);
    EXPECT_EQ(listed.status, 200u) << listed.body;
    return boost::json::parse(listed.body).at("entries").as_array();
  }

  std::string log() const { return read_file(dir_.path() / "liaisond.log"); }

  temp_dir dir_;
  // The school's own system, which takes replies as signed notices.
  stub_http_server school_system_{[](const stub_request&) {
    stub_response res;
    res.status = 204;
    return res;
  }};
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<apertium_server> apertium_;
  std::unique_ptr<peer_process> smtp_;
  fs::path mail_dir_;
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(conversations_test, a_spanish_reply_is_translated_kept_and_emailed_to_the_school) {
  const std::string original = "¿A qué hora es la reunión de padres?";
  const auto answer = text_as_twilio(port_, public_url, twilio_token, "+12025550111", original);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_THAT(answer.body, HasSubstr("<Response/>"));

  // Filed at once; the translation is added when APy has answered.
  boost::json::array entries;
  ASSERT_TRUE(eventually(
      [&] {
        entries = conversation();
        return entries.size() == 1 && entries[0].as_object().contains("translation");
      },
      std::chrono::seconds(60)))
      << boost::json::serialize(entries) << "\n"
      << log();
  const auto& entry = entries[0].as_object();
  EXPECT_EQ(entry.at("direction"), "in");
  EXPECT_EQ(entry.at("text").as_string(), original);
  EXPECT_EQ(entry.at("language"), "es-MX");
  EXPECT_EQ(entry.at("school"), "lincoln-es");
  const auto& translation = entry.at("translation").as_object();
  EXPECT_EQ(translation.at("language"), "en");
  EXPECT_EQ(translation.at("provider"), "apertium");
  const std::string english(translation.at("text").as_string());
  EXPECT_THAT(english, HasSubstr("parents"));  // APy's English, not the Spanish
  EXPECT_THAT(english, Not(HasSubstr("reunión")));

  // The school's inbox: one message with both texts, sent through the queue and SMTP.
  const auto mail = mail_dir_ / "1.json";
  ASSERT_TRUE(eventually([&] { return fs::exists(mail); }, std::chrono::seconds(30))) << log();
  const auto message = boost::json::parse(read_file(mail)).as_object();
  EXPECT_THAT(message.at("rcpt_tos").as_array(), Contains(boost::json::value(school_inbox)));
  EXPECT_THAT(std::string(message.at("headers").at("subject").as_string()), HasSubstr("Rosa Díaz"));
  std::string plain;
  for (const auto& part : message.at("parts").as_array()) {
    if (part.at("type") == "text/plain") {
      plain = std::string(part.at("text").as_string());
    }
  }
  EXPECT_THAT(plain, HasSubstr(original));
  EXPECT_THAT(plain, HasSubstr(english));
  EXPECT_THAT(plain, HasSubstr("fam-1"));

  // And the school's system: one signed notice with both texts, through the queue.
  ASSERT_TRUE(
      eventually([&] { return !school_system_.requests().empty(); }, std::chrono::seconds(30)))
      << log();
  const auto posted = school_system_.requests().front();
  EXPECT_EQ(posted.target, "/liaison/replies");
  EXPECT_EQ(channels::verify_webhook_signature(
                "school-notice-secret", posted.headers.at("x-liaison-timestamp"), posted.body,
                posted.headers.at("x-liaison-signature"), std::chrono::system_clock::now()),
            channels::webhook_verdict::valid);
  const auto notice = boost::json::parse(posted.body);
  EXPECT_EQ(notice.at("type"), "reply.received");
  EXPECT_EQ(notice.at("data").at("family_id"), "fam-1");
  EXPECT_EQ(notice.at("data").at("text").as_string(), original);
  EXPECT_EQ(notice.at("data").at("translation").at("text").as_string(), english);
}

TEST_F(conversations_test, a_staff_answer_in_english_reaches_the_family_in_spanish) {
  const std::string english = "The meeting is in the library.";
  const auto accepted = call_api(port_, "POST", "/v1/messages",
                                 R"({"to": {"family_id": "fam-1"}, "channels": ["sms"],
                                     "school": "lincoln-es", "body": ")" +
                                     english + R"("})",
                                 admin_key);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;

  // The outbox has the SMS in Spanish, with the machine-translation notice.
  std::string sms;
  ASSERT_TRUE(eventually(
      [&] {
        std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
        std::string line;
        if (!std::getline(in, line)) {
          return false;
        }
        sms = std::string(boost::json::parse(line).at("text").as_string());
        return true;
      },
      std::chrono::seconds(60)))
      << log();
  EXPECT_THAT(sms, HasSubstr("biblioteca"));
  EXPECT_THAT(sms, Not(HasSubstr(english)));

  // And in the conversation: what staff wrote and what the guardian was sent.
  boost::json::array entries;
  ASSERT_TRUE(eventually([&] {
    entries = conversation();
    return !entries.empty();
  })) << log();
  const auto& entry = entries[0].as_object();
  EXPECT_EQ(entry.at("direction"), "out");
  EXPECT_EQ(entry.at("channel"), "sms");
  EXPECT_EQ(entry.at("guardian_id"), "g-1");
  EXPECT_EQ(entry.at("to"), "+12025550111");
  EXPECT_EQ(entry.at("language"), "es");
  EXPECT_EQ(entry.at("original").as_string(), english);
  EXPECT_EQ(entry.at("original_language"), "en");
  EXPECT_EQ(entry.at("text").as_string(), sms);
}

}  // namespace
}  // namespace liaison::testing
