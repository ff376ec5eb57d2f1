// The interpretation request state machine and the validation of requests and interpreters.
#include "daemon/services/interpretation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/translation_request.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using ::testing::Contains;
using ::testing::UnorderedElementsAre;
using s = request_state;
using e = request_event;

const auto now = parse_rfc3339("2026-12-01T12:00:00-05:00").value();

TEST(InterpretationStateMachine, TheHappyPath) {
  EXPECT_EQ(next_state(s::requested, e::offer), s::offered);
  EXPECT_EQ(next_state(s::offered, e::assign), s::assigned);
  EXPECT_EQ(next_state(s::assigned, e::confirm), s::confirmed);
  EXPECT_EQ(next_state(s::confirmed, e::complete), s::completed);
}

TEST(InterpretationStateMachine, CancelAndExpireEndARequest) {
  for (auto from : {s::requested, s::offered, s::assigned, s::confirmed}) {
    EXPECT_EQ(next_state(from, e::cancel), s::cancelled) << to_string(from);
  }
  EXPECT_EQ(next_state(s::offered, e::expire), s::unfilled);
  EXPECT_EQ(next_state(s::requested, e::expire), s::unfilled);
}

TEST(InterpretationStateMachine, IllegalTransitionsAreRefused) {
  // Every event from every final state, and the ones that skip or go back.
  for (auto from : {s::completed, s::cancelled, s::unfilled}) {
    for (auto event : {e::offer, e::assign, e::confirm, e::complete, e::cancel, e::expire}) {
      EXPECT_FALSE(next_state(from, event)) << to_string(from) << " + " << to_string(event);
    }
  }
  EXPECT_FALSE(next_state(s::requested, e::confirm));
  EXPECT_FALSE(next_state(s::offered, e::complete));
  EXPECT_FALSE(next_state(s::assigned, e::assign));  // first YES wins: a second is refused
  EXPECT_FALSE(next_state(s::assigned, e::expire));
  EXPECT_FALSE(next_state(s::confirmed, e::offer));
}

TEST(InterpretationStateMachine, AFamilyAskingForAnotherTimeUndoesItsConfirmationOnly) {
  EXPECT_EQ(next_state(s::confirmed, e::reschedule), s::assigned);
  EXPECT_EQ(next_state(s::assigned, e::reschedule), s::assigned);
  for (auto from : {s::requested, s::offered, s::completed, s::cancelled, s::unfilled}) {
    EXPECT_FALSE(next_state(from, e::reschedule)) << to_string(from);
  }
}

TEST(InterpretationCancellation, LateOnlyWhenBookedAndWithinTheWindow) {
  const auto start = now + std::chrono::hours(10);
  const auto window = std::chrono::hours(24);
  EXPECT_TRUE(is_late_cancellation(s::assigned, start, now, window));
  EXPECT_TRUE(is_late_cancellation(s::confirmed, start, now, window));
  EXPECT_FALSE(is_late_cancellation(s::offered, start, now, window));  // nobody to pay
  EXPECT_FALSE(is_late_cancellation(s::assigned, now + std::chrono::hours(24), now, window));
  EXPECT_TRUE(is_late_cancellation(s::assigned, now + std::chrono::hours(23), now, window));
}

TEST(MeetingReminders, OnePerOffsetAheadOfTheStartSkippingThosePast) {
  const auto start = now + std::chrono::hours(30);
  const auto due =
      reminder_schedule("ir_1", start, {std::chrono::hours(24), std::chrono::hours(2)}, now);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].first, start - std::chrono::hours(24));
  EXPECT_EQ(due[0].second, "ir_1|1440");
  EXPECT_EQ(due[1].second, "ir_1|120");
  // Booked 20 h before: the 24 h reminder is already past.
  const auto late = reminder_schedule("ir_1", now + std::chrono::hours(20),
                                      {std::chrono::hours(24), std::chrono::hours(2)}, now);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].second, "ir_1|120");
}

TEST(MeetingReminders, TheFamilyAnswersWithAWholeOneOrTwo) {
  EXPECT_EQ(parse_meeting_answer("1"), meeting_answer::confirm);
  EXPECT_EQ(parse_meeting_answer(" 2 "), meeting_answer::reschedule);
  EXPECT_FALSE(parse_meeting_answer("12"));
  EXPECT_FALSE(parse_meeting_answer("3"));
  EXPECT_FALSE(parse_meeting_answer("1 pm is fine"));
  EXPECT_FALSE(parse_meeting_answer(""));
}

TEST(TranslationRequest, ValidatedWithTheFieldAtFault) {
  const auto ok = validate_translation_request(
      boost::json::parse(R"({"school": "lincoln-es", "title": "IEP notice", "text": "Hello",
          "target_languages": ["ES", "so", "es"], "due": "2026-12-05T17:00:00-05:00"})"),
      now);
  ASSERT_TRUE(ok.value);
  EXPECT_EQ(ok.value->source_language, "en");
  EXPECT_EQ(ok.value->target_languages, (std::vector<std::string>{"es", "so"}));
  const auto bad =
      validate_translation_request(boost::json::parse(R"({"school": "lincoln-es", "title": "x",
          "target_languages": ["en", "klingon!"], "due": "2026-11-01T00:00:00Z"})"),
                                   now);
  std::vector<std::string> fields;
  for (const auto& error : bad.errors) {
    fields.push_back(error.field);
  }
  EXPECT_THAT(fields,
              UnorderedElementsAre("text", "target_languages[0]", "target_languages[1]", "due"));
}

TEST(TranslationRequest, EachLanguageMovesOnItsOwn) {
  using ts = translation_state;
  using te = translation_event;
  EXPECT_EQ(next_translation_state(ts::requested, te::offer), ts::offered);
  EXPECT_EQ(next_translation_state(ts::offered, te::assign), ts::assigned);
  EXPECT_FALSE(next_translation_state(ts::assigned, te::assign));  // the first YES won
  EXPECT_EQ(next_translation_state(ts::assigned, te::deliver), ts::delivered);
  EXPECT_EQ(next_translation_state(ts::requested, te::deliver), ts::delivered);  // a vendor's
  EXPECT_FALSE(next_translation_state(ts::delivered, te::cancel));
  EXPECT_FALSE(next_translation_state(ts::cancelled, te::deliver));
}

TEST(InterpretationRequest, ValidIepRequestGetsADefaultDeadline) {
  const auto v = validate_interpretation_request(boost::json::parse(R"({
      "school": "lincoln-es", "family_id": "f-1", "language": "es_MX", "mode": "in_person",
      "meeting_type": "iep", "start": "2026-12-10T15:30:00-05:00", "duration_minutes": 90,
      "location": "Room 12"})"),
                                                 now, "America/New_York");
  ASSERT_TRUE(v.value) << v.errors.front().field << ": " << v.errors.front().message;
  EXPECT_EQ(v.value->language, "es-MX");
  EXPECT_EQ(v.value->meeting, meeting_type::iep);
  EXPECT_EQ(v.value->duration, std::chrono::minutes(90));
  EXPECT_EQ(format_rfc3339_utc(v.value->needed_by), "2026-12-08T20:30:00.000Z");  // 48 h before
  const auto back = validate_interpretation_request(to_json(*v.value), std::nullopt, "UTC");
  ASSERT_TRUE(back.value);
  EXPECT_EQ(back.value->start, v.value->start);
  EXPECT_EQ(back.value->time_zone, "America/New_York");
}

TEST(InterpretationRequest, EveryProblemIsReported) {
  const auto v = validate_interpretation_request(boost::json::parse(R"({
      "school": "x y", "language": "??", "mode": "telepathy", "meeting_type": "party",
      "start": "2026-11-30T10:00:00Z", "duration_minutes": 5, "time_zone": "Mars/Base"})"),
                                                 now, "America/New_York");
  ASSERT_FALSE(v.value);
  std::vector<std::string> fields;
  for (const auto& error : v.errors) {
    fields.push_back(error.field);
  }
  for (const auto* f : {"school", "family_id", "language", "mode", "meeting_type", "start",
                        "duration_minutes", "time_zone"}) {
    EXPECT_THAT(fields, Contains(f));
  }
}

TEST(InterpretationRequest, AStartCenturiesAwayIsRefusedWithoutArithmeticOnIt) {
  // Found by fuzzing: the default deadline (start - now) overflowed 64-bit nanoseconds.
  for (const std::string start : {"1679-01-01T00:00:00Z", "2261-12-31T23:59:59Z"}) {
    const auto json =
        R"({"school": "lincoln-es", "family_id": "f-1", "language": "es", "meeting_type": "iep",
        "mode": "phone", "start": ")" +
        start + R"("})";
    const auto v = validate_interpretation_request(boost::json::parse(json), now, "UTC");
    ASSERT_FALSE(v.value) << start;
    ASSERT_EQ(v.errors.size(), 1U) << start;
    EXPECT_EQ(v.errors.front().field, "start");
  }
}

TEST(Interpreter, LanguagesModesAndAddressesAreValidated) {
  const auto good = validate_interpreter("int-1", boost::json::parse(R"({
      "name": "Ana Ruiz", "languages": ["es", "pt_BR"], "phone": "(202) 555-0150",
      "modes": ["phone", "video"]})"));
  ASSERT_TRUE(good.value);
  EXPECT_THAT(good.value->languages, UnorderedElementsAre("es", "pt-BR"));
  EXPECT_EQ(good.value->phone, "+12025550150");
  EXPECT_EQ(good.value->language, "en");
  const auto bad = validate_interpreter("int-2", boost::json::parse(R"({
      "name": "X", "languages": ["zz-nonsense-x"], "modes": ["smoke"], "phone": "12"})"));
  ASSERT_FALSE(bad.value);
  std::vector<std::string> fields;
  for (const auto& error : bad.errors) {
    fields.push_back(error.field);
  }
  EXPECT_THAT(fields, UnorderedElementsAre("languages[0]", "modes[0]", "phone"));
}

TEST(Interpreter, IdsHoldNoColonSoNoIdNamesAnotherInterpretersKey) {
  EXPECT_TRUE(is_valid_interpreter_id("int-1.b_c"));
  // "interpreter:a:languages" is interpreter a's language set.
  EXPECT_FALSE(is_valid_interpreter_id("a:languages"));
  EXPECT_FALSE(is_valid_interpreter_id(""));
  EXPECT_FALSE(is_valid_interpreter_id("../x"));
  EXPECT_FALSE(is_valid_interpreter_id(std::string(129, 'a')));
  const auto refused =
      validate_interpreter("a:languages", boost::json::parse(R"({"name": "X", "languages": ["es"],
                                                                 "phone": "(202) 555-0150"})"));
  ASSERT_FALSE(refused.value);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].field, "id");
}

TEST(InterpreterOffers, AnswersAreACodeWithAnOptionalYesOrNo) {
  EXPECT_EQ(parse_offer_answer("YES 4821")->code, "4821");
  EXPECT_TRUE(parse_offer_answer("yes 4821")->accepts);
  EXPECT_TRUE(parse_offer_answer("Sí 4821")->accepts);
  EXPECT_TRUE(parse_offer_answer("4821")->accepts);
  EXPECT_FALSE(parse_offer_answer("NO 4821")->accepts);
  EXPECT_FALSE(parse_offer_answer("Não 4821")->accepts);
  EXPECT_FALSE(parse_offer_answer("YES"));
  EXPECT_FALSE(parse_offer_answer("YES 482"));
  EXPECT_FALSE(parse_offer_answer("call me at 4821 after school please"));
}

TEST(InterpreterOffers, MatchingFollowsLanguageModeSchoolAndAnAddress) {
  interpretation_request r;
  r.language = "es-MX";
  r.mode = interpretation_mode::phone;
  r.school = "lincoln-es";
  interpreter i;
  i.languages = {"es"};
  i.modes = {interpretation_mode::phone};
  i.phone = "+12025550150";
  EXPECT_TRUE(matches(i, r));  // es serves es-MX
  auto other = i;
  other.languages = {"pt"};
  EXPECT_FALSE(matches(other, r));
  other = i;
  other.modes = {interpretation_mode::in_person};
  EXPECT_FALSE(matches(other, r));
  other = i;
  other.schools = {"parks-ms"};
  EXPECT_FALSE(matches(other, r));
  other = i;
  other.active = false;
  EXPECT_FALSE(matches(other, r));
  other = i;
  other.phone.clear();
  EXPECT_FALSE(matches(other, r));  // nowhere to send the offer
  other.email = "ana@example.org";
  EXPECT_TRUE(matches(other, r));  // by email, with a link to the offer page
}

TEST(InterpreterOffers, OfferLinksAreAFourDigitCodeAndA128BitToken) {
  const std::string token = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(offer_page_path("4821", token), "/offers/4821/" + token);
  EXPECT_TRUE(looks_like_offer_link("4821", token));
  EXPECT_FALSE(looks_like_offer_link("482", token));
  EXPECT_FALSE(looks_like_offer_link("4821", token.substr(1)));
  EXPECT_FALSE(looks_like_offer_link("4821", "0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(looks_like_offer_link("4821", "../../../../etc/passwd/000000000"));
}

}  // namespace
}  // namespace liaison::services
