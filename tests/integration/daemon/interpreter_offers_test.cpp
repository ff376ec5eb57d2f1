// Offers end to end: a Spanish IEP request offered by SMS to the matching interpreters, two of
// them reply YES at once, exactly one is assigned, the other is told it is filled, and the family
// gets its confirmation in Spanish; an interpreter with only an email address gets the offer with
// a link to a page and accepts there. Real liaisond, private redis-server, Twilio-signed replies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <map>
#include <regex>

#include "support/time_format.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* coordinator_key = "offers-coordinator-key";
constexpr const char* twilio_token = "offers-twilio-token";
constexpr const char* public_url = "https://liaison.example.org";

class interpreter_offers_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    liaisond_config(port_, redis_.socket_path())
        .district("time_zone = \"America/Chicago\"\n")
        .http("public_url = \"" + std::string(public_url) + "\"\n")
        .tables("[workers]\nblock_timeout = \"200ms\"\n")
        .api_key("fe-office", "coordinator", coordinator_key)
        // Twilio only signs the inbound webhooks here; texts go to the outbox.
        .tables(
            "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"voice\"]\n"
            "base_url = \"http://127.0.0.1:9\"\n"
            "account_sid = \"AC00000000000000000000000000000000\"\n"
            "from = \"+12025550100\"\nauth_token_file = \"twilio-token\"\n")
        .outbox(dir_.path(), {"sms", "email"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    ASSERT_EQ(call("PUT", "/v1/families/f-1",
                   R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es-MX",
                        "phone": "+12025550111"}],
                       "students": [{"id": "s-1", "school": "lincoln-es", "grade": "04"}]})")
                  .status,
              201u);
    const char* interpreters[][3] = {{"int-1", "+12025550151", "es"},
                                     {"int-2", "+12025550152", "es"},
                                     {"int-3", "+12025550153", "es"},
                                     {"int-4", "+12025550154", "so"}};  // another language
    for (const auto& [id, phone, language] : interpreters) {
      const auto put = call("PUT", std::string("/v1/interpreters/") + id,
                            std::string(R"({"name": "I", "languages": [")") + language +
                                R"("], "phone": ")" + phone + R"("})");
      ASSERT_EQ(put.status, 201u) << put.body;
    }
  }

  http_reply call(const std::string& method, const std::string& target, const std::string& body) {
    return call_api(port_, method, target, body, coordinator_key);
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
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(interpreter_offers_test, the_first_yes_wins_and_the_family_is_told_in_spanish) {
  const auto start = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now() +
                                                              std::chrono::days(10));
  const auto created = call("POST", "/v1/interpretation-requests",
                            R"({"school": "lincoln-es", "family_id": "f-1", "language": "es",
                                "meeting_type": "iep", "mode": "in_person", "start": ")" +
                                format_rfc3339_utc(start) + R"("})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto request = boost::json::parse(created.body);
  EXPECT_EQ(request.at("state"), "offered");
  EXPECT_EQ(request.at("offers"), 3);
  const std::string id(request.at("id").as_string());

  // Three Spanish offers, none to the Somali interpreter, each with the code.
  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == 3; })) << daemon_->log();
  std::string code;
  for (const auto& line : outbox_lines()) {
    EXPECT_NE(line.at("address"), "+12025550154");
    std::smatch found;
    const std::string text(line.at("text").as_string());
    ASSERT_TRUE(std::regex_search(text, found, std::regex("YES ([0-9]{4})"))) << text;
    code = found[1];
  }

  // Two interpreters answer at the same moment: exactly one gets the job.
  auto first = std::async(std::launch::async, [&] {
    return text_as_twilio(port_, public_url, twilio_token, "+12025550151", "YES " + code);
  });
  auto second = std::async(std::launch::async, [&] {
    return text_as_twilio(port_, public_url, twilio_token, "+12025550152", "yes " + code);
  });
  const auto a = first.get();
  const auto b = second.get();
  ASSERT_EQ(a.status, 200u);
  ASSERT_EQ(b.status, 200u);
  const bool a_won = a.body.find("confirmed") != std::string::npos;
  const bool b_won = b.body.find("confirmed") != std::string::npos;
  EXPECT_NE(a_won, b_won) << a.body << "\n" << b.body;
  EXPECT_THAT(a_won ? b.body : a.body, HasSubstr("already been filled"));

  const auto after = boost::json::parse(call("GET", "/v1/interpretation-requests/" + id, "").body);
  EXPECT_EQ(after.at("state"), "assigned");
  EXPECT_EQ(after.at("assigned_to"), a_won ? "int-1" : "int-2");

  // The two others offered are told it is filled; the family gets its confirmation in Spanish.
  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == 6; })) << daemon_->log();
  std::map<std::string, std::string> last_text_to;
  for (const auto& line : outbox_lines()) {
    last_text_to[std::string(line.at("address").as_string())] =
        std::string(line.at("text").as_string());
  }
  EXPECT_THAT(last_text_to.at("+12025550111"), HasSubstr("está confirmada"));
  EXPECT_THAT(last_text_to.at("+12025550153"), HasSubstr("already been filled"));
  EXPECT_THAT(last_text_to.at(a_won ? "+12025550152" : "+12025550151"),
              HasSubstr("already been filled"));

  // A number that was not offered the code cannot take it.
  const auto stranger =
      text_as_twilio(port_, public_url, twilio_token, "+12025550154", "YES " + code);
  EXPECT_THAT(stranger.body, HasSubstr("<Response/>"));
}

TEST_F(interpreter_offers_test, an_interpreter_without_a_phone_accepts_on_the_offer_page) {
  const auto put = call("PUT", "/v1/interpreters/int-5",
                        R"({"name": "Ana", "languages": ["es"], "language": "es",
                            "email": "ana@example.org"})");
  ASSERT_EQ(put.status, 201u) << put.body;
  const auto start = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now() +
                                                              std::chrono::days(10));
  const auto created = call("POST", "/v1/interpretation-requests",
                            R"({"school": "lincoln-es", "family_id": "f-1", "language": "es",
                                "meeting_type": "iep", "mode": "in_person", "start": ")" +
                                format_rfc3339_utc(start) + R"("})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto request = boost::json::parse(created.body);
  EXPECT_EQ(request.at("offers"), 4);  // three by SMS, one by email
  const std::string id(request.at("id").as_string());

  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == 4; })) << daemon_->log();
  std::string text;
  for (const auto& line : outbox_lines()) {
    if (line.at("channel") == "email") {
      EXPECT_EQ(line.at("address"), "ana@example.org");
      EXPECT_FALSE(line.at("subject").as_string().empty());
      text = std::string(line.at("text").as_string());
    }
  }
  // In the interpreter's language, with a link instead of "reply YES".
  EXPECT_THAT(text, ::testing::Not(HasSubstr("YES")));
  std::smatch found;
  ASSERT_TRUE(std::regex_search(
      text, found, std::regex(std::string(public_url) + "(/offers/[0-9]{4}/[0-9a-f]{32})$")))
      << text;
  const std::string page = found[1];

  // Opening the link shows the offer and two buttons; nothing is accepted by a GET (mail
  // scanners open links). The token is the credential: another one is not found.
  const auto shown = send_http(port_, {"GET", page, "", {}});
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_THAT(shown.headers.at("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(shown.headers.at("content-security-policy"), HasSubstr("default-src 'none'"));
  EXPECT_EQ(shown.headers.at("referrer-policy"), "no-referrer");
  EXPECT_THAT(shown.body, HasSubstr("<html lang=\"es\">"));
  EXPECT_THAT(shown.body, HasSubstr("<form method=\"post\">"));
  EXPECT_THAT(shown.body, ::testing::Not(HasSubstr("/offers/")));  // the offer, not its link
  EXPECT_EQ(
      boost::json::parse(call("GET", "/v1/interpretation-requests/" + id, "").body).at("state"),
      "offered");
  auto forged = page;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(send_http(port_, {"GET", forged, "", {}}).status, 404u);
  EXPECT_EQ(send_http(port_, {"GET", "/offers/12/../../etc", "", {}}).status, 404u);

  const std::map<std::string, std::string> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(send_http(port_, {"POST", page, "answer=maybe", form}).status, 400u);
  // A decline is said back in the interpreter's language and leaves the request offered (the
  // link still answers: an interpreter may change their mind while it is open).
  const auto declined = send_http(port_, {"POST", page, "answer=no", form});
  ASSERT_EQ(declined.status, 200u) << declined.body;
  EXPECT_THAT(declined.body, HasSubstr("Usted rechazó esta solicitud"));
  EXPECT_EQ(
      boost::json::parse(call("GET", "/v1/interpretation-requests/" + id, "").body).at("state"),
      "offered");
  const auto accepted = send_http(port_, {"POST", page, "answer=yes", form});
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  const auto after = boost::json::parse(call("GET", "/v1/interpretation-requests/" + id, "").body);
  EXPECT_EQ(after.at("state"), "assigned");
  EXPECT_EQ(after.at("assigned_to"), "int-5");

  // The three offered by SMS are told it is filled; the family gets its confirmation.
  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == 8; })) << daemon_->log();
  std::size_t filled = 0;
  for (const auto& line : outbox_lines()) {
    filled += line.at("text").as_string().find("already been filled") != std::string::npos;
  }
  EXPECT_EQ(filled, 3u);

  // The page now says it is taken, without buttons; answering again changes nothing.
  const auto closed = send_http(port_, {"GET", page, "", {}});
  EXPECT_EQ(closed.status, 200u);
  EXPECT_THAT(closed.body, ::testing::Not(HasSubstr("<form")));
  const auto again = send_http(port_, {"POST", page, "answer=yes", form});
  EXPECT_EQ(again.status, 200u);
  EXPECT_NE(again.body, accepted.body);
  EXPECT_EQ(boost::json::parse(call("GET", "/v1/interpretation-requests/" + id, "").body)
                .at("assigned_to"),
            "int-5");
}

}  // namespace
}  // namespace liaison::testing
