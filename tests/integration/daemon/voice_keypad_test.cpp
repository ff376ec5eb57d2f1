// Keypad answers on an announcement's call, end to end: the real liaisond sends a Spanish voice
// announcement with a question (through the outbox, which keeps what the call would say), then
// Twilio's signed <Gather> results come back: 1 confirms and answers the question's first
// option, 2 says the message again in the same voice, 3 asks for a call back; a forged post
// changes nothing. Private redis-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* admin_key = "keypad-admin-key";
constexpr const char* twilio_token = "keypad-twilio-auth-token";
constexpr const char* public_url = "https://liaison.example.org";

constexpr const char* workshop = R"({
  "school": "lincoln-es",
  "audience": {"schools": ["lincoln-es"]},
  "channels": ["voice"],
  "source_language": "en",
  "body": "Parent Academy on Thursday. Press 1 to register.",
  "translations": {"es": {"body": "Academia de Padres el jueves. Oprima 1 para inscribirse."}},
  "rsvp": {"options": [{"label": "register", "answers": ["1", "sí"]},
                       {"label": "childcare", "answers": ["2"]}]}
})";

class voice_keypad_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    // Twilio is configured (its auth token signs the <Gather> posts) but calls go to the
    // outbox, so the test sees what would be said without a Twilio peer.
    liaisond_config(port_, redis_.socket_path())
        .district(
            "name = \"Riverside USD\"\n"
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n")
        .http(std::string("public_url = \"") + public_url + "\"\n")
        .api_key("admin", "admin", admin_key)
        .tables(
            "[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n"
            "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"sms\"]\n"
            "base_url = \"http://127.0.0.1:9\"\n"
            "account_sid = \"AC00000000000000000000000000000000\"\n"
            "from = \"+12025550100\"\nauth_token_file = \"" +
            (dir_.path() / "twilio-token").string() + "\"\n")
        .outbox(dir_.path(), {"voice"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    const auto put = call_api(port_, "PUT", "/v1/families/fam-1",
                              R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es-MX",
                                   "phone": "+12025550111", "channels": ["voice"]}],
                                  "students": [{"id": "s-1", "school": "lincoln-es", "grade": "02"}]})",
                              admin_key);
    ASSERT_EQ(put.status, 201u) << put.body;
    const auto accepted = call_api(port_, "POST", "/v1/announcements", workshop, admin_key);
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    announcement_ = std::string(boost::json::parse(accepted.body).at("id").as_string());
    ASSERT_TRUE(eventually([&] { return call_sent(); }, 20s)) << daemon_->log();
  }

  // The outbox line of the call, once the worker sent it.
  bool call_sent() {
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    std::string line;
    if (!std::getline(in, line)) {
      return false;
    }
    call_ = boost::json::parse(line).as_object();
    delivery_ = std::string(call_.at("delivery_id").as_string());
    return true;
  }

  http_reply press(const std::string& digits, bool tamper_signature = false) {
    return post_as_twilio(port_, public_url, twilio_token,
                          "/v1/providers/twilio/voice?delivery_id=" + delivery_,
                          {{"CallSid", "CA0000000000000000000000000000000a"},
                           {"Digits", digits},
                           {"From", "+12025550100"},
                           {"To", "+12025550111"}},
                          tamper_signature);
  }

  boost::json::object message() {
    const auto reply = call_api(port_, "GET", "/v1/messages/" + delivery_, "", admin_key);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return boost::json::parse(reply.body).as_object();
  }

  boost::json::object announcement() {
    const auto reply = call_api(port_, "GET", "/v1/announcements/" + announcement_, "", admin_key);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return boost::json::parse(reply.body).as_object();
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
  std::string announcement_;
  std::string delivery_;
  boost::json::object call_;
};

TEST_F(voice_keypad_test, the_call_offers_three_keys_in_the_guardians_language) {
  EXPECT_EQ(call_.at("voice_language"), "es-MX");
  EXPECT_THAT(std::string(call_.at("voice_prompt").as_string()),
              HasSubstr("Para pedir que la escuela le devuelva la llamada, oprima 3."));
}

TEST_F(voice_keypad_test, one_confirms_on_the_delivery_and_answers_the_first_option) {
  const auto reply = press("1");
  ASSERT_EQ(reply.status, 200u) << reply.body << daemon_->log();
  EXPECT_THAT(reply.headers.at("content-type"), HasSubstr("text/xml"));
  EXPECT_EQ(reply.body,
            R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
            R"(<Say language="es-MX">Gracias. Su respuesta quedó registrada. Adiós.</Say>)"
            R"(<Hangup/></Response>)");
  const auto shown = message();
  EXPECT_EQ(shown.at("voice_answer"), "confirmed");
  EXPECT_TRUE(shown.contains("voice_answer_at"));
  const auto progress = announcement();
  EXPECT_EQ(progress.at("rsvp").at("options").at(0).at("label"), "register");
  EXPECT_EQ(progress.at("rsvp").at("options").at(0).at("answers"), 1);
  EXPECT_EQ(progress.at("voice_answers").at("confirmed"), 1);

  // Twilio retries, a second press: still one answer.
  ASSERT_EQ(press("1").status, 200u);
  EXPECT_EQ(announcement().at("rsvp").at("options").at(0).at("answers"), 1);
  EXPECT_EQ(announcement().at("voice_answers").at("confirmed"), 1);
}

TEST_F(voice_keypad_test, two_says_the_message_again_in_the_same_voice) {
  const auto reply = press("2");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const std::string action =
      "https://liaison.example.org/v1/providers/twilio/voice?delivery_id=" + delivery_;
  EXPECT_THAT(reply.body, HasSubstr(R"(<Gather numDigits="1" method="POST" action=")"));
  EXPECT_THAT(reply.body, HasSubstr("<Say language=\"es-MX\">" +
                                    std::string(call_.at("text").as_string()) + "</Say>"));
  EXPECT_THAT(reply.body, HasSubstr("Academia de Padres el jueves."));
  EXPECT_THAT(reply.body, HasSubstr("oprima 3.</Say></Gather>"));
  EXPECT_FALSE(message().contains("voice_answer"));
}

TEST_F(voice_keypad_test, three_records_a_call_back_request) {
  const auto reply = press("3");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("Gracias. Su respuesta quedó registrada."));
  EXPECT_EQ(message().at("voice_answer"), "call_back");
  const auto progress = announcement();
  EXPECT_EQ(progress.at("voice_answers").at("call_back"), 1);
  EXPECT_EQ(progress.at("rsvp").at("options").at(0).at("answers"), 0);
}

TEST_F(voice_keypad_test, another_key_says_the_menu_again) {
  const auto reply = press("7");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("<Gather"));
  EXPECT_THAT(reply.body, Not(HasSubstr("Academia de Padres")));
  EXPECT_THAT(reply.body, HasSubstr("oprima 3."));
  EXPECT_FALSE(message().contains("voice_answer"));
}

TEST_F(voice_keypad_test, a_forged_or_tampered_post_is_refused_and_records_nothing) {
  EXPECT_EQ(press("3", true).status, 403u);
  const auto unsigned_post =
      send_http(port_, {"POST",
                        "/v1/providers/twilio/voice?delivery_id=" + delivery_,
                        "Digits=3",
                        {{"Content-Type", "application/x-www-form-urlencoded"}}});
  EXPECT_EQ(unsigned_post.status, 403u);
  // Correctly signed, but for a delivery that does not exist: the call just hangs up.
  auto other =
      post_as_twilio(port_, public_url, twilio_token,
                     "/v1/providers/twilio/voice?delivery_id=someone-else", {{"Digits", "3"}});
  EXPECT_EQ(other.status, 200u);  // signed: an unknown delivery just hangs up
  EXPECT_THAT(other.body, HasSubstr("<Hangup/>"));
  EXPECT_FALSE(message().contains("voice_answer"));
  EXPECT_EQ(announcement().at("voice_answers").at("call_back"), 0);
}

}  // namespace
}  // namespace liaison::testing
