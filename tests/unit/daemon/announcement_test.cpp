// Announcements without sockets: validation, the fan-out plan for a family (languages,
// channels, opt-outs, quiet hours, voice) and the rendering of each delivery.
#include "daemon/services/announcement.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/services/announcement_plan.hpp"
#include "daemon/services/announcement_renderer.hpp"
#include "daemon/services/announcement_service.hpp"
#include "i18n/catalog.hpp"
#include "i18n/quiet_hours.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::chrono::system_clock::time_point at(std::string_view text) {
  return parse_rfc3339(text).value();
}

// Noon in New York on a school day.
const auto noon = at("2026-12-01T12:00:00-05:00");

constexpr const char* workshop = R"({
  "school": "lincoln-es",
  "audience": {"schools": ["lincoln-es"], "grades": ["03"]},
  "channels": ["sms", "email", "voice"],
  "source_language": "en",
  "subject": "Parent Academy: {topic}",
  "body": "Dear {guardian_name}, the Parent Academy workshop on {topic} for {student_names} is on {when, date, long} at {when, time, short}. Free childcare and interpretation.",
  "translations": {
    "es": {"subject": "Academia de Padres: {topic}",
           "body": "Estimado/a {guardian_name}: el taller sobre {topic} para {student_names} es el {when, date, long} a las {when, time, short}. Cuidado de niños e interpretación gratis."},
    "ar": {"subject": "أكاديمية الآباء: {topic}",
           "body": "عزيزي {guardian_name}، ورشة {topic} يوم {when, date, long} الساعة {when, time, short}."}
  },
  "arguments": {"topic": "reading at home", "when": "2026-12-03T18:30:00-05:00"}
})";

announcement_validation validate(std::string_view text,
                                 std::optional<std::chrono::system_clock::time_point> now = noon) {
  return validate_announcement(boost::json::parse(text), now);
}

std::vector<std::string> fields_of(const std::vector<field_error>& errors) {
  std::vector<std::string> fields;
  for (const auto& e : errors) {
    fields.push_back(e.field);
  }
  return fields;
}

TEST(AnnouncementValidation, AcceptsAWorkshopWithTranslationsAndTypedArguments) {
  const auto v = validate(workshop);
  ASSERT_TRUE(v.value) << (v.errors.empty()
                               ? ""
                               : v.errors.front().field + ": " + v.errors.front().message);
  const auto& a = *v.value;
  EXPECT_EQ(a.source_language, "en");
  EXPECT_EQ(a.translations.size(), 2u);
  EXPECT_EQ(a.priority, config::priority::normal);
  ASSERT_EQ(a.arguments.size(), 2u);
  // {when} is used as a date, so its string became an instant.
  const auto when = std::find_if(a.arguments.begin(), a.arguments.end(),
                                 [](const auto& arg) { return arg.name == "when"; });
  ASSERT_NE(when, a.arguments.end());
  EXPECT_EQ(std::get<std::chrono::system_clock::time_point>(when->value),
            at("2026-12-03T23:30:00Z"));
}

TEST(AnnouncementValidation, StoredFormReadsBackTheSame) {
  const auto v = validate(workshop);
  ASSERT_TRUE(v.value);
  const auto again = validate_announcement(to_json(*v.value), std::nullopt);
  ASSERT_TRUE(again.value);
  EXPECT_EQ(to_json(*again.value), to_json(*v.value));
  EXPECT_EQ(again.value->to, v.value->to);
  EXPECT_EQ(again.value->translations, v.value->translations);
}

TEST(AnnouncementValidation, ReportsEveryProblemWithItsField) {
  const auto v = validate(R"({
    "audience": {"schools": ["has space"], "grades": ["3rd"]},
    "channels": ["sms", "fax"],
    "priority": "asap",
    "source_language": "xx-notreal-123456789",
    "body": "Hello {name, plural, one {x}",
    "translations": {"es": {"body": "Hola {unknown_thing}"}, "en-US!": {"body": "x"}},
    "machine_translation": "sometimes",
    "send_at": "tomorrow",
    "color": "blue"
  })");
  ASSERT_FALSE(v.value);
  const auto fields = fields_of(v.errors);
  for (const auto* expected : {"audience.schools[0]", "audience.grades[0]", "channels[1]",
                               "priority", "source_language", "body", "translations.es.body",
                               "translations.en-US!", "machine_translation", "send_at", "color"}) {
    EXPECT_THAT(fields, Contains(expected)) << expected;
  }
}

TEST(AnnouncementValidation, ArgumentsMustHaveValuesOfTheKindThePatternUses) {
  const auto v = validate(R"({
    "audience": {"all": true}, "channels": ["sms"], "source_language": "en",
    "body": "{count, plural, one {# day} other {# days}} off from {start, date, long}. {missing}",
    "arguments": {"count": "three", "start": "Monday", "guardian_name": "x"}
  })");
  ASSERT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors), UnorderedElementsAre("arguments.count", "arguments.start",
                                                        "arguments.guardian_name", "body"));
}

TEST(AnnouncementValidation, EmailNeedsASubjectInEveryLanguage) {
  const auto v = validate(R"({
    "audience": {"all": true}, "channels": ["email"], "source_language": "en",
    "subject": "Snow day", "body": "No school today.",
    "translations": {"es": {"body": "No hay clases hoy."}}
  })");
  ASSERT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors), UnorderedElementsAre("translations.es.subject"));
}

TEST(AnnouncementValidation, SendAtMustBeAheadButNotTooFar) {
  const std::string base = R"({"audience": {"all": true}, "channels": ["sms"],
    "source_language": "en", "body": "x", "send_at": ")";
  EXPECT_TRUE(validate(base + "2026-12-02T07:00:00-05:00\"}").value);
  EXPECT_FALSE(validate(base + "2026-11-30T07:00:00-05:00\"}").value);
  EXPECT_FALSE(validate(base + "2028-01-01T07:00:00-05:00\"}").value);
  // Read back from storage (no clock): a past send_at is kept, not rejected.
  EXPECT_TRUE(validate(base + "2026-11-30T07:00:00-05:00\"}", std::nullopt).value);
}

TEST(AnnouncementValidation, AnAudienceMustNameSomeone) {
  const auto v = validate(R"({"audience": {}, "channels": ["sms"], "source_language": "en",
                              "body": "x"})");
  ASSERT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors), UnorderedElementsAre("audience"));
}

TEST(AnnouncementValidation, RsvpOptionsAreMatchedWhateverTheCaseAccentsOrPunctuation) {
  const auto v = validate(R"({"audience": {"all": true}, "channels": ["sms"],
    "source_language": "en", "body": "Reply 1 or YES to register",
    "rsvp": {"options": [{"label": "register", "answers": ["1", "YES", "SÍ"]},
                         {"label": "childcare", "answers": ["2"]}]}})");
  ASSERT_TRUE(v.value) << v.errors.front().field << ": " << v.errors.front().message;
  EXPECT_EQ(rsvp_choice(*v.value, "si"), 0);
  EXPECT_EQ(rsvp_choice(*v.value, " Yes! "), 0);
  EXPECT_EQ(rsvp_choice(*v.value, "２"), 1);  // a full-width digit
  EXPECT_EQ(rsvp_choice(*v.value, "3"), -1);
  EXPECT_EQ(rsvp_choice(*v.value, "yes please"), -1);
  EXPECT_EQ(validate_announcement(to_json(*v.value), std::nullopt).value->rsvp, v.value->rsvp);
}

TEST(AnnouncementValidation, RsvpAnswersMustBeDistinct) {
  const auto v = validate(R"({"audience": {"all": true}, "channels": ["sms"],
    "source_language": "en", "body": "x",
    "rsvp": {"options": [{"label": "a", "answers": ["1"]}, {"label": "a", "answers": ["ONE", "1"]}]}})");
  ASSERT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors),
              UnorderedElementsAre("rsvp.options[1].label", "rsvp.options[1].answers[1]"));
}

TEST(AnnouncementScope, SchoolKeysStayInTheirSchools) {
  auto a = validate(workshop).value.value();
  const requester lincoln{"lincoln", config::role::school, {"lincoln-es"}};
  EXPECT_THAT(check_announcement_scope(a, lincoln), IsEmpty());
  const requester other{"other", config::role::school, {"parks-ms"}};
  EXPECT_THAT(fields_of(check_announcement_scope(a, other)),
              UnorderedElementsAre("school", "audience.schools[0]"));
  a.to.all = true;
  EXPECT_THAT(fields_of(check_announcement_scope(a, lincoln)),
              UnorderedElementsAre("audience.all"));
  const requester coordinator{"fe-office", config::role::coordinator, {}};
  EXPECT_THAT(check_announcement_scope(a, coordinator), IsEmpty());
}

TEST(AnnouncementScope, AudienceTermsAreTheUnionOfSelectorsWithinASchoolKeysSchools) {
  audience to;
  to.schools = {"a", "b"};
  to.grades = {"03"};
  to.tags = {"newcomer"};
  const auto terms = terms_for(to, {"a"});
  EXPECT_THAT(terms.union_terms,
              UnorderedElementsAre("school_grade:a:03", "school_grade:b:03", "tag:newcomer"));
  EXPECT_THAT(terms.within_terms, UnorderedElementsAre("school:a"));
}

// ---------------------------------------------------------------------------------------------

class AnnouncementPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = i18n::message_catalog::load(LIAISON_SOURCE_DIR "/i18n/catalog");
    ASSERT_TRUE(loaded) << loaded.error;
    catalog_ = std::make_unique<i18n::message_catalog>(std::move(*loaded.value));
    a_ = validate(workshop).value.value();
    a_.id = "ann_test";
  }

  static guardian make_guardian(std::string id, std::string language, std::string zone = {}) {
    guardian g;
    g.id = std::move(id);
    g.name = "Guardian " + g.id;
    g.language = std::move(language);
    g.phone = "+12025550100";
    g.email = g.id + "@example.org";
    g.channels = {config::channel::sms, config::channel::email, config::channel::voice};
    g.time_zone = std::move(zone);
    return g;
  }

  family make_family(std::vector<guardian> guardians) const {
    family f;
    f.id = "fam-1";
    f.guardians = std::move(guardians);
    f.students = {{"s-1", "Ana", "lincoln-es", "03"},
                  {"s-2", "Luis", "lincoln-es", "05"},
                  {"s-3", "Teo", "parks-ms", "07"}};
    return f;
  }

  std::vector<planned_delivery> plan(const family& f, std::chrono::system_clock::time_point now) {
    announcement_planner planner(a_, a_.id, catalog_->languages(), {}, "en", quiet_);
    return planner.plan(f, now);
  }

  std::unique_ptr<i18n::message_catalog> catalog_;
  announcement a_;
  i18n::quiet_hours quiet_{i18n::quiet_window{}, "America/New_York"};
};

TEST_F(AnnouncementPlanTest, OneDeliveryPerGuardianAndChannelWithDeterministicIds) {
  const auto f = make_family({make_guardian("g-1", "es-MX"), make_guardian("g-2", "ar")});
  const auto first = plan(f, noon);
  const auto again = plan(f, noon);
  std::vector<std::string> ids;
  for (const auto& d : first) {
    ids.push_back(d.delivery_id);
    EXPECT_EQ(d.start, delivery_start::send);
  }
  EXPECT_THAT(ids, UnorderedElementsAre("ann_test:fam-1:g-1:sms", "ann_test:fam-1:g-1:email",
                                        "ann_test:fam-1:g-1:voice", "ann_test:fam-1:g-2:sms",
                                        "ann_test:fam-1:g-2:email", "ann_test:fam-1:g-2:voice"));
  ASSERT_EQ(again.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(again[i].delivery_id, first[i].delivery_id);
  }
}

TEST_F(AnnouncementPlanTest, TextLanguageFollowsTheLocalizationChoice) {
  const auto f = make_family({make_guardian("g-1", "es-MX"), make_guardian("g-2", "so")});
  announcement_planner planner(a_, a_.id, catalog_->languages(), {}, "en", quiet_);
  std::map<std::string, std::map<std::string, std::string>> by_guardian;
  for (const auto& d : planner.plan(f, noon)) {
    if (d.channel == config::channel::sms) {
      by_guardian[d.record().at("guardian")] = d.record();
    }
  }
  const auto* spanish = planner.localization_for("es-MX");
  ASSERT_NE(spanish, nullptr);
  EXPECT_EQ(spanish->text_language, "es");
  EXPECT_EQ(spanish->format_locale, "es-MX");
  EXPECT_FALSE(spanish->add_fallback_notice);
  // Somali: no human text and no machine translation → another language, with the note in
  // Somali.
  const auto* somali = planner.localization_for("so");
  ASSERT_NE(somali, nullptr);
  EXPECT_NE(somali->text_language, "so");
  EXPECT_TRUE(somali->add_fallback_notice);
  EXPECT_EQ(somali->notice_language, "so");
  EXPECT_EQ(by_guardian["g-2"].at("language"), "so");
  EXPECT_EQ(by_guardian["g-2"].at("tally_group"), "so|sms");
}

TEST_F(AnnouncementPlanTest, DeliveriesPlannedTogetherShareTheAnnouncementsFields) {
  const auto f = make_family({make_guardian("g-1", "es-MX"), make_guardian("g-2", "so")});
  announcement_planner planner(a_, a_.id, catalog_->languages(), {}, "en", quiet_);
  const auto planned = planner.plan(f, noon);
  ASSERT_GE(planned.size(), 2u);
  for (const auto& d : planned) {
    // One frame for the page, not a copy per delivery; the row holds only the delivery's own
    // values, named by the frame's columns.
    ASSERT_NE(d.frame, nullptr);
    EXPECT_EQ(d.frame, planned.front().frame);
    EXPECT_EQ(d.packed_row.find("\"id\""), std::string::npos);       // names are in the frame
    EXPECT_EQ(d.packed_row.find(a_.id + "\","), std::string::npos);  // no shared value
    // The id and tally group are made of the other fields, not written out.
    EXPECT_EQ(d.packed_row.find(d.delivery_id), std::string::npos);
    EXPECT_EQ(d.packed_row.find(d.tally_group), std::string::npos);
    const auto own =
        queue::unpack_records(queue::pack_records({d.packed_row}, {{}, d.frame->columns, {}}));
    ASSERT_TRUE(own);
    ASSERT_EQ(own->size(), 1u);
    EXPECT_FALSE(own->front().contains("announcement"));
    EXPECT_FALSE(own->front().contains("id"));
    EXPECT_EQ(own->front().at("guardian"), d.record().at("guardian"));
    // Unpacked whole, it has every field a worker reads.
    const auto all = d.record();
    EXPECT_EQ(all.at("announcement"), a_.id);
    EXPECT_EQ(all.at("priority"), "normal");
    EXPECT_EQ(all.at("tally"), announcement_tally_suffix(a_.id));
    EXPECT_EQ(all.at("created_at"), format_rfc3339_utc(noon));
    EXPECT_EQ(all.at("id"), d.delivery_id);
    EXPECT_EQ(all.at("tally_group"), d.tally_group);
    EXPECT_EQ(all.at("state"), "queued");  // shared; a held-back delivery has its own
  }
  // Planned at another time: another frame (the creation time differs).
  const auto later = planner.plan(f, noon + std::chrono::minutes(1));
  EXPECT_NE(later.front().frame, planned.front().frame);
  EXPECT_EQ(later.front().record().at("created_at"),
            format_rfc3339_utc(noon + std::chrono::minutes(1)));
}

TEST_F(AnnouncementPlanTest, ChannelsFollowPreferencesAddressesAndOptOuts) {
  auto g = make_guardian("g-1", "es");
  g.channels = {config::channel::sms, config::channel::email};
  g.email.clear();  // accepts email but has no address
  g.opted_out = {config::channel::sms};
  const auto planned = plan(make_family({g}), noon);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].channel, config::channel::sms);
  EXPECT_EQ(planned[0].start, delivery_start::opted_out);
  EXPECT_EQ(planned[0].record().at("state"), "opted_out");
}

TEST_F(AnnouncementPlanTest, NoCallInALanguageTheFamilyDoesNotRead) {
  // Vietnamese can be spoken, but this announcement has no Vietnamese text: the family would
  // hear English. It gets its text (with the fallback notice) by SMS instead.
  auto g = make_guardian("g-1", "vi");
  g.channels = {config::channel::voice, config::channel::sms};
  a_.channels = {config::channel::voice};
  const auto planned = plan(make_family({g}), noon);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].channel, config::channel::sms);
}

TEST_F(AnnouncementPlanTest, VoiceOnlyWhereTheLanguageCanBeSpokenElseSms) {
  auto somali = make_guardian("g-1", "so");
  somali.channels = {config::channel::voice, config::channel::sms};
  a_.channels = {config::channel::voice};
  const auto planned = plan(make_family({somali}), noon);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].channel, config::channel::sms);

  auto spanish = make_guardian("g-2", "es-MX");
  spanish.channels = {config::channel::voice};
  const auto called = plan(make_family({spanish}), noon);
  ASSERT_EQ(called.size(), 1u);
  EXPECT_EQ(called[0].channel, config::channel::voice);
}

TEST_F(AnnouncementPlanTest, QuietHoursDeferSmsAndVoiceButNotEmailOrUrgent) {
  // 22:00 in Chicago: SMS and voice wait until 08:00 Chicago time; email goes now.
  const auto night = at("2026-12-01T22:00:00-06:00");
  const auto f = make_family({make_guardian("g-1", "en", "America/Chicago")});
  for (const auto& d : plan(f, night)) {
    if (d.channel == config::channel::email) {
      EXPECT_EQ(d.start, delivery_start::send);
    } else {
      EXPECT_EQ(d.start, delivery_start::defer) << d.delivery_id;
      EXPECT_EQ(format_rfc3339_utc(d.due), "2026-12-02T14:00:00.000Z");
      EXPECT_EQ(d.record().at("state"), "deferred");
    }
  }
  a_.priority = config::priority::urgent;
  for (const auto& d : plan(f, night)) {
    EXPECT_EQ(d.start, delivery_start::send) << d.delivery_id;
  }
}

TEST_F(AnnouncementPlanTest, RenderedTextIsInTheGuardiansLanguageAndZone) {
  auto g = make_guardian("g-1", "es-MX", "America/Chicago");
  g.name = "María López";
  const auto f = make_family({g});
  config::district_config district;
  district.name = "Kansas City Public Schools";
  district.time_zone = "America/Chicago";
  district.schools = {{"lincoln-es", {"Lincoln Elementary", "", "", "", ""}}};
  announcement_renderer renderer(*catalog_, district);
  announcement_planner planner(a_, a_.id, catalog_->languages(), {}, "en", quiet_);
  std::map<config::channel, channels::rendered_delivery> rendered;
  for (const auto& d : planner.plan(f, noon)) {
    auto r = renderer.render(a_, d.record(), *planner.localization_for(d.record().at("language")));
    ASSERT_TRUE(r) << r.error;
    rendered[d.channel] = *r.value;
  }
  const auto& sms = rendered.at(config::channel::sms);
  EXPECT_THAT(sms.text, HasSubstr("Estimado/a María López"));
  // The workshop is at 18:30 New York time, 17:30 in Chicago; es-MX formats the date.
  EXPECT_THAT(sms.text, HasSubstr("3 de diciembre de 2026"));
  EXPECT_THAT(sms.text, HasSubstr("17:30"));
  // Only the school's students, as a Spanish list.
  EXPECT_THAT(sms.text, HasSubstr("Ana y Luis"));
  EXPECT_THAT(sms.text, HasSubstr("Lincoln Elementary"));
  EXPECT_THAT(sms.text, HasSubstr("STOP"));
  const auto& email = rendered.at(config::channel::email);
  EXPECT_EQ(email.subject, "Academia de Padres: reading at home");
  EXPECT_THAT(email.text, Not(HasSubstr("STOP")));
  const auto& voice = rendered.at(config::channel::voice);
  EXPECT_FALSE(voice.voice_language.empty());
  EXPECT_FALSE(voice.voice_prompt.empty());
}

TEST_F(AnnouncementPlanTest, FallbackTextCarriesANoticeInTheGuardiansLanguage) {
  const auto f = make_family({make_guardian("g-1", "so")});
  config::district_config district;
  announcement_renderer renderer(*catalog_, district);
  announcement_planner planner(a_, a_.id, catalog_->languages(), {}, "en", quiet_);
  for (const auto& d : planner.plan(f, noon)) {
    if (d.channel != config::channel::sms) {
      continue;
    }
    auto r = renderer.render(a_, d.record(), *planner.localization_for("so"));
    ASSERT_TRUE(r) << r.error;
    const auto* somali = catalog_->find("so");
    ASSERT_NE(somali, nullptr);
    // The Somali fallback notice's first words appear in the text.
    const auto notice =
        somali->patterns[static_cast<std::size_t>(i18n::message_key::fallback_language_notice)];
    EXPECT_THAT(r.value->text, HasSubstr(notice.substr(0, notice.find('{'))));
  }
}

TEST_F(AnnouncementPlanTest, StoredMachineTranslationIsRenderedWithTheNotice) {
  a_.machine_translation = i18n::machine_translation_policy::if_no_human_translation;
  a_.machine_translations["vi"] = {"Học viện Phụ huynh: {topic}",
                                   "Kính gửi {guardian_name}, hội thảo về {topic}."};
  const auto f = make_family({make_guardian("g-1", "vi")});
  config::district_config district;
  announcement_renderer renderer(*catalog_, district);
  announcement_planner planner(a_, a_.id, catalog_->languages(), machine_languages(a_), "en",
                               quiet_);
  const auto* choice = planner.localization_for("vi");
  ASSERT_NE(choice, nullptr);
  EXPECT_EQ(choice->source, i18n::text_source::machine_translation);
  std::map<config::channel, channels::rendered_delivery> rendered;
  for (const auto& d : planner.plan(f, noon)) {
    auto r = renderer.render(a_, d.record(), *choice);
    ASSERT_TRUE(r) << r.error;
    rendered[d.channel] = *r.value;
  }
  const auto* vietnamese = catalog_->find("vi");
  ASSERT_NE(vietnamese, nullptr);
  const auto notice =
      vietnamese->patterns[static_cast<std::size_t>(i18n::message_key::machine_translated_notice)];
  EXPECT_THAT(rendered.at(config::channel::sms).text, HasSubstr("Kính gửi Guardian g-1"));
  EXPECT_THAT(rendered.at(config::channel::sms).text, HasSubstr(notice));
  EXPECT_EQ(rendered.at(config::channel::email).subject, "Học viện Phụ huynh: reading at home");
}

TEST_F(AnnouncementPlanTest, AMachineTranslationThatWasNotStoredIsNotRendered) {
  a_.machine_translation = i18n::machine_translation_policy::if_no_human_translation;
  const auto f = make_family({make_guardian("g-1", "vi")});
  config::district_config district;
  announcement_renderer renderer(*catalog_, district);
  // A planner told of a machine language that has no stored text: the renderer refuses rather
  // than send the wrong language.
  announcement_planner planner(a_, a_.id, catalog_->languages(), {"vi"}, "en", quiet_);
  const auto planned = planner.plan(f, noon);
  ASSERT_FALSE(planned.empty());
  const auto r = renderer.render(a_, planned.front().record(), *planner.localization_for("vi"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error, HasSubstr("no machine translation was stored"));
}

}  // namespace
}  // namespace liaison::services
