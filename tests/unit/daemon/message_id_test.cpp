#include <gtest/gtest.h>

#include <set>

#include "daemon/services/announcement.hpp"
#include "daemon/services/message_service.hpp"

namespace liaison::services {
namespace {

TEST(message_id, sorts_by_creation_time) {
  const auto t =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000));
  time_ordered_id_source ids;
  const auto a = new_message_id(ids, t);
  const auto b = new_message_id(ids, t + std::chrono::milliseconds(1));
  EXPECT_LT(a.substr(0, 16), b.substr(0, 16));
  EXPECT_TRUE(looks_like_message_id(a));
}

TEST(message_id, two_ids_in_the_same_millisecond_differ) {
  const auto t = std::chrono::system_clock::now();
  time_ordered_id_source ids;
  EXPECT_NE(new_message_id(ids, t), new_message_id(ids, t));
}

TEST(message_id, ids_past_one_block_of_random_bytes_all_differ) {
  // A block serves 512 ids; 2,000 take four of them, each drawn anew.
  const auto t = std::chrono::system_clock::now();
  time_ordered_id_source ids;
  std::set<std::string> made;
  for (int i = 0; i < 2000; ++i) {
    const auto id = new_message_id(ids, t);
    EXPECT_TRUE(looks_like_message_id(id)) << id;
    made.insert(id);
  }
  EXPECT_EQ(made.size(), 2000u);
  // Two sources never share their bytes.
  time_ordered_id_source other;
  EXPECT_FALSE(made.contains(new_message_id(other, t)));
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
