// A OneRoster users.csv with broken quoting: the import is refused as a whole (422
// roster-unreadable naming the row and line), although valid families come before the broken
// row — nothing of the file is stored.
#include <string>
#include <vector>

#include "tests/integration/bad_input/bad_input_fixture.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;

const std::string header =
    "sourcedId,role,givenName,familyName,agentSourcedIds,orgSourcedIds,sms,metadata.language\n";
const std::string valid_rows =
    "s-1,student,Ana,Ruiz,g-1,lincoln-es,,\n"
    "g-1,parent,Luz,Ruiz,s-1,lincoln-es,+12025550143,es\n";
const std::string later_rows = "g-2,parent,Kim,Lee,s-2,lincoln-es,+12025550144,ko\n";

http_reply import_csv(std::uint16_t port, const std::string& body) {
  return send_http(port, {"POST",
                          "/v1/families/import",
                          body,
                          {{"Authorization", "Bearer " + std::string(coordinator_key)},
                           {"Content-Type", "text/csv"}}});
}

TEST_F(bad_input_test, csv_with_broken_quoting_is_refused_with_its_line_and_stores_nothing) {
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"s-2,student,\"Bo\"b,Lee,g-2,lincoln-es,,\n", "row 4 (line 4): misplaced quote"},
      {"s-2,student,Bo\"b,Lee,g-2,lincoln-es,,\n", "row 4 (line 4): misplaced quote"},
      {"s-2,student,\"Bob,Lee,g-2,lincoln-es,,\n",
       "row 4 (from line 4): a quoted field is not closed"},
  };
  for (const auto& [row, detail] : broken) {
    SCOPED_TRACE(row);
    const auto reply = import_csv(port_, header + valid_rows + row + later_rows);
    const auto problem = expect_problem(reply, 422);
    if (!problem.empty()) {
      EXPECT_EQ(problem.at("type"), "urn:liaison:problem:roster-unreadable");
      EXPECT_THAT(std::string(problem.at("detail").as_string()), HasSubstr(detail));
    }
  }
  expect_nothing_written_and_daemon_healthy();
  // The same file with the quoting mended imports both families.
  const auto mended = import_csv(
      port_, header + valid_rows + "s-2,student,\"Bo\"\"b\",Lee,g-2,lincoln-es,,\n" + later_rows);
  ASSERT_EQ(mended.status, 200u) << mended.body;
  EXPECT_EQ(boost::json::parse(mended.body).at("families").at("created"), 2);
}

TEST_F(bad_input_test, csv_that_is_not_a_roster_stores_nothing) {
  const std::vector<std::string> bodies = {
      "",                             // empty
      "\"sourcedId,role\n",           // the header's quote never closes
      "a,b,c\n1,2,3\n",               // no required column
      std::string(2000, ',') + "\n",  // a header of empty names
      "sourcedId,role,givenName,familyName,agentSourcedIds,orgSourcedIds\n" +
          std::string(100 * 1024, 'x') + "\n",  // a field over 64 KiB
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body.substr(0, 60));
    expect_problem(import_csv(port_, body), 422);
  }
  expect_nothing_written_and_daemon_healthy();
}

}  // namespace
}  // namespace liaison::testing
