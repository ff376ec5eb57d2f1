// The Twilio provider against Prism serving Twilio's own OpenAPI document with request
// validation: a request that does not match Twilio's API (missing To, no auth) gets a 4xx, so
// a broken request fails these tests.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <memory>

#include "channels/http_client.hpp"
#include "channels/twilio.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/peer_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;

const std::filesystem::path prism_binary =
    std::filesystem::path(LIAISON_SOURCE_DIR) / "third_party/prism/node_modules/.bin/prism";
// CI clones the repository with shared/ beside it.
const std::filesystem::path twilio_spec = std::filesystem::path(LIAISON_SOURCE_DIR) /
                                          "../shared/specs/twilio_api_v2010.messages_calls.json";

class twilio_prism : public ::testing::Test {
 protected:
  // A Prism that is missing or does not start fails every test of the suite. (A failed
  // assertion here would make GoogleTest skip them, and a skipped test is no evidence.)
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(prism_binary)) {
      setup_error_ = prism_binary.string() +
                     " is missing: run scripts/install-prism (scripts/install-deps does)";
      return;
    }
    if (!std::filesystem::exists(twilio_spec)) {
      setup_error_ = twilio_spec.string() + " is missing";
      return;
    }
    dir_ = new testing::temp_dir();
    const auto port = testing::free_tcp_port();
    try {
      prism_ =
          new testing::peer_process({prism_binary.string(), "mock", "--errors", "-h", "127.0.0.1",
                                     "-p", std::to_string(port), twilio_spec.string()},
                                    port, dir_->path() / "prism.log", std::chrono::seconds(60));
    } catch (const std::exception& e) {
      setup_error_ = std::string("Prism did not start: ") + e.what();
    }
  }
  void SetUp() override {
    if (!setup_error_.empty()) {
      FAIL() << setup_error_;
    }
  }
  static void TearDownTestSuite() {
    delete prism_;
    delete dir_;
    prism_ = nullptr;
    dir_ = nullptr;
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(prism_->port()); }

  config::provider_config provider_config() const {
    config::provider_config cfg;
    cfg.name = "twilio";
    cfg.kind = config::provider_kind::twilio;
    cfg.channels = {config::channel::sms, config::channel::voice};
    cfg.base_url = base_url();
    cfg.settings["account_sid"] = "AC0123456789abcdef0123456789abcdef";
    cfg.settings["from"] = "+15005550006";
    cfg.secrets["auth_token"] = "test-token";
    return cfg;
  }

  delivery_outcome send(const rendered_delivery& d) {
    asio::io_context io;
    auto client = std::make_shared<http_client>(io.get_executor());
    twilio_provider twilio(provider_config(), "https://liaison.example.org", client);
    auto future = asio::co_spawn(io, twilio.send(d), asio::use_future);
    io.run();
    return future.get();
  }

  boost::system::result<http_response> raw(http_request req) {
    asio::io_context io;
    http_client client(io.get_executor());
    auto future = asio::co_spawn(io, client.request(std::move(req)), asio::use_future);
    io.run();
    return future.get();
  }

  static rendered_delivery sms() {
    rendered_delivery d;
    d.delivery_id = "dlv_1";
    d.message_id = "msg_1";
    d.channel = config::channel::sms;
    d.address = "+12025550143";
    d.language = "es-MX";
    d.text = "Mañana no hay clases por la nieve. ¡Abríguense!";
    return d;
  }

  static inline testing::temp_dir* dir_ = nullptr;
  static inline testing::peer_process* prism_ = nullptr;
  static inline std::string setup_error_;
};

TEST_F(twilio_prism, a_valid_sms_request_is_accepted_with_a_sid) {
  const auto outcome = send(sms());
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason << "\n" << prism_->log();
  EXPECT_EQ(outcome.http_status, 201u);
  EXPECT_TRUE(outcome.provider_message_id.starts_with("SM")) << outcome.provider_message_id;
}

TEST_F(twilio_prism, a_valid_call_request_is_accepted_with_a_sid) {
  auto d = sms();
  d.channel = config::channel::voice;
  d.voice_language = "es-MX";
  d.voice_prompt = "Presione 1 para confirmar, 2 para repetir.";
  const auto outcome = send(d);
  EXPECT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason << "\n" << prism_->log();
  EXPECT_TRUE(outcome.provider_message_id.starts_with("CA")) << outcome.provider_message_id;
}

TEST_F(twilio_prism, prism_rejects_a_request_without_to) {
  // The same request as the provider's, minus To: the mock must refuse it, which proves it
  // validates what the provider sends.
  twilio_settings settings;
  settings.base_url = base_url();
  settings.account_sid = "AC0123456789abcdef0123456789abcdef";
  settings.auth_token = "test-token";
  settings.from = "+15005550006";
  settings.public_url = "https://liaison.example.org";
  auto req = build_twilio_sms_request(settings, sms());
  const auto to = req.body.find("To=");
  ASSERT_EQ(to, 0u);
  req.body.erase(0, req.body.find('&') + 1);
  const auto res = raw(req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_GE(res->status, 400u);
  EXPECT_LT(res->status, 500u);
  // And the provider classifies that answer as a permanent failure.
  EXPECT_EQ(classify_twilio_answer(*res, std::chrono::system_clock::now()).kind,
            outcome_kind::permanent_failure);
}

TEST_F(twilio_prism, prism_rejects_a_request_without_credentials) {
  twilio_settings settings;
  settings.base_url = base_url();
  settings.account_sid = "AC0123456789abcdef0123456789abcdef";
  settings.from = "+15005550006";
  auto req = build_twilio_sms_request(settings, sms());
  req.basic_auth.reset();
  const auto res = raw(req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 401u);
}

}  // namespace
}  // namespace liaison::channels
