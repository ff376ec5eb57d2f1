// PUT/GET/DELETE /v1/families against the real liaisond and a private redis-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

constexpr const char* coordinator_key = "families-coordinator-key";
constexpr const char* school_key = "families-school-key";

constexpr const char* nguyen = R"({
  "guardians": [{"id": "g-1", "name": "Lan Nguyễn", "language": "vi", "phone": "+12025550111",
                 "time_zone": "America/Los_Angeles"}],
  "students": [{"id": "s-1", "school": "lincoln-es", "grade": "KG"}],
  "tags": ["parent-academy"]
})";

class families_test : public ::testing::Test {
 protected:
  void SetUp() override {
    liaisond_config(port_, redis_.socket_path())
        .api_key("office", "coordinator", coordinator_key)
        .api_key("lincoln", "school", school_key, {"lincoln-es"})
        .outbox(dir_.path(), {"sms"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  http_reply call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& key = coordinator_key) {
    return call_api(port_, method, target, body, key);
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(families_test, put_creates_then_replaces_and_get_returns_the_normalized_family) {
  const auto created = call("PUT", "/v1/families/fam-7", nguyen);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(call("PUT", "/v1/families/fam-7", nguyen).status, 200u);
  const auto got = call("GET", "/v1/families/fam-7", "");
  ASSERT_EQ(got.status, 200u);
  const auto family = boost::json::parse(got.body);
  EXPECT_EQ(family.at("guardians").at(0).at("language"), "vi");
  EXPECT_EQ(family.at("guardians").at(0).at("phone"), "+12025550111");
  EXPECT_EQ(family.at("students").at(0).at("grade"), "KG");
}

TEST_F(families_test, indexes_follow_the_family_when_it_changes_school) {
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", nguyen).status, 201u);
  EXPECT_EQ(redis_.cli({"SMEMBERS", "liaison:{d}:idx:school:lincoln-es"}), "fam-7");
  std::string moved = nguyen;
  moved.replace(moved.find("lincoln-es"), 10, "washington");
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", moved).status, 200u);
  EXPECT_EQ(redis_.cli({"SMEMBERS", "liaison:{d}:idx:school:lincoln-es"}), "");
  EXPECT_EQ(redis_.cli({"SMEMBERS", "liaison:{d}:idx:school:washington"}), "fam-7");
  EXPECT_EQ(redis_.cli({"SMEMBERS", "liaison:{d}:idx:tag:parent-academy"}), "fam-7");
}

TEST_F(families_test, invalid_family_is_422_and_nothing_is_written) {
  const auto reply = call("PUT", "/v1/families/fam-8",
                          R"({"guardians": [{"id": "g", "name": "X", "language": "??",
                                             "phone": "555"}]})");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_EQ(redis_.cli({"EXISTS", "liaison:{d}:family:fam-8"}), "0");
}

TEST_F(families_test, opt_outs_survive_a_replace_of_the_family) {
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", nguyen).status, 201u);
  redis_.cli({"SADD", "liaison:{d}:optout:sms", "+12025550111"});  // the guardian texted STOP
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", nguyen).status, 200u);
  const auto family = boost::json::parse(call("GET", "/v1/families/fam-7", "").body);
  EXPECT_EQ(family.at("guardians").at(0).at("opted_out"), boost::json::array({"sms"}));
}

TEST_F(families_test, school_key_reaches_only_its_schools_families) {
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", nguyen, school_key).status, 201u);
  std::string elsewhere = nguyen;
  elsewhere.replace(elsewhere.find("lincoln-es"), 10, "washington");
  EXPECT_EQ(call("PUT", "/v1/families/fam-9", elsewhere, school_key).status, 403u);
  ASSERT_EQ(call("PUT", "/v1/families/fam-9", elsewhere).status, 201u);
  EXPECT_EQ(call("GET", "/v1/families/fam-9", "", school_key).status, 404u);
  EXPECT_EQ(call("PUT", "/v1/families/fam-9", nguyen, school_key).status, 403u);
  EXPECT_EQ(call("DELETE", "/v1/families/fam-7", "", school_key).status, 403u);
}

TEST_F(families_test, delete_removes_the_family_and_its_index_entries) {
  ASSERT_EQ(call("PUT", "/v1/families/fam-7", nguyen).status, 201u);
  EXPECT_EQ(call("DELETE", "/v1/families/fam-7", "").status, 204u);
  EXPECT_EQ(call("GET", "/v1/families/fam-7", "").status, 404u);
  EXPECT_EQ(call("DELETE", "/v1/families/fam-7", "").status, 404u);
  EXPECT_EQ(redis_.cli({"SMEMBERS", "liaison:{d}:idx:school:lincoln-es"}), "");
}

TEST_F(families_test, contacts_are_partners_and_volunteers_reached_by_tag) {
  const auto created = call("PUT", "/v1/contacts/food-bank",
                            R"({"name": "Westside Food Bank", "language": "es", "kind": "partner",
                                "email": "info@foodbank.example.org", "tags": ["parent-academy"]})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto contact = boost::json::parse(created.body);
  EXPECT_EQ(contact.at("id"), "food-bank");
  EXPECT_EQ(contact.at("kind"), "partner");
  EXPECT_EQ(contact.at("tags"), boost::json::array({"parent-academy"}));
  EXPECT_EQ(contact.at("channels"), boost::json::array({"email"}));
  // In the same indexes as families, so an announcement to a tag reaches both.
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:idx:tag:parent-academy", "contact:food-bank"}),
            "1");
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:idx:tag:partner", "contact:food-bank"}), "1");

  const auto bad = call("PUT", "/v1/contacts/tutor-1",
                        R"({"name": "T", "language": "??", "kind": "coach", "phone": "555"})");
  EXPECT_EQ(bad.status, 422u);
  EXPECT_THAT(bad.body, ::testing::HasSubstr("\"field\":\"phone\""));
  EXPECT_THAT(bad.body, ::testing::HasSubstr("\"field\":\"kind\""));
  EXPECT_THAT(bad.body, ::testing::HasSubstr("\"field\":\"language\""));

  EXPECT_EQ(call("GET", "/v1/contacts/food-bank", "", school_key).status, 403u);
  EXPECT_EQ(call("PUT", "/v1/families/contact:food-bank", nguyen).status, 422u);
  EXPECT_EQ(call("DELETE", "/v1/contacts/food-bank", "").status, 204u);
  EXPECT_EQ(call("GET", "/v1/contacts/food-bank", "").status, 404u);
}

}  // namespace
}  // namespace liaison::testing
