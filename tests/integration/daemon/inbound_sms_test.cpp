// Inbound SMS from Twilio: signed webhook → STOP/START/HELP in the guardian's language, with
// the opt-out stored per number. Real liaisond, private redis-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>

#include "support/crypto.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* admin_key = "inbound-admin-key";
constexpr const char* twilio_token = "twilio-test-auth-token";
constexpr const char* public_url = "https://liaison.example.org";

class inbound_sms_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    std::ofstream(dir_.path() / "liaison.toml")
        << "[district]\nname = \"Riverside USD\"\nhelp_phone = \"+1 816 555 0100\"\n"
        << "catalog_directory = \"" LIAISON_SOURCE_DIR "/i18n/catalog\"\n"
        << "[http]\nport = " << port_ << "\npublic_url = \"" << public_url << "\"\n"
        << "[redis]\nunix_socket = \"" << redis_.socket_path().string() << "\"\n"
        << "[[auth.api_keys]]\nname = \"admin\"\nrole = \"admin\"\nsha256 = \""
        << sha256_hex(admin_key) << "\"\n"
        << "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"sms\"]\n"
        << "base_url = \"http://127.0.0.1:9\"\naccount_sid = "
           "\"AC00000000000000000000000000000000\"\n"
        << "from = \"+12025550100\"\nauth_token_file = \"twilio-token\"\n";
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    const auto put =
        send_http(port_, {"PUT",
                          "/v1/families/fam-1",
                          R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es-MX",
                                   "phone": "+12025550111"}],
                    "students": [{"id": "s-1", "school": "lincoln-es", "grade": "02"}]})",
                          {{"Authorization", std::string("Bearer ") + admin_key},
                           {"Content-Type", "application/json"}}});
    ASSERT_EQ(put.status, 201u) << put.body;
  }

  http_reply text_in(const std::string& from, const std::string& body,
                     bool tamper_signature = false) {
    return text_as_twilio(port_, public_url, twilio_token, from, body, tamper_signature);
  }

  http_reply twilio_post(const std::string& target, const form_params& params,
                         bool tamper_signature = false) {
    return post_as_twilio(port_, public_url, twilio_token, target, params, tamper_signature);
  }

  boost::json::value family() {
    return boost::json::parse(
        send_http(port_, {"GET",
                          "/v1/families/fam-1",
                          {},
                          {{"Authorization", std::string("Bearer ") + admin_key}}})
            .body);
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(inbound_sms_test, stop_opts_the_number_out_and_confirms_in_the_guardians_language) {
  const auto reply = text_in("+12025550111", "Stop.");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_THAT(reply.headers.at("content-type"), HasSubstr("text/xml"));
  EXPECT_THAT(reply.body, HasSubstr("<Message>Ya no recibirá mensajes de texto"));
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array({"sms"}));
}

TEST_F(inbound_sms_test, start_opts_back_in) {
  ASSERT_EQ(text_in("+12025550111", "PARAR").status, 200u);
  const auto reply = text_in("+12025550111", "start");
  EXPECT_THAT(reply.body, HasSubstr("Volverá a recibir"));
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array());
}

TEST_F(inbound_sms_test, unknown_number_is_answered_in_the_language_of_its_keyword) {
  const auto reply = text_in("+12025550199", "PARAR");
  EXPECT_THAT(reply.body, HasSubstr("Ya no recibirá"));
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:optout:sms", "+12025550199"}), "1");
}

TEST_F(inbound_sms_test, help_names_the_district_and_its_phone) {
  const auto reply = text_in("+12025550111", "AYUDA");
  EXPECT_THAT(reply.body, HasSubstr("Riverside USD"));
  EXPECT_THAT(reply.body, HasSubstr("+1 816 555 0100"));
}

TEST_F(inbound_sms_test, free_text_is_kept_in_the_family_conversation_and_opts_out_no_one) {
  const auto reply = text_in("+12025550111", "Please stop sending me the lunch menu");
  EXPECT_THAT(reply.body, HasSubstr("<Response/>"));
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array());
  ASSERT_EQ(text_in("+12025550111", "¿A qué hora es el taller?").status, 200u);
  text_in("+12025550199", "wrong number");  // nobody's: filed nowhere

  const auto listed = send_http(port_, {"GET",
                                        "/v1/conversations?family_id=fam-1",
                                        {},
                                        {{"Authorization", std::string("Bearer ") + admin_key}}});
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const auto entries = boost::json::parse(listed.body).at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].at("text"), "¿A qué hora es el taller?");
  EXPECT_EQ(entries[1].at("language"), "es-MX");
  EXPECT_EQ(entries[1].at("guardian_id"), "g-1");
  EXPECT_EQ(entries[1].at("direction"), "in");
  EXPECT_EQ(
      send_http(
          port_,
          {"GET", "/v1/conversations", {}, {{"Authorization", std::string("Bearer ") + admin_key}}})
          .status,
      422u);
}

TEST_F(inbound_sms_test, a_message_queued_to_an_opted_out_number_is_never_sent) {
  ASSERT_EQ(text_in("+12025550111", "STOP").status, 200u);
  const auto accepted =
      send_http(port_, {"POST",
                        "/v1/messages",
                        R"({"to": {"phone": "+12025550111"}, "channel": "sms", "language": "es",
                  "body": "Recordatorio"})",
                        {{"Authorization", std::string("Bearer ") + admin_key},
                         {"Content-Type", "application/json"}}});
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const auto id = std::string(boost::json::parse(accepted.body).at("id").as_string());
  const auto message = [&] {
    return boost::json::parse(
               send_http(port_, {"GET",
                                 "/v1/messages/" + id,
                                 {},
                                 {{"Authorization", std::string("Bearer ") + admin_key}}})
                   .body)
        .as_object();
  };
  EXPECT_TRUE(eventually([&] { return message().at("state") == "opted_out"; })) << daemon_->log();
  // Never handed to a provider, so no attempt is counted.
  const auto stored = message();
  EXPECT_TRUE(!stored.contains("attempts") || stored.at("attempts") == 0) << stored;
}

TEST_F(inbound_sms_test, a_language_name_changes_the_guardians_language_and_confirms_in_it) {
  const auto reply = text_in("+12025550111", "Tiếng Việt");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(family().at("guardians").at(0).at("language"), "vi");
  EXPECT_THAT(reply.body, HasSubstr("Tiếng Việt"));
  EXPECT_THAT(reply.body, Not(HasSubstr("Your language")));
  // The language index follows, so previews count the family as Vietnamese-speaking.
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:idx:language:vi", "fam-1"}), "1");
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:idx:language:es-MX", "fam-1"}), "0");

  const auto command = text_in("+12025550111", "LANG so");
  EXPECT_EQ(family().at("guardians").at(0).at("language"), "so");
  EXPECT_THAT(command.body, HasSubstr("Soomaali"));
  // An unknown number changes nothing and gets no confirmation.
  EXPECT_THAT(text_in("+12025550199", "español").body, HasSubstr("<Response/>"));
}

TEST_F(inbound_sms_test, status_callbacks_mark_deliveries_delivered_and_move_their_counts) {
  // A delivery of an announcement that Twilio accepted: state sent, counted as sent.
  redis_.cli({"HSET", "liaison:{q}:delivery:ann_1:fam-1:g-1:sms", "state", "sent", "tally",
              "ann:ann_1:tally", "tally_group", "es-MX|sms", "channel", "sms"});
  redis_.cli({"HSET", "liaison:{q}:ann:ann_1:tally", "es-MX|sms|sent", "1"});
  const std::string target = "/v1/providers/twilio/status?delivery_id=ann_1%3Afam-1%3Ag-1%3Asms";
  auto reply = twilio_post(target, {{"MessageSid", "SM1"}, {"MessageStatus", "sent"}});
  EXPECT_EQ(reply.status, 204u) << reply.body;
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:delivery:ann_1:fam-1:g-1:sms", "state"}), "sent");
  reply = twilio_post(target, {{"MessageSid", "SM1"}, {"MessageStatus", "delivered"}});
  EXPECT_EQ(reply.status, 204u);
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:delivery:ann_1:fam-1:g-1:sms", "state"}), "delivered");
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:ann:ann_1:tally", "es-MX|sms|delivered"}), "1");
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:ann:ann_1:tally", "es-MX|sms|sent"}), "0");
  // Repeated callbacks change nothing more.
  twilio_post(target, {{"MessageSid", "SM1"}, {"MessageStatus", "delivered"}});
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:ann:ann_1:tally", "es-MX|sms|delivered"}), "1");

  // 21610: the number texted STOP to the carrier.
  reply =
      twilio_post("/v1/providers/twilio/status?delivery_id=d-2", {{"MessageSid", "SM2"},
                                                                  {"MessageStatus", "undelivered"},
                                                                  {"ErrorCode", "21610"},
                                                                  {"To", "+12025550111"}});
  EXPECT_EQ(reply.status, 204u);
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array({"sms"}));
  // Unsigned: refused.
  EXPECT_EQ(twilio_post(target, {{"MessageStatus", "undelivered"}}, true).status, 403u);
}

TEST_F(inbound_sms_test, bad_signature_is_403_and_changes_nothing) {
  const auto reply = text_in("+12025550111", "STOP", true);
  EXPECT_EQ(reply.status, 403u);
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array());
}

}  // namespace
}  // namespace liaison::testing
