// POST /v1/families/import against the real liaisond and a private redis-server: a OneRoster
// users.csv with good and bad rows, re-import as an upsert, NDJSON, and who may upload.
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

using ::testing::HasSubstr;

constexpr const char* coordinator_key = "roster-coordinator-key";
constexpr const char* school_key = "roster-school-key";

// Three households in Spanish, Arabic and Vietnamese, linked from either side; a teacher row
// (skipped); and three bad rows: too few fields, an unknown language, an invalid phone.
constexpr const char* users_csv =
    "\xEF\xBB\xBF"
    "sourcedId,status,role,givenName,familyName,email,sms,phone,agentSourcedIds,orgSourcedIds,"
    "grades,metadata.language,metadata.timezone,metadata.channels\r\n"
    "s-1,active,student,Ana,López,,,,p-1,lincoln-es,03,,,\r\n"
    "s-2,active,student,Luis,López,,,,,lincoln-es,05,,,\r\n"
    "p-1,active,parent,María,López,maria@example.org,(202) 555-0143,,s-2,,,es-MX,"
    "America/Chicago,sms;email\r\n"
    "s-3,active,student,Omar,Haddad,,,,,lincoln-es,KG,,,\r\n"
    "p-3,active,guardian,Layla,Haddad,,+12025550177,,s-3,,,ar,America/New_York,sms\r\n"
    "s-4,active,student,Minh,Nguyễn,,,,p-4,parks-ms,07,,,\r\n"
    "p-4,active,parent,Lan,Nguyễn,lan@example.org,,,,,,vi,,email\r\n"
    "t-1,active,teacher,Ms,Rivera,rivera@example.org,,,,lincoln-es,,,,\r\n"
    "s-5,active,student,Too,Few\r\n"
    "p-6,active,parent,Bad,Language,,+12025550188,,s-3,,,xx-nonsense-language,,\r\n"
    "p-7,active,parent,Bad,Phone,,555,,s-4,,,en,,\r\n";

class roster_upload_test : public ::testing::Test {
 protected:
  void SetUp() override {
    liaisond_config(port_, redis_.socket_path())
        // Uploads have their own limit, above the one for other requests.
        .http("max_body_bytes = 600\nmax_import_bytes = 8000\n")
        .api_key("office", "coordinator", coordinator_key)
        .api_key("lincoln", "school", school_key, {"lincoln-es"})
        .outbox(dir_.path(), {"sms"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  http_reply upload(const std::string& body, const std::string& type,
                    const std::string& key = coordinator_key) {
    return send_http(port_, {"POST",
                             "/v1/families/import",
                             body,
                             {{"Authorization", "Bearer " + key}, {"Content-Type", type}}});
  }

  http_reply get(const std::string& target) {
    return call_api(port_, "GET", target, "", coordinator_key);
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(roster_upload_test, csv_rows_become_families_and_bad_rows_are_reported_by_row) {
  const auto reply = upload(users_csv, "text/csv; charset=utf-8");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto report = boost::json::parse(reply.body).as_object();
  EXPECT_EQ(report.at("families").at("created").as_int64(), 3);
  EXPECT_EQ(report.at("families").at("updated").as_int64(), 0);
  std::map<std::int64_t, std::string> field_by_row;
  for (const auto& e : report.at("errors").as_array()) {
    field_by_row[e.at("row").as_int64()] = std::string(e.at("field").as_string());
  }
  EXPECT_EQ(field_by_row.size(), 3u) << reply.body;
  EXPECT_TRUE(field_by_row.contains(10)) << reply.body;            // s-5: too few fields
  EXPECT_EQ(field_by_row[11], "metadata.language") << reply.body;  // p-6
  EXPECT_EQ(field_by_row[12], "sms") << reply.body;                // p-7

  // The López household: linked from both sides, named after its smallest student id.
  const auto lopez = get("/v1/families/f-s-1");
  ASSERT_EQ(lopez.status, 200u) << lopez.body;
  const auto family = boost::json::parse(lopez.body);
  EXPECT_EQ(family.at("students").as_array().size(), 2u);
  EXPECT_EQ(family.at("guardians").at(0).at("language"), "es-MX");
  EXPECT_EQ(family.at("guardians").at(0).at("phone"), "+12025550143");
  // The indexes announcements use are in place.
  EXPECT_EQ(redis_.cli({"SCARD", "liaison:{d}:idx:school:lincoln-es"}), "2");
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:idx:language:ar", "f-s-3"}), "1");

  // The same file again is an upsert: nothing new.
  const auto again = upload(users_csv, "text/csv");
  ASSERT_EQ(again.status, 200u);
  const auto second = boost::json::parse(again.body);
  EXPECT_EQ(second.at("families").at("created").as_int64(), 0);
  EXPECT_EQ(second.at("families").at("updated").as_int64(), 3);
}

TEST_F(roster_upload_test, ndjson_families_are_stored_and_bad_lines_reported) {
  const std::string ndjson =
      R"({"id": "fam-1", "guardians": [{"id": "g-1", "name": "Lan", "language": "vi", "phone": "+12025550111"}], "students": [{"id": "s-1", "school": "lincoln-es"}]})"
      "\n"
      R"({"id": "fam-2", "guardians": [{"id": "g-2", "name": "X", "language": "vi", "phone": "12"}]})"
      "\n"
      "not json\n";
  const auto reply = upload(ndjson, "application/x-ndjson");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto report = boost::json::parse(reply.body);
  EXPECT_EQ(report.at("families").at("created").as_int64(), 1);
  EXPECT_EQ(report.at("errors_total").as_int64(), 2);
  EXPECT_EQ(get("/v1/families/fam-1").status, 200u);
  EXPECT_EQ(get("/v1/families/fam-2").status, 404u);
}

TEST_F(roster_upload_test, a_roster_without_its_required_columns_imports_nothing) {
  const auto reply = upload("id,name\n1,x\n", "text/csv");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("sourcedId"));
  EXPECT_EQ(redis_.cli({"KEYS", "liaison:{d}:family:*"}), "");
}

TEST_F(roster_upload_test, uploads_over_their_own_limit_are_refused) {
  ASSERT_GT(std::string(users_csv).size(), 600u);  // over max_body_bytes, accepted above
  std::string big;
  while (big.size() <= 8000) {
    big +=
        R"({"id": "fam-1", "guardians": [{"id": "g-1", "name": "L", "language": "vi", "phone": "+12025550111"}]})";
    big += "\n";
  }
  EXPECT_EQ(upload(big, "application/x-ndjson").status, 413u);
}

TEST_F(roster_upload_test, only_coordinators_and_admins_upload_rosters_of_known_types) {
  EXPECT_EQ(upload(users_csv, "text/csv", school_key).status, 403u);
  EXPECT_EQ(upload(users_csv, "application/pdf").status, 415u);
  EXPECT_EQ(redis_.cli({"KEYS", "liaison:{d}:family:*"}), "");
}

}  // namespace
}  // namespace liaison::testing
