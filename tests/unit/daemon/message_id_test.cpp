#include <gtest/gtest.h>

#include "daemon/services/announcement.hpp"
#include "daemon/services/message_service.hpp"

namespace liaison::services {
namespace {

TEST(message_id, is_the_queue_s_or_an_earlier_time_ordered_one) {
  EXPECT_TRUE(looks_like_message_id("msg_1764245678123-0_sms"));
  EXPECT_TRUE(looks_like_message_id("msg_1764245678123-0_sms_urgent"));
  // Made before ids named their stream entry: records written then keep them.
  EXPECT_TRUE(looks_like_message_id("msg_019ac1f0e3a2c1d35f0b9a7e4c21"));
}

TEST(message_id, rejects_what_is_not_an_id) {
  EXPECT_FALSE(looks_like_message_id("msg_"));
  EXPECT_FALSE(looks_like_message_id("../../etc/passwd"));
  EXPECT_FALSE(looks_like_message_id("msg_0000000000000000000000000000X"));
}

TEST(announcement_delivery_id, is_an_announcement_id_then_family_guardian_and_channel) {
  const auto ann = new_announcement_id(std::chrono::system_clock::now());
  EXPECT_TRUE(looks_like_announcement_delivery_id(ann + ":fam-1:g-1:voice"));
  EXPECT_TRUE(looks_like_announcement_delivery_id(ann + ":fam:2:g.1:sms"));
  EXPECT_FALSE(looks_like_announcement_delivery_id(ann));
  EXPECT_FALSE(looks_like_announcement_delivery_id(ann + ":"));
  EXPECT_FALSE(looks_like_announcement_delivery_id(ann + ":fam-1/../x:g-1:sms"));
  EXPECT_FALSE(looks_like_announcement_delivery_id("ann_x:fam-1:g-1:sms"));
  EXPECT_FALSE(looks_like_announcement_delivery_id("msg_1:fam-1:g-1:sms"));
}

}  // namespace
}  // namespace liaison::services
