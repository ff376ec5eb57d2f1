// Interpreters and interpretation requests against the real liaisond and a private redis-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/time_format.hpp"
#include "tests/integration/daemon/district_office_fixture.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;

class interpretation_test : public district_office_fixture {};

// An IEP meeting `days` from now (the daemon runs on the real clock).
std::string iep_in(int days) {
  const auto start = std::chrono::system_clock::now() + std::chrono::days(days);
  return R"({"school": "lincoln-es", "family_id": "f-1", "language": "es",
  "meeting_type": "iep", "start": ")" +
         format_rfc3339_utc(std::chrono::floor<std::chrono::minutes>(start)) +
         R"(", "duration_minutes": 60})";
}

const std::string iep = iep_in(30);

TEST_F(interpretation_test, interpreters_are_indexed_by_language) {
  const auto put = call("PUT", "/v1/interpreters/int-1",
                        R"({"name": "Ana", "languages": ["es", "pt"], "phone": "+12025550150"})");
  ASSERT_EQ(put.status, 201u) << put.body;
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{i}:interpreters:language:es", "int-1"}), "1");
  // Dropping a language (or going inactive) takes it out of the index.
  ASSERT_EQ(call("PUT", "/v1/interpreters/int-1",
                 R"({"name": "Ana", "languages": ["pt"], "phone": "+12025550150"})")
                .status,
            200u);
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{i}:interpreters:language:es", "int-1"}), "0");
  EXPECT_EQ(call("GET", "/v1/interpreters/int-1", "").status, 200u);
  EXPECT_EQ(call("GET", "/v1/interpreters/int-1", "", school_key).status, 403u);
}

TEST_F(interpretation_test, a_request_moves_through_legal_transitions_only_with_its_history) {
  const auto created = call("POST", "/v1/interpretation-requests", iep);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto request = boost::json::parse(created.body);
  EXPECT_EQ(request.at("state"), "requested");
  const std::string id(request.at("id").as_string());

  // Confirming a request nobody accepted is illegal: 409, nothing changes.
  auto reply = call("PATCH", "/v1/interpretation-requests/" + id, R"({"state": "confirmed"})");
  EXPECT_EQ(reply.status, 409u);
  EXPECT_THAT(reply.body, HasSubstr("requested"));
  reply = call("PATCH", "/v1/interpretation-requests/" + id,
               R"({"state": "cancelled", "note": "meeting moved"})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto cancelled = boost::json::parse(reply.body);
  EXPECT_EQ(cancelled.at("state"), "cancelled");
  const auto& history = cancelled.at("history").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].at("event"), "cancel");
  EXPECT_EQ(history[1].at("by"), "fe-office");
  EXPECT_EQ(history[1].at("note"), "meeting moved");
  EXPECT_EQ(call("PATCH", "/v1/interpretation-requests/" + id, R"({"state": "cancelled"})").status,
            409u);
  EXPECT_EQ(call("GET", "/v1/interpretation-requests", "").body.find(id) != std::string::npos,
            true);
}

TEST_F(interpretation_test, bad_requests_and_other_schools_are_refused) {
  const std::string past = iep_in(-1);
  auto reply = call("POST", "/v1/interpretation-requests", past);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("\"start\""));
  std::string stranger = iep;
  stranger.replace(stranger.find("f-1"), 3, "f-9");
  reply = call("POST", "/v1/interpretation-requests", stranger);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("family_id"));
  // A school key for another school: neither the school nor the family is theirs.
  reply = call("POST", "/v1/interpretation-requests", iep, school_key);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_EQ(redis_.cli({"ZCARD", "liaison:{i}:requests"}), "0");
}

TEST_F(interpretation_test,
       a_translation_request_is_offered_delivered_and_ready_for_an_announcement) {
  ASSERT_EQ(put_translator("tr-1", "es").status, 201u);
  const auto created =
      request_translation("Snow day letter", "School is closed tomorrow.", {"es", "so"});
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto request = boost::json::parse(created.body);
  EXPECT_EQ(request.at("offers"), 1);
  EXPECT_EQ(request.at("languages").at("es").at("state"), "offered");
  EXPECT_EQ(request.at("languages").at("so").at("state"), "requested");  // nobody for Somali
  const std::string id(request.at("id").as_string());

  const auto delivered = deliver_translation(id, "es", "Mañana no hay clases.");
  ASSERT_EQ(delivered.status, 200u) << delivered.body;
  const auto after = boost::json::parse(delivered.body);
  EXPECT_EQ(after.at("languages").at("es").at("state"), "delivered");
  // In the shape of an announcement's human translations.
  EXPECT_EQ(after.at("translations").at("es").at("body"), "Mañana no hay clases.");
  EXPECT_EQ(deliver_translation(id, "es", "Otra vez.").status, 409u);
  EXPECT_EQ(deliver_translation(id, "fr", "x").status, 422u);
  EXPECT_EQ(call("POST", "/v1/translation-requests",
                 R"({"school": "lincoln-es", "title": "x", "target_languages": []})")
                .status,
            422u);
  // The delivered Spanish becomes an announcement's human translation.
  const auto preview = call("POST", "/v1/announcements/preview",
                            R"({"school": "lincoln-es", "audience": {"schools": ["lincoln-es"]},
                                "channels": ["sms"], "body": "School is closed tomorrow.",
                                "source_language": "en", "translation_request": ")" +
                                id + R"("})");
  ASSERT_EQ(preview.status, 200u) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr("Mañana no hay clases."));
  EXPECT_EQ(call("POST", "/v1/announcements/preview",
                 R"({"school": "lincoln-es", "audience": {"schools": ["lincoln-es"]},
                     "channels": ["sms"], "body": "x", "source_language": "en",
                     "translation_request": "tr_nope"})")
                .status,
            422u);
  // A school key sees only its schools' requests.
  EXPECT_EQ(call("GET", "/v1/translation-requests/" + id, "", school_key).status, 404u);
  const auto listed = call("GET", "/v1/translation-requests", "");
  EXPECT_EQ(boost::json::parse(listed.body).at("requests").as_array().size(), 1u);
}

}  // namespace
}  // namespace liaison::testing
