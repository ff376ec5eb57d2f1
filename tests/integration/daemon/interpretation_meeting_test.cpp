// A booked meeting from assignment to the day itself, in process against a private
// redis-server with an injected clock: the family's confirmation and reminders in Spanish at the
// meeting's local time, the family's 1 and 2, the interpreter's reminder, cancellations (late
// ones flagged) telling both sides, and the coordinator's email and notice.
#include <gmock/gmock.h>

#include "daemon/services/reports.hpp"
#include "tests/integration/daemon/interpretation_service_fixture.hpp"

namespace liaison::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class interpretation_meeting_test : public interpretation_service_fixture {
 protected:
  interpretation_meeting_test() {
    put_family("f-1", R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es",
        "phone": "+12025550143", "time_zone": "America/New_York"}],
        "students": [{"id": "s-1", "name": "Ana", "school": "lincoln-es", "grade": "03"}]})");
    for (const auto* id : {"int-a", "int-b", "int-c"}) {
      const auto n = std::string(id).back() - 'a';
      put_interpreter(id, R"({"name": "Interpreter", "languages": ["es"], "language": "en",
          "phone": "+1202555020)" +
                              std::to_string(n) + R"("})");
    }
  }

  // A Spanish IEP meeting on Friday 4 December 2026 at 15:00 in New York, offered and accepted
  // by int-a.
  interpretation_request booked() {
    auto request = create(R"({"school": "lincoln-es", "family_id": "f-1", "language": "es",
        "meeting_type": "iep", "start": "2026-12-04T15:00:00-05:00", "location": "Room 12"})");
    EXPECT_EQ(complete(service_->send_offers(request)).value(), 3u);
    const auto code = complete(store_->load_request(request.id)).value()->history.back().note;
    const auto accepted =
        complete(service_->handle_reply("+12025550200", "YES " + code.substr(code.size() - 4)));
    EXPECT_TRUE(accepted.value());
    return request;
  }

  std::optional<std::string> family_says(const std::string& text) {
    return complete(service_->handle_family_answer("+12025550143", text)).value();
  }

  request_state state_of(const interpretation_request& r) {
    return complete(store_->load_request(r.id)).value()->state;
  }
};

TEST_F(interpretation_meeting_test, reminders_reach_both_sides_in_their_languages_once_each) {
  const auto request = booked();
  // The family's confirmation: Spanish, the meeting's local time (15:00 in New York).
  const auto confirmation = queued("confirm:" + request.id + ":g-1");
  ASSERT_TRUE(confirmation);
  EXPECT_EQ(confirmation->at("language"), "es");
  EXPECT_THAT(confirmation->at("body"), HasSubstr("diciembre"));
  EXPECT_THAT(confirmation->at("body"), HasSubstr("15:00"));

  // Nothing is due before 24 h ahead (Thursday 15:00).
  now_ = parse_rfc3339("2026-12-03T14:59:00-05:00").value();
  EXPECT_EQ(complete(service_->send_due_reminders()).value(), 0u);
  now_ = parse_rfc3339("2026-12-03T15:00:00-05:00").value();
  EXPECT_EQ(complete(service_->send_due_reminders()).value(), 1u);
  EXPECT_EQ(complete(service_->send_due_reminders()).value(), 0u);  // once

  const auto family = queued("reminder:" + request.id + ":1440:g-1");
  ASSERT_TRUE(family);
  EXPECT_EQ(family->at("address"), "+12025550143");
  EXPECT_THAT(family->at("body"), HasSubstr("Recordatorio"));
  EXPECT_THAT(family->at("body"), HasSubstr("15:00"));
  EXPECT_THAT(family->at("body"), HasSubstr("1"));
  const auto interpreter = queued("reminder:" + request.id + ":1440:int-a");
  ASSERT_TRUE(interpreter);
  EXPECT_EQ(interpreter->at("address"), "+12025550200");
  EXPECT_THAT(interpreter->at("body"), HasSubstr("Spanish"));
  EXPECT_FALSE(queued("reminder:" + request.id + ":1440:int-b"));  // only the one booked

  // The family confirms with 1.
  const auto thanks = family_says("1");
  ASSERT_TRUE(thanks);
  EXPECT_THAT(*thanks, HasSubstr("Gracias"));
  EXPECT_EQ(state_of(request), request_state::confirmed);

  // 2 h ahead, the second reminder.
  now_ = parse_rfc3339("2026-12-04T13:00:00-05:00").value();
  EXPECT_EQ(complete(service_->send_due_reminders()).value(), 1u);
  EXPECT_TRUE(queued("reminder:" + request.id + ":120:g-1"));
  EXPECT_TRUE(queued("reminder:" + request.id + ":120:int-a"));
}

TEST_F(interpretation_meeting_test, a_family_that_answers_2_gets_the_coordinator_told) {
  const auto request = booked();
  // Before any reminder, a 2 is not about the meeting (it may answer an announcement).
  EXPECT_FALSE(family_says("2"));
  now_ = parse_rfc3339("2026-12-03T15:00:00-05:00").value();
  ASSERT_EQ(complete(service_->send_due_reminders()).value(), 1u);
  EXPECT_FALSE(family_says("maybe"));

  const auto answer = family_says(" 2 ");
  ASSERT_TRUE(answer);
  EXPECT_THAT(*answer, HasSubstr("escuela"));  // "the school will contact you", in Spanish
  EXPECT_EQ(state_of(request), request_state::assigned);
  const auto stored = complete(store_->load_request(request.id)).value();
  EXPECT_EQ(stored->history.back().event, "reschedule");
  EXPECT_EQ(stored->history.back().by, "family");

  const auto email =
      queued("reschedule:" + request.id + ":" + std::to_string(stored->history.size() - 1));
  ASSERT_TRUE(email);
  EXPECT_EQ(email->at("address"), "family.engagement@district.example.org");
  EXPECT_THAT(email->at("subject"), HasSubstr("reschedule"));
  EXPECT_THAT(email->at("body"), HasSubstr("Room 12"));
  const auto notice =
      queued("notice:reschedule:" + request.id + ":" + std::to_string(stored->history.size() - 1));
  ASSERT_TRUE(notice);
  EXPECT_EQ(boost::json::parse(notice->at("body")).at("type"),
            "interpretation_request.reschedule_requested");
  // Answered: a later 2 is an ordinary reply again.
  EXPECT_FALSE(family_says("2"));
}

TEST_F(interpretation_meeting_test, a_cancellation_within_a_day_is_flagged_late_and_told_to_both) {
  const auto request = booked();
  now_ = parse_rfc3339("2026-12-04T09:00:00-05:00").value();  // 6 h before
  const auto found = complete(store_->load_request(request.id)).value();
  const auto outcome = complete(service_->cancel(*found, "lincoln-office", "the family moved"));
  ASSERT_EQ(outcome.value().result, transition_result::applied);
  const auto stored = complete(store_->load_request(request.id)).value();
  EXPECT_EQ(stored->state, request_state::cancelled);
  EXPECT_TRUE(stored->late_cancellation);

  const auto family = queued("cancelled:" + request.id + ":g-1");
  ASSERT_TRUE(family);
  EXPECT_THAT(family->at("body"), HasSubstr("cancelad"));
  const auto interpreter = queued("cancelled:" + request.id + ":int-a");
  ASSERT_TRUE(interpreter);
  EXPECT_THAT(interpreter->at("body"), HasSubstr("cancelled"));
  const auto notice = queued("notice:cancelled:" + request.id);
  ASSERT_TRUE(notice);
  EXPECT_EQ(boost::json::parse(notice->at("body")).at("data").at("late_cancellation"), true);

  // No reminder goes out for a cancelled meeting, and a 1 is no longer about it.
  now_ = parse_rfc3339("2026-12-04T13:00:00-05:00").value();
  EXPECT_EQ(complete(service_->send_due_reminders()).value(), 0u);
  EXPECT_FALSE(queued("reminder:" + request.id + ":120:g-1"));
  EXPECT_FALSE(family_says("1"));
}

TEST_F(interpretation_meeting_test,
       an_early_cancellation_is_not_late_and_an_unbooked_one_is_quiet) {
  const auto request = booked();
  const auto found = complete(store_->load_request(request.id)).value();
  ASSERT_EQ(complete(service_->cancel(*found, "office", "")).value().result,
            transition_result::applied);
  EXPECT_FALSE(complete(store_->load_request(request.id)).value()->late_cancellation);

  // Nobody was booked: nobody to tell but the district.
  auto open = create(R"({"school": "lincoln-es", "family_id": "f-1", "language": "so",
      "meeting_type": "conference", "start": "2026-12-04T15:00:00-05:00"})");
  now_ = parse_rfc3339("2026-12-04T12:00:00-05:00").value();
  const auto unbooked = complete(store_->load_request(open.id)).value();
  ASSERT_EQ(complete(service_->cancel(*unbooked, "office", "")).value().result,
            transition_result::applied);
  EXPECT_FALSE(complete(store_->load_request(open.id)).value()->late_cancellation);
  EXPECT_FALSE(queued("cancelled:" + open.id + ":g-1"));
  EXPECT_TRUE(queued("notice:cancelled:" + open.id));
  // A second cancellation is illegal.
  EXPECT_EQ(complete(service_->cancel(*unbooked, "office", "")).value().result,
            transition_result::illegal);
}

TEST_F(interpretation_meeting_test, the_interpretation_report_matches_the_events) {
  const auto period_start = now_;
  // Spanish: one booked 30 min after the request and confirmed by the family, one booked and
  // then cancelled late.
  booked();
  now_ = parse_rfc3339("2026-12-03T15:00:00-05:00").value();
  ASSERT_EQ(complete(service_->send_due_reminders()).value(), 1u);
  ASSERT_TRUE(family_says("1"));
  now_ = parse_rfc3339("2026-12-01T09:00:00-05:00").value();
  auto second = create(R"({"school": "lincoln-es", "family_id": "f-1", "language": "es",
      "meeting_type": "conference", "start": "2026-12-04T17:00:00-05:00"})");
  ASSERT_EQ(complete(service_->send_offers(second)).value(), 3u);
  const auto code = complete(store_->load_request(second.id)).value()->history.back().note;
  now_ += 30min;
  ASSERT_TRUE(
      complete(service_->handle_reply("+12025550201", "YES " + code.substr(code.size() - 4)))
          .value());
  now_ = parse_rfc3339("2026-12-04T12:00:00-05:00").value();
  const auto found = complete(store_->load_request(second.id)).value();
  ASSERT_EQ(complete(service_->cancel(*found, "office", "")).value().result,
            transition_result::applied);
  // Amharic: nobody, unfilled at its deadline.
  now_ = period_start;
  auto amharic = create(R"({"school": "lincoln-es", "family_id": "f-1", "language": "am",
      "meeting_type": "iep", "start": "2026-12-04T15:00:00-05:00",
      "needed_by": "2026-12-02T17:00:00-05:00"})");
  now_ = parse_rfc3339("2026-12-02T17:00:00-05:00").value();
  ASSERT_EQ(complete(service_->escalate_unfilled()).value(), 1u);

  const auto requests = complete(store_->requests_created_between(
                                     period_start, period_start + std::chrono::days(1), 100))
                            .value();
  ASSERT_EQ(requests.size(), 3u);
  const auto rows = interpretation_rows(requests);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].language, "am");
  EXPECT_EQ(rows[0].requests, 1);
  EXPECT_EQ(rows[0].unfilled, 1);
  EXPECT_EQ(rows[0].filled, 0);
  const auto& es = rows[1];
  EXPECT_EQ(es.requests, 2);
  EXPECT_EQ(es.filled, 2);
  EXPECT_EQ(es.family_confirmed, 1);
  EXPECT_EQ(es.cancelled, 1);
  EXPECT_EQ(es.late_cancellations, 1);
  ASSERT_TRUE(es.median_minutes_to_fill);
  EXPECT_DOUBLE_EQ(*es.median_minutes_to_fill, 15.0);  // 0 and 30 minutes
  // Outside the period: nothing.
  EXPECT_TRUE(complete(store_->requests_created_between(period_start - std::chrono::days(2),
                                                        period_start, 100))
                  .value()
                  .empty());
}

TEST_F(interpretation_meeting_test, a_translation_is_offered_per_language_and_the_first_yes_wins) {
  put_interpreter("tr-1", R"({"name": "T1", "languages": ["es"], "language": "es",
      "translator": true, "phone": "+12025550301"})");
  put_interpreter("tr-2", R"({"name": "T2", "languages": ["es", "so"], "language": "en",
      "translator": true, "phone": "+12025550302"})");
  auto validated = validate_translation_request(
      boost::json::parse(R"({"school": "lincoln-es", "title": "IEP notice",
          "text": "Your child's IEP meeting is on Friday.", "target_languages": ["es", "so", "am"],
          "due": "2026-12-03T17:00:00-05:00"})"),
      now_);
  ASSERT_TRUE(validated.value);
  auto request = *validated.value;
  request.id = new_translation_request_id(now_);
  ASSERT_TRUE(complete(store_->create_translation(request, "office", now_)));
  // es: both translators (the interpreters int-a… are not translators); so: tr-2; am: nobody.
  EXPECT_EQ(complete(service_->send_translation_offers(request)).value(), 3u);
  auto stored = complete(store_->load_translation(request.id)).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->states.at("es"), translation_state::offered);
  EXPECT_EQ(stored->states.at("am"), translation_state::requested);
  const auto offer = queued("offer:" + request.id + ":es:tr-1");
  ASSERT_TRUE(offer);
  EXPECT_THAT(offer->at("body"), HasSubstr("IEP notice"));
  const auto body = offer->at("body");
  const auto code = body.substr(body.find("YES ") + 4, 4);

  const auto first = complete(service_->handle_reply("+12025550302", "yes " + code)).value();
  const auto second = complete(service_->handle_reply("+12025550301", "SÍ " + code)).value();
  ASSERT_TRUE(first && second);
  stored = complete(store_->load_translation(request.id)).value();
  EXPECT_EQ(stored->states.at("es"), translation_state::assigned);
  EXPECT_EQ(stored->translators.at("es"), "tr-2");
  EXPECT_NE(*first, *second);  // the winner is confirmed, the other told it is filled
  // Delivering, then delivering again, is the store's compare-and-set.
  const std::map<std::string, std::string> text = {{"text:es", "La reunión es el viernes."}};
  EXPECT_EQ(complete(store_->translation_step(request.id, "es", translation_event::deliver, text))
                .value()
                .result,
            transition_result::applied);
  EXPECT_EQ(complete(store_->translation_step(request.id, "es", translation_event::deliver, text))
                .value()
                .result,
            transition_result::illegal);
  EXPECT_EQ(complete(store_->load_translation(request.id)).value()->texts.at("es"),
            "La reunión es el viernes.");
}

}  // namespace
}  // namespace liaison::services
