// Unfilled interpreter requests, in process against a private redis-server with an injected
// clock: nobody accepted by the deadline → `unfilled`, once, and the coordinator gets an email.
#include <gmock/gmock.h>

#include "tests/integration/daemon/interpretation_service_fixture.hpp"

namespace liaison::services {
namespace {

using ::testing::HasSubstr;
using InterpretationDeadlineTest = interpretation_service_fixture;

TEST_F(InterpretationDeadlineTest, AnAmharicRequestNobodyTakesIsEscalatedOnceAtItsDeadline) {
  auto validated = validate_interpretation_request(boost::json::parse(R"({
      "school": "lincoln-es", "family_id": "f-1", "language": "am", "meeting_type": "iep",
      "start": "2026-12-04T15:00:00-05:00", "needed_by": "2026-12-02T17:00:00-05:00",
      "location": "Room 12"})"),
                                                   now_, "America/New_York");
  ASSERT_TRUE(validated.value);
  auto request = *validated.value;
  request.id = new_interpretation_request_id(now_);
  ASSERT_TRUE(complete(store_->create_request(request, "fe-office", now_)));
  // Nobody interprets Amharic: no offers, the request waits for its deadline.
  EXPECT_EQ(complete(service_->send_offers(request)).value(), 0u);

  now_ = parse_rfc3339("2026-12-02T16:59:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);
  now_ = parse_rfc3339("2026-12-02T17:00:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 1u);
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);  // once

  const auto stored = complete(store_->load_request(request.id)).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, request_state::unfilled);
  EXPECT_EQ(stored->history.back().event, "expire");

  const auto email = complete(queue_->load("unfilled:" + request.id)).value();
  ASSERT_TRUE(email);
  EXPECT_EQ(email->at("channel"), "email");
  EXPECT_EQ(email->at("address"), "family.engagement@district.example.org");
  EXPECT_THAT(email->at("subject"), HasSubstr("Amharic"));
  EXPECT_THAT(email->at("body"), HasSubstr("Room 12"));
  // The district's systems get the same event as a notice.
  const auto notice = queued("notice:unfilled:" + request.id);
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->at("channel"), "notice");
  EXPECT_EQ(notice->at("address"), "https://sis.district.example.org/liaison/events");
  const auto event = boost::json::parse(notice->at("body"));
  EXPECT_EQ(event.at("type"), "interpretation_request.unfilled");
  EXPECT_EQ(event.at("data").at("language"), "am");
}

TEST_F(InterpretationDeadlineTest, AnAssignedRequestIsNeverEscalated) {
  auto validated = validate_interpretation_request(boost::json::parse(R"({
      "school": "lincoln-es", "family_id": "f-1", "language": "es", "meeting_type": "conference",
      "start": "2026-12-04T15:00:00-05:00", "needed_by": "2026-12-02T17:00:00-05:00"})"),
                                                   now_, "America/New_York");
  ASSERT_TRUE(validated.value);
  auto request = *validated.value;
  request.id = new_interpretation_request_id(now_);
  ASSERT_TRUE(complete(store_->create_request(request, "fe-office", now_)));
  const auto assigned =
      complete(store_->transition(request.id, request_event::assign, "int-1", "", now_));
  ASSERT_EQ(assigned.value().result, transition_result::applied);
  now_ = parse_rfc3339("2026-12-03T09:00:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);
  EXPECT_EQ(complete(store_->load_request(request.id)).value()->state, request_state::assigned);
}

}  // namespace
}  // namespace liaison::services
