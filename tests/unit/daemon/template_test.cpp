// Named templates without sockets: validation (the same text rules as an announcement's), the
// JSON form read back, and how a template fills in an announcement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/services/announcement.hpp"
#include "daemon/services/message_template.hpp"

namespace liaison::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

namespace json = boost::json;

constexpr const char* snow_day = R"({
  "description": "School closed for snow",
  "source_language": "en",
  "subject": "{school} is closed on {day, date, full}",
  "body": "Dear {guardian_name}, {school} is closed on {day, date, full} because of snow.",
  "translations": {
    "es_mx": {"subject": "{school} cierra el {day, date, full}",
              "body": "Estimado/a {guardian_name}: {school} cierra el {day, date, full} por la nieve."},
    "vi": {"body": "{school} đóng cửa vào {day, date, full} vì tuyết."}
  }
})";

template_validation validate(std::string_view name, std::string_view text) {
  return validate_template(name, json::parse(text));
}

std::vector<std::string> fields_of(const std::vector<field_error>& errors) {
  std::vector<std::string> fields;
  for (const auto& e : errors) {
    fields.push_back(e.field);
  }
  return fields;
}

std::string message_for(const std::vector<field_error>& errors, std::string_view field) {
  for (const auto& e : errors) {
    if (e.field == field) {
      return e.message;
    }
  }
  return "(no error on " + std::string(field) + ")";
}

TEST(templates_validation, accepts_a_snow_day_template_with_canonical_languages) {
  const auto v = validate("snow-day", snow_day);
  ASSERT_TRUE(v.value) << (v.errors.empty()
                               ? ""
                               : v.errors.front().field + ": " + v.errors.front().message);
  const auto& t = *v.value;
  EXPECT_EQ(t.name, "snow-day");
  EXPECT_EQ(t.description, "School closed for snow");
  EXPECT_EQ(t.source_language, "en");
  EXPECT_THAT(t.original.subject, HasSubstr("is closed on"));
  // es_mx is read as es-MX; a translation without a subject is fine (only email needs one).
  ASSERT_TRUE(t.translations.contains("es-MX"));
  EXPECT_THAT(t.translations.at("es-MX").body, HasSubstr("por la nieve"));
  EXPECT_EQ(t.translations.at("vi").subject, "");
  EXPECT_THAT(template_languages(t), ElementsAre("en", "es-MX", "vi"));
}

TEST(templates_validation, its_json_form_reads_back_as_the_same_template) {
  const auto v = validate("snow-day", snow_day);
  ASSERT_TRUE(v.value);
  const auto stored = to_json(*v.value);
  EXPECT_EQ(stored.at("name"), "snow-day");
  const auto again = validate_template("snow-day", stored);
  ASSERT_TRUE(again.value);
  EXPECT_EQ(*again.value, *v.value);
  // Sent back under another name, the body's name contradicts the path.
  const auto renamed = validate_template("ice-day", stored);
  EXPECT_THAT(fields_of(renamed.errors), ElementsAre("name"));
}

TEST(templates_validation, names_are_1_to_64_lowercase_letters_digits_dashes_underscores) {
  for (const auto* name : {"snow-day", "parent_academy", "a", "2026-graduation"}) {
    EXPECT_TRUE(is_valid_template_name(name)) << name;
  }
  const std::string too_long(65, 'a');
  for (const std::string& name :
       {std::string(), too_long, std::string("Snow-Day"), std::string("snow day"),
        std::string("snow/day"), std::string("snow.day"), std::string("nieve-\xC3\xB1")}) {
    EXPECT_FALSE(is_valid_template_name(name)) << name;
  }
  EXPECT_TRUE(is_valid_template_name(std::string(64, 'a')));
  const auto v = validate("Snow Day", snow_day);
  EXPECT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors), ElementsAre("name"));
}

TEST(templates_validation, reports_every_problem_with_its_path_and_keeps_nothing) {
  const auto v = validate("snow-day", R"({
    "source_language": "klingon-x-y-z-not-a-tag!",
    "body": "Closed on {0}",
    "subject": "{when, date",
    "channels": ["sms"],
    "translations": {
      "es": {"subject": "Cerrado"},
      "??": {"body": "x"},
      "vi": "Đóng cửa",
      "fr": {"body": "Fermé", "footer": "x"}
    }
  })");
  EXPECT_FALSE(v.value);
  EXPECT_THAT(fields_of(v.errors),
              UnorderedElementsAre("description", "source_language", "body", "subject", "channels",
                                   "translations.es.body", "translations.??", "translations.vi",
                                   "translations.fr.footer"));
}

TEST(templates_validation, a_description_is_required_and_not_empty) {
  auto v = validate("snow-day", R"({"description": "", "source_language": "en", "body": "x"})");
  EXPECT_THAT(fields_of(v.errors), ElementsAre("description"));
  v = validate("snow-day", R"({"source_language": "en", "body": "x"})");
  EXPECT_THAT(fields_of(v.errors), ElementsAre("description"));
}

TEST(templates_validation, a_translation_into_the_source_language_or_twice_is_refused) {
  const auto v = validate("snow-day", R"({
    "description": "Snow", "source_language": "es", "body": "Cerrado",
    "translations": {"es": {"body": "x"}, "vi": {"body": "a"}, "VI": {"body": "b"}}
  })");
  EXPECT_THAT(fields_of(v.errors), UnorderedElementsAre("translations.es", "translations.VI"));
}

TEST(templates_validation, recipient_arguments_are_texts_and_others_need_no_values_yet) {
  // {day} has no value: the announcement using the template gives it.
  EXPECT_TRUE(validate("closed", R"({"description": "Closed", "source_language": "en",
                                     "body": "Closed on {day, date, long}"})")
                  .value);
  const auto v = validate("closed", R"({"description": "Closed", "source_language": "en",
                                        "body": "{guardian_name, number} children"})");
  EXPECT_THAT(fields_of(v.errors), ElementsAre("body"));
  EXPECT_THAT(v.errors.front().message, HasSubstr("is a text"));
}

// The template's texts are checked by the announcement's own rules: the same broken text is
// refused with the same words on the same field in both.
TEST(templates_validation, texts_are_refused_exactly_as_in_an_announcement) {
  const auto t = validate("bad", R"({"description": "Bad", "source_language": "en",
    "body": "Bring {count, plural, one {# form}",
    "translations": {"es": {"body": "Traiga {0}"}, "es-ES": {"body": "x"}, "en-GB": {"body": ""}}})");
  const auto a = validate_announcement(json::parse(R"({"audience": {"all": true},
    "channels": ["sms"], "source_language": "en",
    "body": "Bring {count, plural, one {# form}",
    "translations": {"es": {"body": "Traiga {0}"}, "es-ES": {"body": "x"}, "en-GB": {"body": ""}}})"),
                                       std::nullopt);
  for (const auto* field : {"body", "translations.es.body", "translations.en-GB.body"}) {
    EXPECT_EQ(message_for(t.errors, field), message_for(a.errors, field)) << field;
    EXPECT_THAT(message_for(t.errors, field), Not(HasSubstr("(no error"))) << field;
  }
}

message_template snow_day_template() {
  auto v = validate("snow-day", snow_day);
  if (!v.value) {
    throw std::runtime_error("the snow-day template is invalid");
  }
  return std::move(*v.value);
}

announcement validated(const json::object& request) {
  const auto v = validate_announcement(request, std::nullopt);
  if (!v.value) {
    throw std::runtime_error("invalid announcement: " + v.errors.front().field + ": " +
                             v.errors.front().message);
  }
  return *v.value;
}

TEST(templates_fill, an_announcement_without_texts_takes_all_of_the_template) {
  auto request = json::parse(R"({"audience": {"all": true}, "channels": ["sms", "email"],
                                 "arguments": {"day": "2026-12-03T07:00:00-05:00"}})")
                     .as_object();
  const auto t = snow_day_template();
  fill_from_template(request, t);
  // vi has no subject: with email among the channels that is the announcement's to give.
  request["translations"].as_object()["vi"].as_object()["subject"] = "Đóng cửa";
  const auto a = validated(request);
  EXPECT_EQ(a.source_language, "en");
  EXPECT_EQ(a.original, t.original);
  EXPECT_EQ(a.translations.at("es-MX"), t.translations.at("es-MX"));
  EXPECT_EQ(a.translations.at("vi").body, t.translations.at("vi").body);
}

TEST(templates_fill, the_announcements_own_fields_win) {
  auto request = json::parse(R"({"audience": {"all": true}, "channels": ["sms"],
    "body": "Closed today, {day, date, full}.",
    "translations": {"es-mx": {"body": "Hoy cerramos."}, "so": {"body": "Xiran."}},
    "arguments": {"day": "2026-12-03T07:00:00-05:00"}})")
                     .as_object();
  const auto t = snow_day_template();
  fill_from_template(request, t);
  const auto a = validated(request);
  EXPECT_EQ(a.source_language, "en");
  EXPECT_EQ(a.original.body, "Closed today, {day, date, full}.");
  EXPECT_EQ(a.original.subject, t.original.subject);  // not given: the template's
  // es-mx is the template's es-MX: the announcement's body, the template's subject.
  ASSERT_EQ(a.translations.size(), 3u);
  EXPECT_EQ(a.translations.at("es-MX").body, "Hoy cerramos.");
  EXPECT_EQ(a.translations.at("es-MX").subject, t.translations.at("es-MX").subject);
  EXPECT_EQ(a.translations.at("so").body, "Xiran.");
  EXPECT_EQ(a.translations.at("vi"), t.translations.at("vi"));
}

TEST(templates_fill, an_announcement_in_another_language_takes_that_language_as_its_original) {
  auto request = json::parse(R"({"audience": {"all": true}, "channels": ["sms"],
    "source_language": "es-MX", "arguments": {"day": "2026-12-03T07:00:00-05:00"}})")
                     .as_object();
  const auto t = snow_day_template();
  fill_from_template(request, t);
  const auto a = validated(request);
  EXPECT_EQ(a.source_language, "es-MX");
  EXPECT_EQ(a.original, t.translations.at("es-MX"));
  EXPECT_EQ(a.translations.at("en"), t.original);
  EXPECT_FALSE(a.translations.contains("es-MX"));
}

TEST(templates_fill, what_is_wrong_in_the_announcement_is_left_for_validation_to_report) {
  auto request = json::parse(R"({"audience": {"all": true}, "channels": ["sms"],
    "source_language": 7, "translations": "none"})")
                     .as_object();
  fill_from_template(request, snow_day_template());
  const auto v = validate_announcement(request, std::nullopt);
  EXPECT_THAT(fields_of(v.errors), UnorderedElementsAre("source_language", "translations", "body"));
}

}  // namespace
}  // namespace liaison::services
