#include "daemon/services/family.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace liaison::services {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr const char* lopez = R"({
  "guardians": [
    {"id": "g-1", "name": "María López", "language": "es_mx", "phone": "(202) 555-0143",
     "email": "maria@example.org", "channels": ["sms", "email"], "time_zone": "America/Chicago"},
    {"id": "g-2", "name": "José López", "language": "es", "phone": "+1 202 555 0199"}
  ],
  "students": [{"id": "s-1", "name": "Ana", "school": "lincoln-es", "grade": "03"}],
  "tags": ["newcomer"]
})";

family_validation validate(std::string_view json, std::string_view id = "fam-1") {
  return validate_family(id, boost::json::parse(json));
}

std::vector<std::string> fields_of(const family_validation& v) {
  std::vector<std::string> fields;
  for (const auto& e : v.errors) {
    fields.push_back(e.field);
  }
  return fields;
}

TEST(family, valid_family_is_normalized) {
  const auto v = validate(lopez);
  ASSERT_TRUE(v.value) << v.errors[0].field << ": " << v.errors[0].message;
  const auto& g = v.value->guardians[0];
  EXPECT_EQ(g.language, "es-MX");
  EXPECT_EQ(g.phone, "+12025550143");
  EXPECT_THAT(g.channels, ElementsAre(config::channel::sms, config::channel::email));
  EXPECT_EQ(v.value->students[0].school, "lincoln-es");
}

TEST(family, guardian_without_channel_list_gets_every_channel_it_has_an_address_for) {
  const auto v = validate(lopez);
  ASSERT_TRUE(v.value);
  EXPECT_THAT(v.value->guardians[1].channels,
              ElementsAre(config::channel::sms, config::channel::voice));
}

TEST(family, every_error_is_reported_with_its_path) {
  const auto v = validate(R"({
    "guardians": [{"id": "g-1", "name": "X", "language": "zz-notreal", "phone": "12",
                   "time_zone": "Mars/Olympus", "channels": ["fax"]}],
    "students": [{"id": "s-1", "school": "a/b", "grade": "3rd"}],
    "colour": "blue"})");
  EXPECT_FALSE(v.value);
  EXPECT_THAT(fields_of(v),
              ::testing::IsSupersetOf({"guardians[0].language", "guardians[0].phone",
                                       "guardians[0].time_zone", "guardians[0].channels[0]",
                                       "students[0].school", "students[0].grade", "colour"}));
}

TEST(family, channel_needs_its_address) {
  const auto v = validate(R"({"guardians": [{"id": "g", "name": "N", "language": "en",
                                             "email": "n@example.org", "channels": ["sms"]}]})");
  EXPECT_THAT(fields_of(v), Contains("guardians[0].channels"));
}

TEST(family, needs_a_guardian_and_unique_ids) {
  EXPECT_THAT(fields_of(validate(R"({"students": []})")), Contains("guardians"));
  const auto dup = validate(R"({"guardians": [
      {"id": "g", "name": "A", "language": "en", "email": "a@example.org"},
      {"id": "g", "name": "B", "language": "en", "email": "b@example.org"}]})");
  EXPECT_THAT(fields_of(dup), Contains("guardians[1].id"));
}

TEST(family, body_id_must_match_the_url) {
  EXPECT_THAT(fields_of(validate(R"({"id": "other", "guardians": []})")), Contains("id"));
  EXPECT_THAT(fields_of(validate(lopez, "../etc")), Contains("id"));
}

TEST(family, stored_form_round_trips_without_opt_outs) {
  auto v = validate(lopez);
  ASSERT_TRUE(v.value);
  v.value->guardians[0].opted_out = {config::channel::sms};
  const auto stored = boost::json::serialize(to_json(*v.value, true));
  EXPECT_EQ(stored.find("opted_out"), std::string::npos);
  auto back = family_from_stored_json(stored);
  ASSERT_TRUE(back);
  v.value->guardians[0].opted_out.clear();
  EXPECT_EQ(*back, *v.value);
}

TEST(family, index_terms_cover_school_grade_tags_languages_and_the_district) {
  const auto v = validate(lopez);
  ASSERT_TRUE(v.value);
  EXPECT_THAT(index_terms(*v.value),
              UnorderedElementsAre("school:lincoln-es", "grade:03", "school_grade:lincoln-es:03",
                                   "tag:newcomer", "phone:+12025550143", "phone:+12025550199",
                                   "all", "language:es-MX", "language:es"));
}

}  // namespace
}  // namespace liaison::services
