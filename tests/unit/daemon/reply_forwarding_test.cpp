// Replies and staff answers, the decisions without Redis or sockets: which school a reply goes
// to and in which language it is read, what the school's email says, which messages belong to
// a conversation, and what a message to a family defaults to.
#include "daemon/services/reply_forwarding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/services/family_message.hpp"

namespace liaison::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

family two_schools() {
  family f;
  f.id = "fam-1";
  f.guardians.push_back({"g-1", "Rosa Díaz", "es-MX", "+12025550111", "", {}, "", {}});
  f.students.push_back({"s-1", "Ana", "lincoln-es", "02"});
  f.students.push_back({"s-2", "Luis", "roosevelt-ms", "07"});
  return f;
}

config::district_config district() {
  config::district_config d;
  d.name = "Riverside USD";
  d.default_language = "en";
  d.coordinator_email = "engagement@district.example.org";
  d.schools = {{"lincoln-es", {"Lincoln Elementary", "", "office@lincoln.example.org", "", ""}},
               {"roosevelt-ms",
                {"Roosevelt Middle", "es", "office@roosevelt.example.org",
                 "https://sis.roosevelt.example.org/liaison/replies", ""}}};
  return d;
}

TEST(reply_destination, is_the_school_of_the_announcement_the_family_last_received) {
  const auto to = reply_destination_for(two_schools(), "roosevelt-ms", district());
  EXPECT_EQ(to.school, "roosevelt-ms");
  EXPECT_EQ(to.school_name, "Roosevelt Middle");
  EXPECT_EQ(to.language, "es");
  EXPECT_EQ(to.email, "office@roosevelt.example.org");
  EXPECT_EQ(to.webhook, "https://sis.roosevelt.example.org/liaison/replies");
}

TEST(reply_notice, carries_the_reply_its_translation_and_the_announcement) {
  reply_to_forward reply;
  reply.family_id = "fam-1";
  reply.guardian_id = "g-1";
  reply.from = "+12025550143";
  reply.language = "vi";
  reply.text = "Con tôi bị ốm";
  reply.translation = "My child is sick";
  reply.translation_language = "en";
  reply.translation_provider = "apertium";
  reply.announcement_id = "ann_1";
  const auto to = reply_destination_for(two_schools(), "roosevelt-ms", district());
  const auto data = reply_notice_data(reply, to);
  EXPECT_EQ(data.at("school"), "roosevelt-ms");
  EXPECT_EQ(data.at("text"), "Con tôi bị ốm");
  EXPECT_EQ(data.at("translation").at("text"), "My child is sick");
  EXPECT_EQ(data.at("announcement_id"), "ann_1");
  // The school without a webhook gets none.
  EXPECT_TRUE(reply_destination_for(two_schools(), "", district()).webhook.empty());
}

TEST(reply_destination, is_the_first_students_school_without_a_known_announcement) {
  const auto to = reply_destination_for(two_schools(), "", district());
  EXPECT_EQ(to.school, "lincoln-es");
  EXPECT_EQ(to.language, "en");  // no language of its own: the district's
  EXPECT_EQ(to.email, "office@lincoln.example.org");
}

TEST(reply_destination, ignores_an_announcement_school_the_family_has_no_student_at) {
  EXPECT_EQ(reply_destination_for(two_schools(), "washington-hs", district()).school, "lincoln-es");
}

TEST(reply_destination, falls_back_to_the_coordinator_for_a_school_without_an_address) {
  auto f = two_schools();
  f.students = {{"s-3", "Eva", "washington-hs", "10"}};
  const auto to = reply_destination_for(f, "", district());
  EXPECT_EQ(to.school, "washington-hs");
  EXPECT_EQ(to.school_name, "washington-hs");
  EXPECT_EQ(to.email, "engagement@district.example.org");
}

TEST(reply_destination, is_the_district_for_a_family_without_students) {
  auto f = two_schools();
  f.students.clear();
  auto d = district();
  d.coordinator_email.clear();
  const auto to = reply_destination_for(f, "", d);
  EXPECT_EQ(to.school, "");
  EXPECT_EQ(to.school_name, "Riverside USD");
  EXPECT_EQ(to.email, "");  // nowhere to forward: kept in the conversation
}

TEST(reply_translation_target, is_the_schools_language_when_the_reply_is_in_another) {
  EXPECT_EQ(reply_translation_target("es-MX", "en", true), "en");
  EXPECT_EQ(reply_translation_target("vi", "es", true), "es");
}

TEST(reply_translation_target, is_none_for_the_same_language_or_without_a_provider) {
  EXPECT_EQ(reply_translation_target("es-MX", "es", true), std::nullopt);
  EXPECT_EQ(reply_translation_target("en-US", "en", true), std::nullopt);
  EXPECT_EQ(reply_translation_target("es-MX", "en", false), std::nullopt);
}

reply_to_forward spanish_reply() {
  reply_to_forward r;
  r.family_id = "fam-1";
  r.guardian_id = "g-1";
  r.guardian_name = "Rosa Díaz";
  r.from = "+12025550111";
  r.language = "es-MX";
  r.text = "¿A qué hora es el taller?";
  r.at = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + std::chrono::hours(15);
  return r;
}

TEST(reply_forward_email, carries_the_original_the_translation_and_who_wrote_it) {
  auto r = spanish_reply();
  r.translation = "At what time is the workshop?";
  r.translation_language = "en";
  r.translation_provider = "apertium";
  r.announcement_id = "ann_1";
  r.announcement_summary = "Parent Academy: reading at home";
  const auto to = reply_destination_for(two_schools(), "", district());
  const auto email = reply_forward_email(r, to);
  EXPECT_EQ(email.channel, config::channel::email);
  EXPECT_EQ(email.address, "office@lincoln.example.org");
  EXPECT_EQ(email.language, "en");
  EXPECT_EQ(email.school, "lincoln-es");
  EXPECT_EQ(email.subject, "Reply from Rosa Díaz (family fam-1)");
  EXPECT_THAT(email.body, HasSubstr("¿A qué hora es el taller?"));
  EXPECT_THAT(email.body, HasSubstr("At what time is the workshop?"));
  EXPECT_THAT(email.body, HasSubstr("Machine translation into en (apertium"));
  EXPECT_THAT(email.body, HasSubstr("guardian g-1 of family fam-1, +12025550111"));
  EXPECT_THAT(email.body, HasSubstr("2026-03-04T15:00:00.000Z, in es-MX"));
  EXPECT_THAT(email.body, HasSubstr("Parent Academy: reading at home (ann_1)"));
}

TEST(reply_forward_email, says_why_a_wanted_translation_is_missing) {
  auto r = spanish_reply();
  r.translation_language = "en";
  r.translation_error = "apertium: no answer";
  const auto email = reply_forward_email(r, reply_destination_for(two_schools(), "", district()));
  EXPECT_THAT(email.body, HasSubstr("No machine translation into en: apertium: no answer"));
  EXPECT_THAT(email.body, Not(HasSubstr("last message")));
}

TEST(announcement_summary, is_the_subject_else_the_start_of_the_text_cut_between_characters) {
  announcement a;
  a.original.subject = "Snow day";
  a.original.body = "No school tomorrow.";
  EXPECT_EQ(announcement_summary(a), "Snow day");
  a.original.subject.clear();
  a.original.body = std::string(199, 'a') + "ñandú";  // ñ straddles byte 200
  EXPECT_EQ(announcement_summary(a), std::string(199, 'a') + "…");
}

TEST(conversation_family, is_the_one_family_a_message_is_addressed_to) {
  announcement a;
  a.to.family_ids = {"fam-1"};
  a.to.guardian_ids = {"g-1"};
  EXPECT_EQ(conversation_family(a), "fam-1");
  a.to.family_ids.push_back("fam-2");
  EXPECT_EQ(conversation_family(a), std::nullopt);
  a.to.family_ids = {"fam-1"};
  a.to.schools = {"lincoln-es"};
  EXPECT_EQ(conversation_family(a), std::nullopt);
}

TEST(family_message, defaults_to_the_district_language_and_machine_translation) {
  const auto v = validate_family_message(
      boost::json::parse(
          R"({"to": {"family_id": "fam-1"}, "channels": ["sms"], "body": "See you at 5."})"),
      std::nullopt, "en");
  ASSERT_TRUE(v.value) << (v.errors.empty() ? "" : v.errors.front().message);
  EXPECT_EQ(v.value->source_language, "en");
  EXPECT_EQ(v.value->machine_translation,
            i18n::machine_translation_policy::if_no_human_translation);
}

TEST(family_message, keeps_a_language_and_policy_it_was_given) {
  const auto v = validate_family_message(
      boost::json::parse(R"({"to": {"family_id": "fam-1"}, "channels": ["sms"],
                             "source_language": "es", "machine_translation": "never",
                             "body": "Nos vemos a las 5."})"),
      std::nullopt, "en");
  ASSERT_TRUE(v.value);
  EXPECT_EQ(v.value->source_language, "es");
  EXPECT_EQ(v.value->machine_translation, i18n::machine_translation_policy::never);
}

}  // namespace
}  // namespace liaison::services
