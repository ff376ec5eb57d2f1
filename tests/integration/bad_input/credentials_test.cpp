// Wrong API keys and forged provider callbacks: 401 (no or unknown key), 403 (a role the route
// does not allow, or a callback signature that does not verify), 404 (a gateway that does not
// exist) — and in every case nothing is written. The key comparison itself is constant-time
// (tests/unit/support/crypto_test.cpp); no timing is measured here.
#include <string>
#include <vector>

#include "channels/kannel.hpp"
#include "channels/webhook.hpp"
#include "support/crypto.hpp"
#include "tests/integration/bad_input/bad_input_fixture.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

const std::string message =
    R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"hola"})";

std::string unix_now(std::chrono::seconds offset = 0s) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            (std::chrono::system_clock::now() + offset).time_since_epoch())
                            .count());
}

TEST_F(bad_input_test, wrong_api_keys_are_401_and_nothing_is_queued) {
  const std::string key = admin_key;
  std::string case_changed = key;
  case_changed[0] = 'B';
  const std::vector<std::pair<const char*, std::string>> authorizations = {
      {"no header", ""},
      {"another scheme", "Basic " + key},
      {"the scheme alone", "Bearer"},
      {"an empty token", "Bearer "},
      {"an unknown key", "Bearer not-a-key"},
      {"the key with one more character", "Bearer " + key + "x"},
      {"the key without its last character", "Bearer " + key.substr(0, key.size() - 1)},
      {"the key in another case", "Bearer " + case_changed},
      // (Spaces after the key are not part of the header value, RFC 9110 §5.5; a second
      // space after the scheme is part of the token.)
      {"the key after two spaces", "Bearer  " + key},
      {"the key's SHA-256, as the config holds it", "Bearer " + sha256_hex(key)},
  };
  for (const auto& [what, authorization] : authorizations) {
    SCOPED_TRACE(what);
    http_call call{"POST", "/v1/messages", message, {{"Content-Type", "application/json"}}};
    if (!authorization.empty()) {
      call.headers["Authorization"] = authorization;
    }
    const auto reply = send_http(port_, call);
    const auto problem = expect_problem(reply, 401);
    EXPECT_EQ(reply.headers.count("www-authenticate"), 1u);
    if (!problem.empty()) {
      EXPECT_EQ(problem.at("type"), "urn:liaison:problem:unauthorized");
    }
  }
  // A NUL inside the key: the header itself is malformed.
  const auto nul = raw_exchange(port_,
                                "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
                                "Authorization: Bearer " +
                                    key.substr(0, 4) + std::string(1, '\0') + key.substr(4) +
                                    "\r\nContent-Type: application/json\r\n"
                                    "Content-Length: " +
                                    std::to_string(message.size()) + "\r\n\r\n" + message);
  expect_problem(nul, 400);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, the_bearer_scheme_is_case_insensitive_but_the_key_is_not) {
  const auto reply = send_http(
      port_,
      {"GET", "/v1/families/nobody", {}, {{"Authorization", "bEaReR " + std::string(admin_key)}}});
  expect_problem(reply, 404);  // authenticated: the family simply does not exist
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, a_key_whose_role_may_not_call_a_route_is_403_and_changes_nothing) {
  const std::vector<std::pair<std::string, std::string>> office_only = {
      {"DELETE", "/v1/families/f-1"},
      {"PUT", "/v1/contacts/c-1"},
      {"PUT", "/v1/interpreters/i-1"},
      {"POST", "/v1/families/import"},
  };
  for (const auto& [method, target] : office_only) {
    SCOPED_TRACE(method + " " + target);
    const auto problem = expect_problem(api(method, target, "{}", school_key), 403);
    if (!problem.empty()) {
      EXPECT_EQ(problem.at("type"), "urn:liaison:problem:forbidden");
    }
  }
  // A school key writing for a school that is not its own.
  const auto other_school =
      api("POST", "/v1/messages",
          R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"hola",
              "school":"washington"})",
          school_key);
  EXPECT_TRUE(other_school.status == 403 || other_school.status == 422) << other_school.body;
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, forged_provider_callbacks_are_403_and_change_nothing) {
  // Twilio: no signature, a tampered one, one made for another URL, one with another token.
  EXPECT_EQ(send_http(port_, {"POST",
                              "/v1/providers/twilio/sms",
                              "From=%2B12025550143&Body=STOP",
                              {{"Content-Type", "application/x-www-form-urlencoded"}}})
                .status,
            403u);
  EXPECT_EQ(text_as_twilio(port_, public_url, twilio_token, "+12025550143", "STOP", true).status,
            403u);
  EXPECT_EQ(
      text_as_twilio(port_, "https://elsewhere.example.org", twilio_token, "+12025550143", "STOP")
          .status,
      403u);
  EXPECT_EQ(text_as_twilio(port_, public_url, "another-token", "+12025550143", "STOP").status,
            403u);
  EXPECT_EQ(post_as_twilio(
                port_, public_url, "another-token", "/v1/providers/twilio/status",
                {{"MessageStatus", "undelivered"}, {"ErrorCode", "21610"}, {"To", "+12025550143"}})
                .status,
            403u);
  // Kannel: a dlr-url sig made with another secret, none, and an MO with a wrong token.
  EXPECT_EQ(send_http(port_, {"GET",
                              "/v1/providers/kannel/dlr?delivery_id=d-1&type=2&sig=" +
                                  channels::kannel_dlr_signature("guess", "d-1"),
                              {},
                              {}})
                .status,
            403u);
  EXPECT_EQ(
      send_http(port_, {"GET", "/v1/providers/kannel/dlr?delivery_id=d-1&type=1", {}, {}}).status,
      403u);
  EXPECT_EQ(send_http(port_, {"GET",
                              "/v1/providers/kannel/mo?token=" + std::string(mo_token) +
                                  "x&from=%2B12025550143&text=STOP",
                              {},
                              {}})
                .status,
            403u);
  EXPECT_EQ(
      send_http(port_, {"GET", "/v1/providers/kannel/mo?from=%2B12025550143&text=STOP", {}, {}})
          .status,
      403u);
  // SendGrid: events signed by another key, and a genuine signature replayed an hour later.
  const std::string events = R"([{"event":"bounce","custom_args":{"delivery_id":"d-1"}}])";
  const ecdsa_key stranger;
  const auto now = unix_now();
  const auto sendgrid = [&](const std::string& timestamp, const std::string& signature) {
    return send_http(port_, {"POST",
                             "/v1/providers/sendgrid/events",
                             events,
                             {{"Content-Type", "application/json"},
                              {"X-Twilio-Email-Event-Webhook-Timestamp", timestamp},
                              {"X-Twilio-Email-Event-Webhook-Signature", signature}}});
  };
  EXPECT_EQ(sendgrid(now, stranger.sign_base64(now + events)).status, 403u);
  const auto old = unix_now(-3600s);
  EXPECT_EQ(sendgrid(old, sendgrid_key_.sign_base64(old + events)).status, 403u);
  // The webhook gateway: another secret, a stale timestamp, a body other than the one signed,
  // and a gateway that does not exist (404, whatever the signature).
  const std::string inbound = R"({"from":"+12025550143","text":"STOP"})";
  const auto gateway = [&](const std::string& name, const std::string& secret,
                           const std::string& timestamp, const std::string& signed_body) {
    return send_http(
        port_,
        {"POST",
         "/v1/providers/webhook/" + name + "/inbound",
         inbound,
         {{"Content-Type", "application/json"},
          {"X-Liaison-Timestamp", timestamp},
          {"X-Liaison-Signature", channels::webhook_signature(secret, timestamp, signed_body)}}});
  };
  EXPECT_EQ(gateway("gateway", "guess", now, inbound).status, 403u);
  EXPECT_EQ(gateway("gateway", gateway_secret, unix_now(-3600s), inbound).status, 403u);
  EXPECT_EQ(
      gateway("gateway", gateway_secret, now, R"({"from":"+12025550143","text":"hi"})").status,
      403u);
  expect_problem(gateway("nobody", gateway_secret, now, inbound), 404);
  expect_nothing_written_and_daemon_healthy();
}

}  // namespace
}  // namespace liaison::testing
