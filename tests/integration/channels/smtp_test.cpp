// The SMTP provider against a real SMTP server (aiosmtpd, tests/support/smtp_sink.py), whose
// independent decoder (Python's email package) must read back exactly the text we sent.
#include "channels/smtp.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "channels/http_client.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/peer_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

class smtp_server : public ::testing::Test {
 protected:
  void SetUp() override {
    mail_dir_ = dir_.path() / "mail";
    fs::create_directories(mail_dir_);
    const auto port = testing::free_tcp_port();
    sink_ = std::make_unique<testing::peer_process>(
        std::vector<std::string>{"/usr/bin/python3",
                                 std::string(LIAISON_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                 mail_dir_.string(), std::to_string(port)},
        port, dir_.path() / "smtp.log");
    cfg_.name = "mail";
    cfg_.kind = config::provider_kind::smtp;
    cfg_.channels = {config::channel::email};
    cfg_.base_url = "smtp://127.0.0.1:" + std::to_string(port);
    cfg_.settings["from"] = "Escuelas de Springfield <avisos@springfield.example>";
    cfg_.settings["starttls"] = "off";  // the test server speaks plain SMTP on loopback
  }

  delivery_outcome send(const rendered_delivery& d) {
    asio::io_context io;
    smtp_provider smtp(cfg_, std::make_shared<http_client>(io.get_executor()));
    auto future = asio::co_spawn(io, smtp.send(d), asio::use_future);
    io.run();
    return future.get();
  }

  boost::json::object received(int n) {
    const auto path = mail_dir_ / (std::to_string(n) + ".json");
    EXPECT_TRUE(testing::eventually([&] { return fs::exists(path); }));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_object();
  }

  static std::string part_text(const boost::json::object& message, std::string_view type) {
    for (const auto& part : message.at("parts").as_array()) {
      if (part.at("type").as_string() == type) {
        return std::string(part.at("text").as_string());
      }
    }
    return "(no " + std::string(type) + " part)";
  }

  static rendered_delivery email(std::string language, std::string subject, std::string text) {
    rendered_delivery d;
    d.delivery_id = "dlv_" + language;
    d.message_id = "msg_1";
    d.channel = config::channel::email;
    d.address = "familia@example.org";
    d.language = std::move(language);
    d.subject = std::move(subject);
    d.text = std::move(text);
    d.unsubscribe_url = "https://liaison.example.org/v1/unsubscribe/dlv";
    return d;
  }

  testing::temp_dir dir_;
  fs::path mail_dir_;
  std::unique_ptr<testing::peer_process> sink_;
  config::provider_config cfg_;
};

TEST_F(smtp_server, spanish_subject_and_body_decode_exactly) {
  const std::string subject = "Mañana no hay clases: ¡nieve en Springfield! Información importante";
  const std::string text =
      "Estimada familia:\n\nMañana, martes, la escuela estará cerrada.\nGracias.";
  const auto outcome = send(email("es", subject, text));
  ASSERT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason << "\n" << sink_->log();
  EXPECT_FALSE(outcome.provider_message_id.empty());

  const auto message = received(1);
  const auto& headers = message.at("headers").as_object();
  EXPECT_EQ(headers.at("subject").as_string(), subject);
  EXPECT_EQ(headers.at("content-language").as_string(), "es");
  EXPECT_EQ(headers.at("list-unsubscribe").as_string(),
            "<https://liaison.example.org/v1/unsubscribe/dlv>");
  EXPECT_EQ(headers.at("from").as_string(), "Escuelas de Springfield <avisos@springfield.example>");
  EXPECT_EQ(headers.at("message-id").as_string(), outcome.provider_message_id);
  EXPECT_EQ(message.at("mail_from").as_string(), "avisos@springfield.example");
  EXPECT_EQ(message.at("rcpt_tos").as_array()[0].as_string(), "familia@example.org");
  EXPECT_EQ(part_text(message, "text/plain"), text);
  const auto html = part_text(message, "text/html");
  EXPECT_NE(html.find("Mañana, martes, la escuela estará cerrada."), std::string::npos) << html;
  EXPECT_EQ(html.find("dir=\"rtl\""), std::string::npos);
}

TEST_F(smtp_server, arabic_is_sent_right_to_left) {
  const std::string subject = "إغلاق المدرسة غدًا بسبب الثلوج";
  const std::string text = "عزيزتي العائلة، المدرسة مغلقة غدًا بسبب الثلوج.";
  const auto outcome = send(email("ar", subject, text));
  ASSERT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason << "\n" << sink_->log();
  const auto message = received(1);
  EXPECT_EQ(message.at("headers").at("subject").as_string(), subject);
  EXPECT_EQ(part_text(message, "text/plain"), text);
  const auto html = part_text(message, "text/html");
  EXPECT_NE(html.find("<html lang=\"ar\" dir=\"rtl\""), std::string::npos) << html;
  EXPECT_NE(html.find(text), std::string::npos);
}

TEST_F(smtp_server, chinese_long_subject_is_split_between_characters) {
  std::string subject;
  for (int i = 0; i < 8; ++i) {
    subject += "家长教师会议通知";  // 8 characters, 24 bytes: several encoded words in all
  }
  const std::string text = "本周四晚上七点在学校礼堂举行家长会。";
  const auto outcome = send(email("zh-Hans", subject, text));
  ASSERT_EQ(outcome.kind, outcome_kind::sent) << outcome.reason << "\n" << sink_->log();
  const auto message = received(1);
  EXPECT_EQ(message.at("headers").at("subject").as_string(), subject);
  EXPECT_EQ(part_text(message, "text/plain"), text);
  EXPECT_EQ(message.at("content_type").as_string(), "multipart/mixed");
}

TEST_F(smtp_server, a_refused_recipient_is_a_permanent_invalid_address) {
  auto d = email("en", "Hello", "Hello");
  d.address = "reject-me@example.org";
  const auto outcome = send(d);
  EXPECT_EQ(outcome.kind, outcome_kind::permanent_failure) << outcome.reason;
  EXPECT_TRUE(outcome.invalid_address);
  EXPECT_EQ(outcome.provider_code, "550");
}

TEST_F(smtp_server, a_server_that_is_gone_means_retry_later) {
  sink_.reset();
  const auto outcome = send(email("en", "Hello", "Hello"));
  EXPECT_EQ(outcome.kind, outcome_kind::retry_later) << outcome.reason;
}

}  // namespace
}  // namespace liaison::channels
