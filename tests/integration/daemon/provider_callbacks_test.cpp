// Provider callbacks against the real liaisond and a private redis-server: Kannel DLRs,
// SendGrid events, the generic webhook's status posts and Twilio status callbacks each move a
// delivery to its final state once; forged, tampered and replayed callbacks are refused (403)
// or, where a provider's signature cannot bound replays (Twilio, Kannel), change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>

#include "channels/kannel.hpp"
#include "channels/webhook.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/ecdsa_key.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* public_url = "https://liaison.example.org";
constexpr const char* twilio_token = "callbacks-twilio-token";
constexpr const char* dlr_secret = "callbacks-dlr-secret";
constexpr const char* gateway_secret = "callbacks-gateway-secret";
constexpr const char* mo_token = "callbacks-mo-token-0123456789abcdef";

std::string unix_now(std::chrono::seconds offset = 0s) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            (std::chrono::system_clock::now() + offset).time_since_epoch())
                            .count());
}

class provider_callbacks_test : public ::testing::Test {
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
        .http("public_url = \"" + std::string(public_url) + "\"\n")
        .tables(providers)
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  // A delivery of announcement a1 that its provider accepted: sent, counted as sent.
  void sent_delivery(const std::string& id) {
    redis_.cli({"HSET", "liaison:{q}:delivery:" + id, "state", "sent", "channel", "sms", "tally",
                "ann:a1:tally", "tally_group", "es-MX|sms"});
    redis_.cli({"HINCRBY", "liaison:{q}:ann:a1:tally", "es-MX|sms|sent", "1"});
  }
  std::string state_of(const std::string& id) {
    return redis_.cli({"HGET", "liaison:{q}:delivery:" + id, "state"});
  }
  std::string count(const std::string& phase) {
    return redis_.cli({"HGET", "liaison:{q}:ann:a1:tally", "es-MX|sms|" + phase});
  }

  http_reply kannel_dlr(const std::string& id, const std::string& sig, int type) {
    return send_http(port_, {"GET",
                             "/v1/providers/kannel/dlr?delivery_id=" + id + "&sig=" + sig +
                                 "&type=" + std::to_string(type) + "&answer=ACK%2F",
                             {},
                             {}});
  }

  http_reply sendgrid_post(const std::string& body, const std::string& timestamp,
                           const std::string& signature) {
    return send_http(port_, {"POST",
                             "/v1/providers/sendgrid/events",
                             body,
                             {{"Content-Type", "application/json"},
                              {"X-Twilio-Email-Event-Webhook-Timestamp", timestamp},
                              {"X-Twilio-Email-Event-Webhook-Signature", signature}}});
  }
  http_reply sendgrid_events(const std::string& body, std::chrono::seconds age = 0s) {
    const auto timestamp = unix_now(-age);
    return sendgrid_post(body, timestamp, sendgrid_key_.sign_base64(timestamp + body));
  }

  http_reply gateway_status(const std::string& body, const std::string& secret = gateway_secret,
                            std::chrono::seconds age = 0s) {
    const auto timestamp = unix_now(-age);
    return send_http(
        port_, {"POST",
                "/v1/providers/webhook/gateway/status",
                body,
                {{"Content-Type", "application/json"},
                 {"X-Liaison-Timestamp", timestamp},
                 {"X-Liaison-Signature", channels::webhook_signature(secret, timestamp, body)}}});
  }

  // A gateway's inbound post: `body` sent, `signed_body` signed (they differ when tampered).
  http_reply gateway_inbound(const std::string& body, const std::string& secret = gateway_secret,
                             std::chrono::seconds age = 0s,
                             std::optional<std::string> signed_body = std::nullopt) {
    const auto timestamp = unix_now(-age);
    return send_http(
        port_, {"POST",
                "/v1/providers/webhook/gateway/inbound",
                body,
                {{"Content-Type", "application/json"},
                 {"X-Liaison-Timestamp", timestamp},
                 {"X-Liaison-Signature",
                  channels::webhook_signature(secret, timestamp, signed_body.value_or(body))}}});
  }
  bool opted_out(const std::string& phone) {
    return redis_.cli({"SISMEMBER", "liaison:{d}:optout:sms", phone}) == "1";
  }

  std::string metrics() { return send_http(port_, {"GET", "/metrics", {}, {}}).body; }

  temp_dir dir_;
  redis_server redis_;
  ecdsa_key sendgrid_key_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

// --- Kannel -------------------------------------------------------------------------------

TEST_F(provider_callbacks_test, a_signed_kannel_dlr_marks_the_delivery_delivered) {
  sent_delivery("d-1");
  const auto sig = channels::kannel_dlr_signature(dlr_secret, "d-1");
  EXPECT_EQ(kannel_dlr("d-1", sig, 8).status, 204u);  // submitted: on its way
  EXPECT_EQ(state_of("d-1"), "sent");
  EXPECT_EQ(kannel_dlr("d-1", sig, 1).status, 204u);
  EXPECT_EQ(state_of("d-1"), "delivered");
  EXPECT_EQ(count("delivered"), "1");
  EXPECT_EQ(count("sent"), "0");
}

TEST_F(provider_callbacks_test, forged_and_tampered_kannel_dlrs_are_refused) {
  sent_delivery("d-1");
  sent_delivery("d-2");
  const auto sig = channels::kannel_dlr_signature(dlr_secret, "d-1");
  // Signed with a key that is not ours.
  EXPECT_EQ(kannel_dlr("d-1", channels::kannel_dlr_signature("guess", "d-1"), 2).status, 403u);
  // d-1's URL with its id changed to d-2.
  EXPECT_EQ(kannel_dlr("d-2", sig, 2).status, 403u);
  EXPECT_EQ(kannel_dlr("d-1", "", 2).status, 403u);
  EXPECT_EQ(state_of("d-1"), "sent");
  EXPECT_EQ(state_of("d-2"), "sent");
  // Signed, but not a DLR type.
  EXPECT_EQ(kannel_dlr("d-1", sig, 3).status, 400u);
  EXPECT_THAT(metrics(),
              HasSubstr(R"(provider="kannel",reason="wrong_signature",result="rejected")"));
}

TEST_F(provider_callbacks_test, a_replayed_kannel_failure_after_delivery_moves_nothing_back) {
  sent_delivery("d-1");
  const auto sig = channels::kannel_dlr_signature(dlr_secret, "d-1");
  ASSERT_EQ(kannel_dlr("d-1", sig, 1).status, 204u);
  // Anyone who saw the URL can replay it with another type (Kannel fills the type in, so it
  // cannot be signed): the delivery stays delivered and the counts stay.
  EXPECT_EQ(kannel_dlr("d-1", sig, 16).status, 204u);
  EXPECT_EQ(kannel_dlr("d-1", sig, 4).status, 204u);
  EXPECT_EQ(state_of("d-1"), "delivered");
  EXPECT_EQ(count("delivered"), "1");
  EXPECT_EQ(count("failed"), "");
}

// --- SendGrid -----------------------------------------------------------------------------

TEST_F(provider_callbacks_test, signed_sendgrid_events_move_their_deliveries) {
  sent_delivery("e-1");
  sent_delivery("e-2");
  sent_delivery("e-3");
  const auto reply = sendgrid_events(R"([
    {"event":"processed","delivery_id":"e-1"},
    {"event":"delivered","delivery_id":"e-1"},
    {"event":"bounce","delivery_id":"e-2","status":"5.1.1","reason":"no such user"},
    {"event":"deferred","delivery_id":"e-3","response":"try later"},
    {"event":"open","delivery_id":"e-1"}
  ])");
  EXPECT_EQ(reply.status, 204u) << reply.body;
  EXPECT_EQ(state_of("e-1"), "delivered");
  EXPECT_EQ(state_of("e-2"), "undelivered");
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:delivery:e-2", "provider_error"}),
            "5.1.1 no such user");
  EXPECT_EQ(state_of("e-3"), "sent");
  EXPECT_EQ(redis_.cli({"HGET", "liaison:{q}:delivery:e-3", "provider_status"}), "deferred");
}

TEST_F(provider_callbacks_test, forged_tampered_and_replayed_sendgrid_events_are_refused) {
  sent_delivery("e-1");
  const std::string body = R"([{"event":"dropped","delivery_id":"e-1"}])";
  const auto timestamp = unix_now();
  // Signed by another key.
  const ecdsa_key forger;
  EXPECT_EQ(sendgrid_post(body, timestamp, forger.sign_base64(timestamp + body)).status, 403u);
  // Our key's signature over another body.
  const auto good = sendgrid_key_.sign_base64(timestamp + R"([])");
  EXPECT_EQ(sendgrid_post(body, timestamp, good).status, 403u);
  // A genuine post captured ten minutes ago and sent again.
  EXPECT_EQ(sendgrid_events(body, 10min).status, 403u);
  EXPECT_EQ(sendgrid_post(body, "", "").status, 403u);
  EXPECT_EQ(state_of("e-1"), "sent");
  EXPECT_THAT(metrics(), HasSubstr(R"(provider="sendgrid",reason="stale",result="rejected")"));
}

TEST_F(provider_callbacks_test, a_replay_within_the_window_changes_nothing_more) {
  sent_delivery("e-1");
  ASSERT_EQ(sendgrid_events(R"([{"event":"delivered","delivery_id":"e-1"}])").status, 204u);
  // An older event, correctly signed, arriving late: the delivery stays delivered.
  EXPECT_EQ(sendgrid_events(R"([{"event":"dropped","delivery_id":"e-1"}])", 60s).status, 204u);
  EXPECT_EQ(state_of("e-1"), "delivered");
  EXPECT_EQ(count("delivered"), "1");
}

// --- Generic webhook ----------------------------------------------------------------------

TEST_F(provider_callbacks_test, a_signed_gateway_status_marks_the_delivery) {
  sent_delivery("w-1");
  const auto reply = gateway_status(R"({"delivery_id":"w-1","status":"failed","error":"off"})");
  EXPECT_EQ(reply.status, 204u) << reply.body;
  EXPECT_EQ(state_of("w-1"), "undelivered");
  EXPECT_EQ(count("failed"), "1");
}

TEST_F(provider_callbacks_test, forged_stale_and_unknown_gateway_statuses_are_refused) {
  sent_delivery("w-1");
  const std::string body = R"({"delivery_id":"w-1","status":"delivered"})";
  EXPECT_EQ(gateway_status(body, "not the secret").status, 403u);
  EXPECT_EQ(gateway_status(body, gateway_secret, 10min).status, 403u);
  EXPECT_EQ(state_of("w-1"), "sent");
  EXPECT_EQ(gateway_status(R"({"delivery_id":"w-1","status":"lost"})").status, 400u);
  const auto other = send_http(port_, {"POST", "/v1/providers/webhook/nobody/status", body, {}});
  EXPECT_EQ(other.status, 404u);
}

TEST_F(provider_callbacks_test, a_signed_gateway_text_is_handled_and_answered) {
  const auto reply = gateway_inbound(R"({"from": "+12025550111", "text": "PARAR", "to": "12345"})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_THAT(reply.headers.at("content-type"), HasSubstr("application/json"));
  const auto answer = boost::json::parse(reply.body);
  EXPECT_THAT(std::string(answer.at("reply").as_string()), HasSubstr("Ya no recibirá"));
  EXPECT_TRUE(opted_out("+12025550111"));
  // Free text has no reply.
  const auto free_text = gateway_inbound(R"({"from": "+12025550111", "text": "gracias"})");
  ASSERT_EQ(free_text.status, 200u) << free_text.body;
  EXPECT_EQ(boost::json::parse(free_text.body).at("reply"), "");
}

TEST_F(provider_callbacks_test, forged_tampered_and_replayed_gateway_texts_change_nothing) {
  const std::string stop = R"({"from": "+12025550111", "text": "STOP"})";
  EXPECT_EQ(gateway_inbound(stop, "not the secret").status, 403u);
  EXPECT_EQ(
      gateway_inbound(stop, gateway_secret, 0s, R"({"from": "+12025550111", "text": "hi"})").status,
      403u);
  EXPECT_EQ(gateway_inbound(stop, gateway_secret, 10min).status, 403u);  // replayed later
  const auto unsigned_post =
      send_http(port_, {"POST", "/v1/providers/webhook/gateway/inbound", stop, {}});
  EXPECT_EQ(unsigned_post.status, 403u);
  EXPECT_FALSE(opted_out("+12025550111"));
  EXPECT_EQ(gateway_inbound(R"({"from": "nobody", "text": "STOP"})").status, 400u);
  EXPECT_EQ(send_http(port_, {"POST", "/v1/providers/webhook/nobody/inbound", stop, {}}).status,
            404u);
  EXPECT_THAT(metrics(), HasSubstr(R"(liaison_provider_callbacks_total{provider="webhook",)"
                                   R"(reason="stale",result="rejected"} 1)"));
}

// --- Kannel MO ----------------------------------------------------------------------------

TEST_F(provider_callbacks_test, a_kannel_mo_with_the_token_is_handled_and_answered_as_text) {
  const auto reply = send_http(
      port_, {"GET",
              std::string("/v1/providers/kannel/mo?token=") + mo_token +
                  "&from=12025550111&to=12345&text=D%E1%BB%AAng",  // DỪNG (Vietnamese STOP)
              {},
              {}});
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_THAT(reply.headers.at("content-type"), HasSubstr("text/plain"));
  EXPECT_THAT(reply.body, HasSubstr("Quý vị sẽ không"));
  EXPECT_TRUE(opted_out("+12025550111"));
}

TEST_F(provider_callbacks_test, a_kannel_mo_without_the_token_is_refused_and_changes_nothing) {
  for (const std::string token :
       {"", "&token=wrong", "&token=callbacks-mo-token-0123456789abcdeF"}) {
    const auto reply = send_http(
        port_,
        {"GET", "/v1/providers/kannel/mo?from=%2B12025550111&to=12345&text=STOP" + token, {}, {}});
    EXPECT_EQ(reply.status, 403u) << token;
  }
  EXPECT_FALSE(opted_out("+12025550111"));
  const auto no_sender = send_http(
      port_, {"GET",
              std::string("/v1/providers/kannel/mo?token=") + mo_token + "&from=%25p&text=STOP",
              {},
              {}});
  EXPECT_EQ(no_sender.status, 400u);
}

// --- Twilio -------------------------------------------------------------------------------

TEST_F(provider_callbacks_test, a_replayed_twilio_callback_never_moves_a_delivery_back) {
  sent_delivery("t-1");
  const std::string target = "/v1/providers/twilio/status?delivery_id=t-1";
  const form_params undelivered = {{"MessageSid", "SM1"}, {"MessageStatus", "undelivered"}};
  const form_params delivered = {{"MessageSid", "SM1"}, {"MessageStatus", "delivered"}};
  // Twilio's signature has no timestamp: a captured callback stays valid forever.
  ASSERT_EQ(post_as_twilio(port_, public_url, twilio_token, target, delivered).status, 204u);
  EXPECT_EQ(post_as_twilio(port_, public_url, twilio_token, target, undelivered).status, 204u);
  EXPECT_EQ(state_of("t-1"), "delivered");
  EXPECT_EQ(count("delivered"), "1");
  EXPECT_EQ(count("failed"), "");
  // A tampered one (the body changed after signing) is refused.
  EXPECT_EQ(post_as_twilio(port_, public_url, twilio_token, target, undelivered, true).status,
            403u);
}

TEST_F(provider_callbacks_test, breaker_states_and_accepted_callbacks_are_in_the_metrics) {
  sent_delivery("d-1");
  ASSERT_EQ(kannel_dlr("d-1", channels::kannel_dlr_signature(dlr_secret, "d-1"), 1).status, 204u);
  const auto text = metrics();
  EXPECT_THAT(text,
              HasSubstr(R"(liaison_provider_breaker_state{channel="sms",provider="smsc"} 0)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(liaison_provider_callbacks_total{provider="kannel",reason="",result="accepted"} 1)"));
}

}  // namespace
}  // namespace liaison::testing
