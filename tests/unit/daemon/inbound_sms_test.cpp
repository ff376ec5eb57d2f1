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
