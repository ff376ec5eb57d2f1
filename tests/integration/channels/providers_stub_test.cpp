// Providers against a local stub HTTP server: the exact requests they make (method, path,
// auth, fields) and how they classify the provider answers a real account rarely produces on
// demand (429, 500, 21610, 21211, 503...).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <memory>

#include "channels/http_client.hpp"
#include "channels/kannel.hpp"
#include "channels/provider_chain.hpp"
#include "channels/provider_registry.hpp"
#include "channels/sendgrid.hpp"
#include "channels/twilio.hpp"
#include "channels/webhook.hpp"
#include "support/crypto.hpp"
#include "tests/support/stub_http_server.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
using testing::stub_http_server;
using testing::stub_request;
using testing::stub_response;

template <class Provider>
delivery_outcome send_with(asio::io_context& io, Provider& p, const rendered_delivery& d) {
  auto future = asio::co_spawn(io, p.send(d), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

rendered_delivery sms_to(std::string number, std::string text) {
  rendered_delivery d;
  d.delivery_id = "dlv_42";
  d.message_id = "msg_42";
  d.channel = config::channel::sms;
  d.address = std::move(number);
  d.language = "vi";
  d.text = std::move(text);
  return d;
}

std::map<std::string, std::string> form_fields_of(const std::string& body) {
  std::map<std::string, std::string> out;
  boost::urls::url query(*boost::urls::parse_relative_ref("?" + body));
  for (const auto& p : query.params()) {
    out[std::string(p.key)] = std::string(p.value);
  }
  return out;
}

config::provider_config twilio_config(const std::string& base_url) {
  config::provider_config cfg;
  cfg.name = "twilio";
  cfg.kind = config::provider_kind::twilio;
  cfg.channels = {config::channel::sms, config::channel::voice};
  cfg.base_url = base_url;
  cfg.settings["account_sid"] = "AC123";
  cfg.settings["from"] = "+15005550006";
  cfg.secrets["auth_token"] = "token";
  return cfg;
}

stub_response twilio_error(unsigned status, int code, std::string message) {
  stub_response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/json"});
  boost::json::object body;
  body["code"] = code;
  body["message"] = message;
  body["more_info"] = "https://www.twilio.com/docs/errors/" + std::to_string(code);
  body["status"] = status;
  res.body = boost::json::serialize(body);
  return res;
}

// Answers by the To number, like Twilio's magic test numbers.
stub_response twilio_stub(const stub_request& r) {
  const auto fields = form_fields_of(r.body);
  const auto to = fields.count("To") != 0 ? fields.at("To") : "";
  if (to == "+15005550009") {
    return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient");
  }
  if (to == "+15005550001") {
    return twilio_error(400, 21211, "The 'To' number is not a valid phone number.");
  }
  if (to == "+15005550429") {
    auto res = twilio_error(429, 20429, "Too Many Requests");
    res.headers.push_back({"Retry-After", "12"});
    return res;
  }
  if (to == "+15005550500") {
    stub_response res;
    res.status = 500;
    res.body = "internal error";
    return res;
  }
  stub_response res;
  res.status = 201;
  res.headers.push_back({"Content-Type", "application/json"});
  res.body = R"({"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"})";
  return res;
}

TEST(twilio_stub, sends_the_documented_form_with_basic_auth) {
  stub_http_server server(twilio_stub);
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://liaison.example.org/",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+12025550143", "Trường đóng cửa & nghỉ"));
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  EXPECT_EQ(outcome.provider_message_id, "SM0123456789abcdef0123456789abcdef");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2010-04-01/Accounts/AC123/Messages.json");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Basic " + base64_encode("AC123:token"));
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/x-www-form-urlencoded");
  const auto fields = form_fields_of(requests[0].body);
  EXPECT_EQ(fields.at("To"), "+12025550143");
  EXPECT_EQ(fields.at("From"), "+15005550006");
  EXPECT_EQ(fields.at("Body"), "Trường đóng cửa & nghỉ");
  EXPECT_EQ(fields.at("StatusCallback"),
            "https://liaison.example.org/v1/providers/twilio/status?delivery_id=dlv_42");
}

TEST(twilio_stub, unsubscribed_recipient_is_permanent_and_marks_opt_out) {
  stub_http_server server(twilio_stub);
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://x.example",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+15005550009", "hi"));
  EXPECT_EQ(outcome.kind, outcome_kind::permanent_failure);
  EXPECT_TRUE(outcome.recipient_opted_out);
  EXPECT_EQ(outcome.provider_code, "21610");
}

TEST(twilio_stub, invalid_number_is_permanent) {
  stub_http_server server(twilio_stub);
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://x.example",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+15005550001", "hi"));
  EXPECT_EQ(outcome.kind, outcome_kind::permanent_failure);
  EXPECT_TRUE(outcome.invalid_address);
  EXPECT_FALSE(outcome.recipient_opted_out);
}

TEST(twilio_stub, too_many_requests_is_retried_after_the_given_delay) {
  stub_http_server server(twilio_stub);
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://x.example",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+15005550429", "hi"));
  EXPECT_EQ(outcome.kind, outcome_kind::retry_later);
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(12));
  EXPECT_EQ(outcome.provider_code, "20429");
}

TEST(twilio_stub, server_error_is_retried) {
  stub_http_server server(twilio_stub);
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://x.example",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+15005550500", "hi"));
  EXPECT_EQ(outcome.kind, outcome_kind::retry_later);
  EXPECT_EQ(outcome.http_status, 500u);
}

TEST(twilio_stub, an_unreachable_api_is_retried) {
  asio::io_context io;
  twilio_provider twilio(twilio_config("http://127.0.0.1:1"), "https://x.example",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, twilio, sms_to("+12025550143", "hi"));
  EXPECT_EQ(outcome.kind, outcome_kind::retry_later);
}

TEST(twilio_stub, a_call_carries_inline_twiml_in_the_voice_language) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.status = 201;
    res.body = R"({"sid":"CA0123456789abcdef0123456789abcdef","status":"queued"})";
    return res;
  });
  asio::io_context io;
  twilio_provider twilio(twilio_config(server.url()), "https://liaison.example.org",
                         std::make_shared<http_client>(io.get_executor()));
  auto d = sms_to("+12025550143", "La reunión es el <martes>.");
  d.channel = config::channel::voice;
  d.voice_language = "es-MX";
  const auto outcome = send_with(io, twilio, d);
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  EXPECT_EQ(outcome.provider_message_id, "CA0123456789abcdef0123456789abcdef");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/2010-04-01/Accounts/AC123/Calls.json");
  const auto fields = form_fields_of(requests[0].body);
  EXPECT_NE(
      fields.at("Twiml").find(R"(<Say language="es-MX">La reunión es el &lt;martes&gt;.</Say>)"),
      std::string::npos);
}

TEST(kannel_stub, sends_utf8_ucs2_with_a_delivery_report_url) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.status = 202;
    res.body = "0: Accepted for delivery";
    return res;
  });
  asio::io_context io;
  config::provider_config cfg;
  cfg.name = "kannel";
  cfg.kind = config::provider_kind::kannel;
  cfg.channels = {config::channel::sms};
  cfg.base_url = server.url();
  cfg.settings["username"] = "liaison";
  cfg.settings["from"] = "12345";
  cfg.secrets["password"] = "p&ss";
  cfg.secrets["dlr_secret"] = "dlr-key";
  kannel_provider kannel(cfg, "https://liaison.example.org",
                         std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, kannel, sms_to("+12025550143", "مرحبا"));
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  EXPECT_EQ(outcome.provider_message_id, "dlv_42");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  const auto url = boost::urls::parse_origin_form(requests[0].target);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->path(), "/cgi-bin/sendsms");
  std::map<std::string, std::string> q;
  for (const auto& p : url->params()) {
    q[std::string(p.key)] = std::string(p.value);
  }
  EXPECT_EQ(q.at("username"), "liaison");
  EXPECT_EQ(q.at("password"), "p&ss");
  EXPECT_EQ(q.at("to"), "+12025550143");
  EXPECT_EQ(q.at("from"), "12345");
  EXPECT_EQ(q.at("text"), "مرحبا");
  EXPECT_EQ(q.at("charset"), "UTF-8");
  EXPECT_EQ(q.at("coding"), "2");
  EXPECT_EQ(q.at("dlr-mask"), "31");
  EXPECT_EQ(q.at("dlr-url"),
            "https://liaison.example.org/v1/providers/kannel/dlr?delivery_id=dlv_42&sig=" +
                kannel_dlr_signature("dlr-key", "dlv_42") + "&type=%d&answer=%A");
}

TEST(sendgrid_stub, posts_json_with_a_bearer_key_and_takes_the_message_id) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.status = 202;
    res.headers.push_back({"X-Message-Id", "sg-abc123"});
    return res;
  });
  asio::io_context io;
  config::provider_config cfg;
  cfg.name = "sendgrid";
  cfg.kind = config::provider_kind::sendgrid;
  cfg.channels = {config::channel::email};
  cfg.base_url = server.url();
  cfg.settings["from"] = "Springfield Schools <noreply@springfield.example>";
  cfg.secrets["api_key"] = "SG.key";
  sendgrid_provider sendgrid(cfg, std::make_shared<http_client>(io.get_executor()));
  rendered_delivery d;
  d.delivery_id = "dlv_7";
  d.channel = config::channel::email;
  d.address = "parent@example.org";
  d.language = "zh-Hans";
  d.subject = "家长会";
  d.text = "本周四晚上七点举行家长会。";
  const auto outcome = send_with(io, sendgrid, d);
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  EXPECT_EQ(outcome.provider_message_id, "sg-abc123");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v3/mail/send");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer SG.key");
  const auto body = boost::json::parse(requests[0].body).as_object();
  EXPECT_EQ(body.at("subject"), "家长会");
  EXPECT_EQ(body.at("personalizations").as_array()[0].at("to").as_array()[0].at("email"),
            "parent@example.org");
  EXPECT_EQ(body.at("from").at("email"), "noreply@springfield.example");
  EXPECT_EQ(body.at("content").as_array()[0].at("value"), "本周四晚上七点举行家长会。");
  EXPECT_EQ(body.at("headers").at("Content-Language"), "zh-Hans");
}

TEST(webhook_stub, signs_each_delivery_so_the_gateway_can_verify_it) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.status = 200;
    res.body = R"({"id":"gw-9"})";
    return res;
  });
  asio::io_context io;
  config::provider_config cfg;
  cfg.name = "gateway";
  cfg.kind = config::provider_kind::webhook;
  cfg.channels = {config::channel::sms};
  cfg.base_url = server.url() + "/send";
  cfg.secrets["secret"] = "shared-secret";
  webhook_provider webhook(cfg, std::make_shared<http_client>(io.get_executor()));
  const auto outcome = send_with(io, webhook, sms_to("+12025550143", "Xin chào"));
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  EXPECT_EQ(outcome.provider_message_id, "gw-9");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.target, "/send");
  EXPECT_EQ(verify_webhook_signature("shared-secret", r.headers.at("x-liaison-timestamp"), r.body,
                                     r.headers.at("x-liaison-signature"),
                                     std::chrono::system_clock::now()),
            webhook_verdict::valid);
  EXPECT_EQ(boost::json::parse(r.body).at("text"), "Xin chào");
  EXPECT_EQ(r.headers.at("idempotency-key"), "dlv_42");
}

TEST(notice_stub, posts_the_event_as_is_signed_and_retries_a_busy_receiver) {
  int calls = 0;
  stub_http_server server([&calls](const stub_request&) {
    stub_response res;
    res.status = ++calls == 1 ? 503 : 204;
    return res;
  });
  asio::io_context io;
  notice_provider notices("notice-secret", std::chrono::seconds(5),
                          std::make_shared<http_client>(io.get_executor()));
  rendered_delivery notice;
  notice.delivery_id = "notice:unfilled:ir_1";
  notice.channel = config::channel::notice;
  notice.address = server.url() + "/liaison/events";
  notice.text = R"({"id":"unfilled:ir_1","type":"interpretation_request.unfilled"})";
  EXPECT_TRUE(notices.supports(config::channel::notice));
  EXPECT_FALSE(notices.supports(config::channel::sms));
  EXPECT_EQ(send_with(io, notices, notice).kind, outcome_kind::retry_later);
  const auto outcome = send_with(io, notices, notice);
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& r = requests[1];
  EXPECT_EQ(r.target, "/liaison/events");
  EXPECT_EQ(r.body, notice.text);  // the event itself, not wrapped
  EXPECT_EQ(verify_webhook_signature("notice-secret", r.headers.at("x-liaison-timestamp"), r.body,
                                     r.headers.at("x-liaison-signature"),
                                     std::chrono::system_clock::now()),
            webhook_verdict::valid);
  EXPECT_EQ(r.headers.at("idempotency-key"), "notice:unfilled:ir_1");
}

TEST(notice_stub, a_school_with_its_own_secret_gets_notices_signed_with_it) {
  stub_http_server server([](const stub_request&) { return stub_response{}; });
  asio::io_context io;
  const auto school_url = server.url() + "/lincoln/replies";
  notice_provider notices("district-secret", std::chrono::seconds(5),
                          std::make_shared<http_client>(io.get_executor()), {},
                          {{school_url, "lincoln-secret"}});
  rendered_delivery notice;
  notice.delivery_id = "notice:reply:1";
  notice.channel = config::channel::notice;
  notice.text = R"({"id":"reply:1","type":"reply.received"})";
  notice.address = school_url;
  ASSERT_EQ(send_with(io, notices, notice).kind, outcome_kind::sent);
  notice.address = server.url() + "/district/events";
  ASSERT_EQ(send_with(io, notices, notice).kind, outcome_kind::sent);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto verdict = [](const stub_request& r, const char* secret) {
    return verify_webhook_signature(secret, r.headers.at("x-liaison-timestamp"), r.body,
                                    r.headers.at("x-liaison-signature"),
                                    std::chrono::system_clock::now());
  };
  EXPECT_EQ(verdict(requests[0], "lincoln-secret"), webhook_verdict::valid);
  EXPECT_NE(verdict(requests[0], "district-secret"), webhook_verdict::valid);
  EXPECT_EQ(verdict(requests[1], "district-secret"), webhook_verdict::valid);
}

// Counts what a chain reports, as the daemon's metrics do.
struct recording_observer final : provider_observer {
  void on_call(std::string_view provider, const delivery_outcome& outcome,
               std::chrono::steady_clock::duration) noexcept override {
    calls.push_back(std::string(provider) + ":" +
                    (outcome.kind == outcome_kind::sent ? "sent" : "not sent"));
  }
  void on_rate_limit_wait(std::string_view provider, std::chrono::milliseconds) noexcept override {
    waits.push_back(std::string(provider));
  }
  std::vector<std::string> calls;
  std::vector<std::string> waits;
};

TEST(provider_chain_stub, fails_over_to_the_next_provider_when_the_first_is_down) {
  stub_http_server down([](const stub_request&) {
    stub_response res;
    res.status = 503;
    return res;
  });
  stub_http_server up([](const stub_request&) {
    stub_response res;
    res.status = 200;
    return res;
  });
  std::vector<config::provider_config> configs(2);
  configs[0].name = "primary";
  configs[0].kind = config::provider_kind::webhook;
  configs[0].channels = {config::channel::sms};
  configs[0].base_url = down.url();
  configs[0].secrets["secret"] = "a";
  configs[0].breaker_failures = 2;
  configs[1] = configs[0];
  configs[1].name = "secondary";
  configs[1].base_url = up.url();

  asio::io_context io;
  provider_context context;
  context.executor = io.get_executor();
  context.public_url = "https://liaison.example.org";
  recording_observer observer;
  context.chain.observer = &observer;
  provider_registry registry(configs, context);
  provider_chain* chain = registry.chain_for(config::channel::sms);
  ASSERT_NE(chain, nullptr);
  ASSERT_EQ(registry.chain_for(config::channel::email), nullptr);

  for (int i = 0; i < 3; ++i) {
    auto future = asio::co_spawn(io, chain->send(sms_to("+12025550143", "hi")), asio::use_future);
    io.restart();
    io.run();
    const auto result = future.get();
    EXPECT_EQ(result.outcome.kind, outcome_kind::sent);
    EXPECT_EQ(result.provider, "secondary");
  }
  // Two failures opened the primary's breaker: the third delivery did not call it.
  EXPECT_EQ(down.requests().size(), 2u);
  EXPECT_EQ(up.requests().size(), 3u);
  EXPECT_EQ(chain->state_of(0), breaker_state::open);
  // Every call was reported to the observer (the daemon's provider metrics).
  EXPECT_EQ(observer.calls,
            (std::vector<std::string>{"primary:not sent", "secondary:sent", "primary:not sent",
                                      "secondary:sent", "secondary:sent"}));
  const auto breakers = registry.breakers();
  ASSERT_EQ(breakers.size(), 2u);
  EXPECT_EQ(breakers[0].provider, "primary");
  EXPECT_EQ(breakers[0].state, breaker_state::open);
  EXPECT_EQ(breakers[1].state, breaker_state::closed);
}

}  // namespace
}  // namespace liaison::channels
