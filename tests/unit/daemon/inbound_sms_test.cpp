#include "daemon/services/inbound_sms.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::services {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

i18n::keyword_match keyword(i18n::keyword_kind kind, std::string language = "en") {
  return {kind, std::move(language)};
}

TEST(decide_inbound, stop_leaves_sms_and_confirms) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::stop), std::nullopt, "en");
  EXPECT_THAT(d.opt_out, ElementsAre(config::channel::sms));
  EXPECT_EQ(d.reply, i18n::message_key::opt_out_confirmation);
}

TEST(decide_inbound, stop_all_leaves_every_channel_of_the_number) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::stop_all), std::nullopt, "en");
  EXPECT_THAT(d.opt_out, ElementsAre(config::channel::sms, config::channel::voice));
}

TEST(decide_inbound, start_rejoins) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::start), std::nullopt, "en");
  EXPECT_THAT(d.opt_in, ElementsAre(config::channel::sms, config::channel::voice));
  EXPECT_THAT(d.opt_out, IsEmpty());
}

TEST(decide_inbound, a_language_change_is_confirmed_in_the_new_language) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::language_change, "so"), "es-MX", "en");
  EXPECT_EQ(d.new_language, std::optional<std::string>("so"));
  EXPECT_EQ(d.reply, i18n::message_key::language_changed);
  EXPECT_EQ(d.reply_language, "so");
  EXPECT_TRUE(d.opt_out.empty());
}

TEST(decide_inbound, an_unknown_language_gets_the_help_answer_and_changes_nothing) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::unknown_language), "es-MX", "en");
  EXPECT_FALSE(d.new_language);
  EXPECT_EQ(d.reply, i18n::message_key::help_reply);
  EXPECT_EQ(d.reply_language, "es-MX");
}

TEST(decide_inbound, reply_language_prefers_the_guardian_then_the_keyword_then_the_district) {
  EXPECT_EQ(decide_inbound(keyword(i18n::keyword_kind::stop, "en"), "vi", "en").reply_language,
            "vi");
  EXPECT_EQ(
      decide_inbound(keyword(i18n::keyword_kind::stop, "es"), std::nullopt, "en").reply_language,
      "es");
  EXPECT_EQ(
      decide_inbound(keyword(i18n::keyword_kind::help, ""), std::nullopt, "fr").reply_language,
      "fr");
}

TEST(decide_inbound, free_text_changes_nothing_and_has_no_reply) {
  const auto d = decide_inbound(keyword(i18n::keyword_kind::none), "es", "en");
  EXPECT_THAT(d.opt_out, IsEmpty());
  EXPECT_THAT(d.opt_in, IsEmpty());
  EXPECT_FALSE(d.reply);
}

}  // namespace
}  // namespace liaison::services
