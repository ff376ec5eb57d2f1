// The pure parts of liaisonctl's announcement and export commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/liaisonctl/announcement_command.hpp"
#include "daemon/liaisonctl/export_command.hpp"

namespace liaison::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

announcement_summary summary(std::string state, long long audience, long long families_done,
                             std::map<std::string, long long> tally) {
  announcement_summary s;
  s.state = std::move(state);
  s.audience = audience;
  s.families_done = families_done;
  s.phases = phases_of(tally);
  for (const auto& [phase, count] : s.phases) {
    s.deliveries += count;
  }
  return s;
}

TEST(announcement_progress, sums_languages_and_channels_into_phases) {
  const auto phases = phases_of({{"es|sms|sent", 3}, {"vi|sms|sent", 2}, {"es|email|queued", 4}});
  EXPECT_EQ(phases.at("sent"), 5);
  EXPECT_EQ(phases.at("queued"), 4);
}

TEST(announcement_progress, counts_outcomes_as_finished_and_the_rest_as_on_their_way) {
  const auto s = summary("fanned_out", 10, 10,
                         {{"es|sms|sent", 3},
                          {"es|sms|delivered", 2},
                          {"es|sms|failed", 1},
                          {"es|sms|opted_out", 1},
                          {"es|email|queued", 2},
                          {"es|sms|deferred", 1}});
  EXPECT_EQ(s.finished(), 7);
  EXPECT_FALSE(s.complete());
  const auto line = progress_line(s, 10);
  EXPECT_THAT(line, StartsWith("[#######...]  70%  fanned_out"));
  EXPECT_THAT(line, HasSubstr("families 10/10"));
  EXPECT_THAT(line, HasSubstr("7/10 deliveries done (sent 3, delivered 2, failed 1, opted out 1"));
  EXPECT_THAT(line, HasSubstr("2 on their way, 1 held for quiet hours"));
}

TEST(announcement_progress, is_complete_when_fanned_out_and_nothing_is_on_its_way) {
  const auto s = summary("fanned_out", 2, 2, {{"es|sms|sent", 3}, {"es|sms|failed", 1}});
  EXPECT_TRUE(s.complete());
  EXPECT_THAT(progress_line(s, 4), StartsWith("[####] 100%"));
}

TEST(announcement_progress, is_not_complete_while_fanning_out_and_estimates_the_total) {
  // Half the families fanned out with 10 deliveries, 5 sent: about 5 of 20.
  const auto s = summary("fanning_out", 100, 50, {{"es|sms|sent", 5}, {"es|sms|queued", 5}});
  EXPECT_FALSE(s.complete());
  EXPECT_THAT(progress_line(s, 20), StartsWith("[#####...............]  25%"));
}

TEST(announcement_progress, a_scheduled_announcement_shows_no_families_yet) {
  const auto s = summary("scheduled", -1, 0, {});
  EXPECT_FALSE(s.complete());
  const auto line = progress_line(s, 4);
  EXPECT_THAT(line, StartsWith("[....]   0%  scheduled · 0/0 deliveries"));
}

TEST(delivery_export, filters_by_announcement_and_creation_time) {
  const std::map<std::string, std::string> record = {
      {"id", "d1"}, {"announcement", "a1"}, {"created_at", "2026-12-01T09:00:00.000Z"}};
  EXPECT_TRUE(passes(record, {}));
  EXPECT_TRUE(passes(record, {"a1", ""}));
  EXPECT_FALSE(passes(record, {"a2", ""}));
  EXPECT_TRUE(passes(record, {"", "2026-12-01T09:00:00.000Z"}));
  EXPECT_FALSE(passes(record, {"", "2026-12-01T09:00:00.001Z"}));
  EXPECT_FALSE(passes({{"id", "d2"}}, {"", "2026-12-01T09:00:00.000Z"}));
}

TEST(delivery_export, writes_one_json_object_per_record_with_text_escaped) {
  EXPECT_EQ(ndjson_line({{"id", "d1"}, {"body", "Línea 1\n\"hola\""}}),
            R"({"body":"Línea 1\n\"hola\"","id":"d1"})");
}

}  // namespace
}  // namespace liaison::ctl
