// The Apertium provider against a real Apertium APy server with Debian's English-Spanish pair:
// the pair list, a plain translation, and an announcement pattern whose arguments survive the
// trip (protected as markup, restored, checked).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>

#include "channels/machine_translation.hpp"
#include "i18n/message_format.hpp"
#include "i18n/pattern_translation.hpp"
#include "tests/support/apertium_server.hpp"
#include "tests/support/io_driver.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class apertium_apy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::apertium_missing().empty()) {
      server_ = new testing::apertium_server();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (const auto why = testing::apertium_missing(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    config::translation_config cfg;
    cfg.provider = config::translation_kind::apertium;
    cfg.url = server_->url();
    cfg.timeout = 30s;  // the first request starts the pair's pipeline
    provider_ = make_translation_provider(cfg, io_.get_executor(), nullptr);
  }

  i18n::result<std::string> translate(std::string text, i18n::text_format format) {
    return testing::complete_on(
        io_, provider_->translate_now({std::move(text), "en", "es", format}), 60s);
  }

  static testing::apertium_server* server_;
  asio::io_context io_;
  std::unique_ptr<http_translation_provider> provider_;
};

testing::apertium_server* apertium_apy::server_ = nullptr;

TEST_F(apertium_apy, lists_english_to_spanish) {
  EXPECT_EQ(testing::complete_on(io_, provider_->load_languages_now(), 30s), "") << server_->log();
  EXPECT_THAT(provider_->target_languages("en"), Contains("es"));
  EXPECT_THAT(provider_->target_languages("es"), Contains("en"));
}

TEST_F(apertium_apy, translates_english_into_spanish) {
  const auto answer = translate("The school is closed today.", i18n::text_format::plain);
  ASSERT_TRUE(answer) << answer.error << "\n" << server_->log();
  EXPECT_THAT(*answer.value, HasSubstr("escuela"));
  EXPECT_THAT(*answer.value, HasSubstr("cerrada"));
  EXPECT_THAT(*answer.value, HasSubstr("hoy"));
}

TEST_F(apertium_apy, keeps_the_arguments_of_an_announcement_pattern) {
  const std::string pattern =
      "Dear {guardian_name}, the school is closed on {when, date, long} because of snow.\n"
      "Stay safe and warm.";
  auto prepared = i18n::protect_pattern(pattern);
  ASSERT_TRUE(prepared) << prepared.error;
  ASSERT_EQ(prepared.value->segments.size(), 1u);
  const auto answer = translate(prepared.value->segments[0], i18n::text_format::html);
  ASSERT_TRUE(answer) << answer.error << "\n" << server_->log();
  const auto restored = i18n::restore_pattern(pattern, *prepared.value, {*answer.value});
  ASSERT_TRUE(restored) << restored.error << "\nfrom: " << *answer.value;
  EXPECT_THAT(*restored.value, HasSubstr("{guardian_name}"));
  EXPECT_THAT(*restored.value, HasSubstr("{when, date, long}"));
  EXPECT_THAT(*restored.value, HasSubstr("escuela"));
  EXPECT_THAT(*restored.value, AnyOf(HasSubstr("nieve"), HasSubstr("Nieve")));
  EXPECT_THAT(*restored.value, HasSubstr("\n"));  // the line break came back
  EXPECT_TRUE(i18n::analyze_pattern(*restored.value).ok);
}

}  // namespace
}  // namespace liaison::channels
