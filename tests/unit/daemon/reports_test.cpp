// Reach and interpretation reports as plain functions: figures in, rows, JSON and CSV out.
#include "daemon/services/reports.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const auto now = parse_rfc3339("2026-12-15T12:00:00Z").value();

TEST(report_period, dates_cover_whole_days_and_defaults_are_the_last_30_days) {
  const auto days = parse_report_period("2026-12-01", "2026-12-07", now);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->from, parse_rfc3339("2026-12-01T00:00:00Z").value());
  EXPECT_EQ(days->to, parse_rfc3339("2026-12-08T00:00:00Z").value());
  const auto defaults = parse_report_period(std::nullopt, std::nullopt, now);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->to - defaults->from, std::chrono::days(30));
  EXPECT_FALSE(parse_report_period("last week", std::nullopt, now));
  EXPECT_FALSE(parse_report_period("2026-12-07", "2026-12-01", now));  // backwards
}

TEST(reach_report, rows_per_language_with_their_channels) {
  reach_figures figures;
  figures.announcements = 2;
  figures.tallies = {{"es|sms|delivered", 7}, {"es|sms|failed", 1},    {"es|email|sent", 5},
                     {"so|sms|opted_out", 2}, {"so|sms|delivered", 3}, {"malformed", 9}};
  figures.by_language = {{"es", {8, 7, 2}}, {"so", {5, 3, 0}}};
  const auto rows = reach_rows(figures);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].language, "es");
  EXPECT_EQ(rows[0].families, 8);
  EXPECT_EQ(rows[0].reached, 7);
  EXPECT_EQ(rows[0].replied, 2);
  EXPECT_EQ(rows[0].channels.at("sms").at("delivered"), 7);
  EXPECT_EQ(rows[0].channels.at("email").at("sent"), 5);
  EXPECT_EQ(rows[1].channels.at("sms").at("opted_out"), 2);

  const auto json = reach_json(rows, {now - std::chrono::days(7), now}, 2);
  EXPECT_EQ(json.at("announcements"), 2);
  const auto& es = json.at("languages").as_array()[0];
  EXPECT_EQ(es.at("reach_rate").as_double(), 7.0 / 8.0);
  EXPECT_EQ(es.at("channels").at("sms").at("deliveries"), 8);
  EXPECT_EQ(es.at("channels").at("sms").at("sent"), 0);

  const auto csv = reach_csv(rows);
  EXPECT_THAT(csv, StartsWith("language,families,reached,replied,channel,queued,"));
  EXPECT_THAT(csv, HasSubstr("es,8,7,2,sms,0,0,0,7,1,0,0\r\n"));
  EXPECT_THAT(csv, HasSubstr("so,5,3,0,sms,0,0,0,3,0,2,0\r\n"));
}

stored_request request(const std::string& language, request_state state,
                       std::vector<request_transition> history, bool late = false) {
  stored_request r;
  r.value.language = language;
  r.state = state;
  r.created_at = "2026-12-01T10:00:00Z";
  r.history = std::move(history);
  r.late_cancellation = late;
  return r;
}

TEST(interpretation_report, fill_rate_median_time_confirmations_and_late_cancellations) {
  const std::vector<stored_request> requests = {
      request("es", request_state::confirmed,
              {{"requested", "offered", "offer", "liaison", "2026-12-01T10:00:00Z", ""},
               {"offered", "assigned", "assign", "int-a", "2026-12-01T10:30:00Z", ""},
               {"assigned", "confirmed", "confirm", "family", "2026-12-02T10:00:00Z", ""}}),
      request("es", request_state::cancelled,
              {{"offered", "assigned", "assign", "int-b", "2026-12-01T11:30:00Z", ""},
               {"assigned", "cancelled", "cancel", "office", "2026-12-03T10:00:00Z", ""}},
              true),
      request("es", request_state::unfilled, {}),
      request("am", request_state::unfilled, {}),
  };
  const auto rows = interpretation_rows(requests);
  ASSERT_EQ(rows.size(), 2u);
  const auto& am = rows[0];
  EXPECT_EQ(am.language, "am");
  EXPECT_EQ(am.filled, 0);
  EXPECT_FALSE(am.median_minutes_to_fill);
  const auto& es = rows[1];
  EXPECT_EQ(es.requests, 3);
  EXPECT_EQ(es.filled, 2);
  EXPECT_EQ(es.unfilled, 1);
  EXPECT_EQ(es.cancelled, 1);
  EXPECT_EQ(es.late_cancellations, 1);
  EXPECT_EQ(es.family_confirmed, 1);
  ASSERT_TRUE(es.median_minutes_to_fill);
  EXPECT_DOUBLE_EQ(*es.median_minutes_to_fill, 60.0);  // 30 and 90 minutes

  const auto json = interpretation_json(rows, {now - std::chrono::days(30), now});
  EXPECT_EQ(json.at("languages").as_array()[1].at("fill_rate").as_double(), 2.0 / 3.0);
  EXPECT_TRUE(json.at("languages").as_array()[0].at("median_minutes_to_fill").is_null());
  EXPECT_THAT(interpretation_csv(rows), HasSubstr("es,3,2,0.667,60.000,1,1,1,1,0.500\r\n"));
}

}  // namespace
}  // namespace liaison::services
