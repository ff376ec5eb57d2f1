// Bodies that are not what they claim: JSON nested 100,000 deep, JSON with invalid UTF-8 or
// trailing data, and signed provider callbacks whose text is not UTF-8. Each is refused with 400
// problem+json before anything is stored; the daemon neither crashes nor overflows its stack.
#include <string>
#include <vector>

#include "channels/webhook.hpp"
#include "tests/integration/bad_input/bad_input_fixture.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;

// Every route that takes a JSON body, with the method it takes it by.
const std::vector<std::pair<std::string, std::string>> json_routes = {
    {"POST", "/v1/messages"},
    {"PUT", "/v1/families/f-1"},
    {"PUT", "/v1/contacts/c-1"},
    {"POST", "/v1/announcements"},
    {"POST", "/v1/announcements/preview"},
    {"PUT", "/v1/interpreters/i-1"},
    {"POST", "/v1/interpretation-requests"},
    {"PATCH", "/v1/interpretation-requests/ir_019ac1f0e3a2c1d35f0b9a7e4c21"},
};

std::string repeated(const std::string& piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) {
    out += piece;
  }
  return out;
}

struct body_case {
  const char* what;
  std::string body;
};

const std::vector<body_case> malformed_bodies = {
    {"100,000 nested arrays", repeated("[", 100000)},
    {"100,000 nested objects", repeated(R"({"a":)", 40000)},
    {"nested arrays inside a valid field",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":)" +
         repeated("[", 5000) + repeated("]", 5000) + "}"},
    {"a byte 0xFF in a string",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"a)"
     "\xff"
     R"("})"},
    {"an overlong encoding of '/'",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"a)"
     "\xc0\xaf"
     R"("})"},
    {"an encoded surrogate",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"a)"
     "\xed\xa0\x80"
     R"("})"},
    {"a truncated sequence",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"a)"
     "\xe2\x82"
     R"("})"},
    {"a lone surrogate escape",
     R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"a\ud800b"})"},
    {"data after the JSON value", R"({"to":{"phone":"+12025550143"}} {"x":1})"},
    {"an empty body", ""},
    {"a JSON body cut short", R"({"to":{"phone":"+1202555014)"},
};

TEST_F(bad_input_test, malformed_json_is_400_on_every_route_and_nothing_is_stored) {
  for (const auto& [method, target] : json_routes) {
    for (const auto& c : malformed_bodies) {
      SCOPED_TRACE(method + " " + target + ": " + c.what);
      const auto reply = api(method, target, c.body);
      const auto problem = expect_problem(reply, 400);
      if (!problem.empty()) {
        EXPECT_EQ(problem.at("type"), "urn:liaison:problem:malformed-json");
        EXPECT_THAT(std::string(problem.at("detail").as_string()), HasSubstr("malformed JSON"));
      }
    }
  }
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, nesting_too_deep_says_so) {
  const auto reply = api("POST", "/v1/messages", repeated("[", 100000));
  const auto problem = expect_problem(reply, 400);
  EXPECT_THAT(std::string(problem.at("detail").as_string()),
              HasSubstr("nested deeper than 32 levels"));
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, a_roster_of_deeply_nested_or_invalid_json_lines_stores_nothing) {
  const std::string lines = repeated("[", 60000) + "\n" +
                            R"({"id":"f-1","guardians":[{"id":"g","name":"A)"
                            "\xff"
                            R"(","language":"es","phone":"+12025550143"}]})" +
                            "\n";
  const auto reply = send_http(port_, {"POST",
                                       "/v1/families/import",
                                       lines,
                                       {{"Authorization", "Bearer " + std::string(admin_key)},
                                        {"Content-Type", "application/x-ndjson"}}});
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto report = boost::json::parse(reply.body);
  EXPECT_EQ(report.at("errors_total"), 2);
  EXPECT_EQ(report.at("errors").at(0).at("row"), 1);
  EXPECT_EQ(report.at("errors").at(1).at("row"), 2);
  EXPECT_EQ(report.at("families").at("created"), 0);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, signed_twilio_text_that_is_not_utf8_is_400_and_not_kept) {
  // Signed with the right token: the signature is fine, the text is not UTF-8.
  for (const std::string& text :
       {std::string("STOP \xff"), std::string("hola \xc0\xaf"), std::string("\xed\xa0\x80")}) {
    const auto reply = text_as_twilio(port_, public_url, twilio_token, "+12025550143", text);
    const auto problem = expect_problem(reply, 400);
    EXPECT_EQ(problem.at("type"), "urn:liaison:problem:malformed-callback");
  }
  // Invalid UTF-8 in the sender's number too.
  expect_problem(text_as_twilio(port_, public_url, twilio_token, "+1202555\xff", "hola"), 400);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, kannel_text_that_is_not_utf8_is_400_and_not_kept) {
  const auto reply = send_http(port_, {"GET",
                                       "/v1/providers/kannel/mo?token=" + std::string(mo_token) +
                                           "&from=%2B12025550143&to=12345&text=STOP+%FF%FE",
                                       {},
                                       {}});
  const auto problem = expect_problem(reply, 400);
  EXPECT_EQ(problem.at("type"), "urn:liaison:problem:malformed-callback");
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, a_gateway_post_of_invalid_json_is_400_and_not_kept) {
  for (const std::string& body : {std::string(R"({"from":"+12025550143","text":"STOP )"
                                              "\xff"
                                              R"("})"),
                                  repeated("[", 100000)}) {
    const auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    const auto reply = send_http(
        port_,
        {"POST",
         "/v1/providers/webhook/gateway/inbound",
         body,
         {{"Content-Type", "application/json"},
          {"X-Liaison-Timestamp", timestamp},
          {"X-Liaison-Signature", channels::webhook_signature(gateway_secret, timestamp, body)}}});
    expect_problem(reply, 400);
  }
  expect_nothing_written_and_daemon_healthy();
}

}  // namespace
}  // namespace liaison::testing
