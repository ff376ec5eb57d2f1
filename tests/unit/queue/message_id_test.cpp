#include "queue/message_id.hpp"

#include <gtest/gtest.h>

namespace liaison::queue {
namespace {

TEST(message_id, names_the_stream_entry_and_reads_back) {
  const auto id = message_id_for("1764245678123-0", "sms", "normal");
  EXPECT_EQ(id, "msg_1764245678123-0_sms");
  const auto at = locate_message(id);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->entry_id, "1764245678123-0");
  EXPECT_EQ(at->channel, "sms");
  EXPECT_EQ(at->priority, "normal");
}

TEST(message_id, an_urgent_message_names_the_urgent_stream) {
  const auto id = message_id_for("1764245678123-17", "voice", "urgent");
  EXPECT_EQ(id, "msg_1764245678123-17_voice_urgent");
  const auto at = locate_message(id);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->entry_id, "1764245678123-17");
  EXPECT_EQ(at->channel, "voice");
  EXPECT_EQ(at->priority, "urgent");
}

TEST(message_id, affixes_around_the_entry_id_make_the_same_id) {
  // The idempotent intake's Lua script builds the id from these: it must be message_id_for's.
  const auto [prefix, suffix] = message_id_affixes("email", "urgent");
  EXPECT_EQ(prefix + "1-2" + suffix, message_id_for("1-2", "email", "urgent"));
}

TEST(message_id, rejects_what_does_not_name_an_entry) {
  for (const char* id :
       {"msg_", "msg_1-2", "msg_1-2_", "msg_-2_sms", "msg_1-_sms", "msg_12_sms", "msg_1-2_SMS",
        "msg_1-2_sms:x", "msg_1-2_sms_", "msg_1-2_s1s", "msg_1_2-3_sms",
        "msg_1-2_abcdefghijklmnopq", "sms_1-2_sms", "msg_123456789012345678901-0_sms",
        "msg_0-123456789012345678901_sms", "msg_1-2_{q}", "../../etc/passwd", ""}) {
    EXPECT_FALSE(locate_message(id)) << id;
  }
  EXPECT_TRUE(locate_message("msg_18446744073709551615-18446744073709551615_notice"));
}

}  // namespace
}  // namespace liaison::queue
