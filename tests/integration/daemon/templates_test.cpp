// Named templates end to end: the real liaisond on a private redis-server. A translator's
// delivered Spanish becomes a template's translation, and an announcement naming the template
// reaches the Spanish-speaking family in that Spanish (the outbox says so).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/integration/daemon/district_office_fixture.hpp"

namespace liaison::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

namespace json = boost::json;

constexpr const char* english = "School is closed tomorrow because of snow.";
constexpr const char* spanish = "Mañana no hay clases por la nieve.";

class templates_test : public district_office_fixture {
 protected:
  void configure(liaisond_config& config) override {
    // Quiet hours off: the announcement goes out at whatever time the test runs.
    config
        .district(
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n")
        .tables("[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n");
  }

  // A translation request of the English letter with its Spanish delivered; its id.
  std::string delivered_spanish() {
    EXPECT_EQ(put_translator("tr-1", "es").status, 201u);
    const auto created = request_translation("Snow day letter", english, {"es"});
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id(json::parse(created.body).at("id").as_string());
    const auto delivered = deliver_translation(id, "es", spanish);
    EXPECT_EQ(delivered.status, 200u) << delivered.body;
    return id;
  }

  std::vector<json::object> outbox_lines() const {
    std::vector<json::object> lines;
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    for (std::string line; std::getline(in, line);) {
      lines.push_back(json::parse(line).as_object());
    }
    return lines;
  }

  std::size_t stored_templates() {
    return std::stoul(redis_.cli({"ZCARD", "liaison:{d}:templates"}));
  }
};

// The fields a 422 problem names.
std::vector<std::string> fields_at_fault(const http_reply& reply) {
  std::vector<std::string> fields;
  const auto problem = json::parse(reply.body);
  if (const auto* errors = problem.as_object().if_contains("errors")) {
    for (const auto& e : errors->as_array()) {
      fields.emplace_back(e.at("field").as_string());
    }
  }
  return fields;
}

std::string snow_day_from_translation_request(const std::string& id) {
  return R"({"description": "School closed for snow", "source_language": "en",
             "subject": "Snow day", "body": ")" +
         std::string(english) + R"(", "translation_request": ")" + id + R"("})";
}

constexpr const char* snow_day_announcement = R"({
  "school": "lincoln-es", "audience": {"schools": ["lincoln-es"]}, "channels": ["sms"],
  "template": "snow-day"})";

TEST_F(templates_test, a_translators_spanish_reaches_a_spanish_speaking_family_through_a_template) {
  const auto request_id = delivered_spanish();

  const auto put =
      call("PUT", "/v1/templates/snow-day", snow_day_from_translation_request(request_id));
  ASSERT_EQ(put.status, 201u) << put.body;
  EXPECT_EQ(put.headers.at("location"), "/v1/templates/snow-day");
  const auto stored = json::parse(put.body);
  EXPECT_EQ(stored.at("source_language"), "en");
  EXPECT_EQ(stored.at("translations").at("es").at("body"), spanish);
  EXPECT_FALSE(stored.as_object().contains("translation_request"));
  // Written again, it is replaced, not added.
  EXPECT_EQ(
      call("PUT", "/v1/templates/snow-day", snow_day_from_translation_request(request_id)).status,
      200u);
  EXPECT_EQ(stored_templates(), 1u);

  const auto accepted = call("POST", "/v1/announcements", snow_day_announcement);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const std::string announcement(json::parse(accepted.body).at("id").as_string());
  const std::string delivery = announcement + ":f-1:g-1:sms";
  std::string text;
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& line : outbox_lines()) {
          if (line.at("delivery_id").as_string() == delivery) {
            text = std::string(line.at("text").as_string());
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(20)))
      << daemon_->log();
  EXPECT_THAT(text, HasSubstr(spanish));
  EXPECT_THAT(text, Not(HasSubstr(english)));

  // The announcement keeps the template's texts as its own.
  const auto progress = json::parse(call("GET", "/v1/announcements/" + announcement, "").body);
  EXPECT_EQ(progress.at("announcement").at("body"), english);
  EXPECT_EQ(progress.at("announcement").at("translations").at("es").at("body"), spanish);
}

TEST_F(templates_test, bad_template_input_is_refused_naming_the_field_and_nothing_is_written) {
  auto reply = call("PUT", "/v1/templates/snow-day",
                    R"({"description": "Snow", "source_language": "en",
                        "body": "Closed on {day, date"})");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_EQ(reply.headers.at("content-type"), "application/problem+json");
  EXPECT_THAT(fields_at_fault(reply), ElementsAre("body"));

  reply = call("PUT", "/v1/templates/snow-day",
               R"({"source_language": "xx-not a tag", "body": "Closed",
                   "translations": {"es": {"subject": "Cerrado"}}})");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(fields_at_fault(reply),
              UnorderedElementsAre("description", "source_language", "translations.es.body"));

  reply = call("PUT", "/v1/templates/Snow-Day",
               R"({"description": "Snow", "source_language": "en", "body": "Closed"})");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(fields_at_fault(reply), ElementsAre("name"));

  reply = call("PUT", "/v1/templates/snow-day", snow_day_from_translation_request("tr_nope"));
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(fields_at_fault(reply), ElementsAre("translation_request"));
  EXPECT_EQ(stored_templates(), 0u);
  EXPECT_EQ(redis_.cli({"EXISTS", "liaison:{d}:template:snow-day"}), "0");

  // An announcement naming a template that does not exist.
  reply = call("POST", "/v1/announcements", snow_day_announcement);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(fields_at_fault(reply), ElementsAre("template"));
  reply = call("POST", "/v1/announcements/preview", snow_day_announcement);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(fields_at_fault(reply), ElementsAre("template"));

  EXPECT_EQ(call("GET", "/v1/templates/snow-day", "").status, 404u);
  EXPECT_EQ(call("DELETE", "/v1/templates/snow-day", "").status, 404u);
}

TEST_F(templates_test, a_school_key_may_read_and_use_templates_but_not_write_them) {
  const std::string snow_day =
      R"({"description": "School closed for snow", "source_language": "en", "body": ")" +
      std::string(english) + R"(", "translations": {"es": {"body": ")" + spanish + R"("}}})";
  EXPECT_EQ(call("PUT", "/v1/templates/snow-day", snow_day, school_key).status, 403u);
  EXPECT_EQ(stored_templates(), 0u);
  ASSERT_EQ(call("PUT", "/v1/templates/snow-day", snow_day).status, 201u);

  const auto one = call("GET", "/v1/templates/snow-day", "", school_key);
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(json::parse(one.body).at("translations").at("es").at("body"), spanish);
  const auto all = call("GET", "/v1/templates", "", school_key);
  ASSERT_EQ(all.status, 200u) << all.body;
  const auto listed = json::parse(all.body).at("templates").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("name"), "snow-day");
  EXPECT_EQ(listed[0].at("description"), "School closed for snow");
  EXPECT_EQ(listed[0].at("languages"), json::parse(R"(["en", "es"])"));
  EXPECT_FALSE(listed[0].as_object().contains("body"));

  // Its own school's announcement may use it.
  ASSERT_EQ(call("PUT", "/v1/families/f-2",
                 R"({"guardians": [{"id": "g-2", "name": "Luis", "language": "es",
                      "phone": "+12025550112"}],
                     "students": [{"id": "s-2", "school": "parks-ms", "grade": "07"}]})")
                .status,
            201u);
  const auto preview = call("POST", "/v1/announcements/preview",
                            R"({"school": "parks-ms", "audience": {"schools": ["parks-ms"]},
                                "channels": ["sms"], "template": "snow-day"})",
                            school_key);
  EXPECT_EQ(preview.status, 200u) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr(spanish));

  EXPECT_EQ(call("DELETE", "/v1/templates/snow-day", "", school_key).status, 403u);
  EXPECT_EQ(call("DELETE", "/v1/templates/snow-day", "").status, 204u);
  EXPECT_EQ(call("GET", "/v1/templates/snow-day", "", school_key).status, 404u);
  EXPECT_EQ(json::parse(call("GET", "/v1/templates", "").body).at("templates").as_array().size(),
            0u);
}

TEST_F(templates_test, without_redis_the_answer_is_503_and_nothing_half_done) {
  redis_.kill_now();
  ASSERT_TRUE(eventually([&] { return call("GET", "/v1/templates", "").status == 503; }));
  const auto put = call("PUT", "/v1/templates/snow-day",
                        R"({"description": "Snow", "source_language": "en", "body": "Closed"})");
  EXPECT_EQ(put.status, 503u);
  EXPECT_THAT(put.body, HasSubstr("redis-unavailable"));
  EXPECT_EQ(call("GET", "/v1/templates/snow-day", "").status, 503u);
  EXPECT_EQ(call("POST", "/v1/announcements", snow_day_announcement).status, 503u);
}

}  // namespace
}  // namespace liaison::testing
