#include "daemon/services/roster_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

namespace liaison::services {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr std::size_t whole = std::numeric_limits<std::size_t>::max();

struct import_result {
  std::vector<family> families;
  std::vector<import_error> errors;
  bool failed = false;
  std::string fatal;
  std::size_t rows = 0;
};

// Feeds `text` in pieces of `chunk` bytes, as an HTTP body would arrive.
import_result import(roster_format format, std::string_view text, std::size_t chunk = whole,
                     roster_limits limits = {}, std::string default_language = "en") {
  roster_parser parser(format, std::move(default_language), "US", limits);
  import_result result;
  auto take = [&] {
    for (auto& f : parser.take_families()) {
      result.families.push_back(std::move(f));
    }
    for (auto& e : parser.take_errors()) {
      result.errors.push_back(std::move(e));
    }
  };
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    parser.feed(text.substr(at, chunk));
    take();
  }
  parser.finish();
  take();
  result.failed = parser.failed();
  result.fatal = parser.fatal_error();
  result.rows = parser.rows_seen();
  return result;
}

import_result import_csv(std::string_view text, std::size_t chunk = whole,
                         roster_limits limits = {}) {
  return import(roster_format::csv, text, chunk, limits);
}

auto error_at(std::size_t row, std::string field) {
  return AllOf(Field(&import_error::row, row), Field(&import_error::field, std::move(field)));
}

std::vector<std::string> guardian_ids(const family& f) {
  std::vector<std::string> ids;
  for (const auto& g : f.guardians) {
    ids.push_back(g.id);
  }
  return ids;
}

std::vector<std::string> student_ids(const family& f) {
  std::vector<std::string> ids;
  for (const auto& s : f.students) {
    ids.push_back(s.id);
  }
  return ids;
}

constexpr std::string_view header =
    "sourcedId,status,role,givenName,familyName,email,sms,agentSourcedIds,orgSourcedIds,grades\n";

// Two siblings and two guardians; the links are carried by a student (s-2 → g-1) and by a
// guardian (g-2 → s-1, s-2, comma-separated as some exports do), never by both sides.
const std::string lopez = std::string(header) +
                          "s-2,active,student,Luis,López,,,g-1,lincoln-es,01\n"
                          "g-1,active,parent,María,López,maria@example.org,(202) 555-0143,,,\n"
                          "s-1,active,student,Ana,López,,,,lincoln-es;washington-ms,03\n"
                          "g-2,active,guardian,José,López,,+1 202 555 0199,\"s-1,s-2\",,\n";

TEST(RosterContentType, maps_csv_and_ndjson_media_types_ignoring_parameters) {
  EXPECT_EQ(roster_format_from_content_type("text/csv"), roster_format::csv);
  EXPECT_EQ(roster_format_from_content_type("Text/CSV; charset=utf-8"), roster_format::csv);
  EXPECT_EQ(roster_format_from_content_type("application/x-ndjson"), roster_format::ndjson);
  EXPECT_EQ(roster_format_from_content_type("application/ndjson;charset=UTF-8"),
            roster_format::ndjson);
  EXPECT_EQ(roster_format_from_content_type("application/json"), std::nullopt);
  EXPECT_EQ(roster_format_from_content_type(""), std::nullopt);
}

TEST(RosterCsv, students_and_guardians_linked_from_either_side_form_one_family) {
  const auto r = import_csv(lopez);
  ASSERT_FALSE(r.failed) << r.fatal;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.families, SizeIs(1));
  const auto& f = r.families[0];
  EXPECT_EQ(f.id, "f-s-1");  // the smallest student id, wherever its row is
  EXPECT_THAT(guardian_ids(f), ElementsAre("g-1", "g-2"));
  EXPECT_THAT(student_ids(f), ElementsAre("s-2", "s-1"));
  EXPECT_EQ(r.rows, 4u);
}

TEST(RosterCsv, guardian_and_student_fields_come_from_their_columns) {
  const auto r = import_csv(lopez);
  ASSERT_THAT(r.families, SizeIs(1));
  const auto& maria = r.families[0].guardians[0];
  EXPECT_EQ(maria.name, "María López");
  EXPECT_EQ(maria.phone, "+12025550143");
  EXPECT_EQ(maria.email, "maria@example.org");
  EXPECT_EQ(maria.language, "en");  // no metadata.language: the district default
  // No metadata.channels: every channel there is an address for.
  EXPECT_THAT(maria.channels,
              ElementsAre(config::channel::sms, config::channel::voice, config::channel::email));
  const auto& ana = r.families[0].students[1];
  EXPECT_EQ(ana.name, "Ana López");
  EXPECT_EQ(ana.school, "lincoln-es");  // the first of orgSourcedIds
  EXPECT_EQ(ana.grade, "03");
}

TEST(RosterCsv, metadata_columns_set_language_time_zone_and_channels) {
  const auto r = import_csv(
      "sourcedId,role,givenName,familyName,agentSourcedIds,orgSourcedIds,phone,email,"
      "metadata.language,metadata.timezone,metadata.channels\n"
      "g-1,parent,Lan,Nguyen,s-1,,2025550143,lan@example.org,vi_VN,America/Chicago,sms;email\n"
      "s-1,student,Minh,Nguyen,,lincoln-es,,,,,\n");
  ASSERT_THAT(r.families, SizeIs(1)) << (r.errors.empty() ? "" : r.errors[0].message);
  const auto& g = r.families[0].guardians[0];
  EXPECT_EQ(g.language, "vi-VN");
  EXPECT_EQ(g.time_zone, "America/Chicago");
  EXPECT_EQ(g.phone, "+12025550143");  // the phone column when there is no sms column
  EXPECT_THAT(g.channels, ElementsAre(config::channel::sms, config::channel::email));
}

TEST(RosterCsv, family_without_students_takes_the_smallest_guardian_id) {
  const auto r = import_csv(std::string(header) +
                            "g-9,active,parent,A,B,a@example.org,,g-3,,\n"
                            "g-3,active,relative,C,D,c@example.org,,,,\n");
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].id, "f-g-3");
  EXPECT_THAT(r.families[0].students, IsEmpty());
}

TEST(RosterCsv, separate_components_become_separate_families_in_order_of_their_first_row) {
  const auto r = import_csv(std::string(header) +
                            "s-b,active,student,B,Y,,,g-b,lincoln-es,01\n"
                            "s-a,active,student,A,X,,,g-a,lincoln-es,02\n"
                            "g-a,active,parent,GA,X,a@example.org,,,,\n"
                            "g-b,active,parent,GB,Y,b@example.org,,,,\n");
  ASSERT_THAT(r.families, SizeIs(2));
  EXPECT_EQ(r.families[0].id, "f-s-b");
  EXPECT_EQ(r.families[1].id, "f-s-a");
}

TEST(RosterCsv, quoted_fields_keep_commas_and_newlines_and_rows_count_records_not_lines) {
  const auto r = import_csv(std::string(header) +
                            "s-1,active,student,\"Ana, \"\"Anita\"\"\",\"López\nGarcía\",,,g-1,"
                            "lincoln-es,03\n"
                            "g-1,active,parent,María,López,maria@example.org,12,,,\n");
  // Row 3 although it is line 4; without its only guardian the student is not imported.
  EXPECT_THAT(r.errors, ElementsAre(error_at(2, "agentSourcedIds"), error_at(3, "sms")));
  EXPECT_THAT(r.families, IsEmpty());
  const auto r2 = import_csv(std::string(header) +
                             "s-1,active,student,\"Ana, \"\"Anita\"\"\",\"López\nGarcía\",,,g-1,"
                             "lincoln-es,03\n"
                             "g-1,active,parent,María,López,maria@example.org,,,,\n");
  ASSERT_THAT(r2.families, SizeIs(1));
  EXPECT_EQ(r2.families[0].students[0].name, "Ana, \"Anita\" López\nGarcía");
}

TEST(RosterCsv, broken_quoting_is_fatal_with_its_row_and_line_and_nothing_is_imported) {
  // Row 3 is line 4: row 2's quoted name spans two lines.
  const std::string before = std::string(header) +
                             "s-1,active,student,\"Ana\nMaría\",López,,,g-1,lincoln-es,03\n"
                             "g-1,active,parent,María,López,maria@example.org,,,,\n";
  const std::string after = "g-2,active,parent,José,Ng,jose@example.org,,s-3,,\n";
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"s-3,active,student,\"Zoë\"x,Ng,,,g-2,lincoln-es,KG\n", "row 4 (line 5): misplaced quote"},
      {"s-3,active,student,Zo\"ë,Ng,,,g-2,lincoln-es,KG\n", "row 4 (line 5): misplaced quote"},
      {"s-3,active,student,\"Zoë,Ng,,,g-2,lincoln-es,KG\n",
       "row 4 (from line 5): a quoted field is not closed by the end of the file"},
  };
  for (const auto& [row, message] : broken) {
    SCOPED_TRACE(row);
    for (const std::size_t chunk : {whole, std::size_t{1}, std::size_t{7}}) {
      const auto r = import_csv(before + row + after, chunk);
      EXPECT_TRUE(r.failed);
      EXPECT_THAT(r.fatal, HasSubstr(message));
      EXPECT_THAT(r.families, IsEmpty());
    }
  }
}

TEST(RosterCsv, a_bare_cr_ends_a_line_so_the_line_hint_does_not_depend_on_the_pieces) {
  // Line 2 ends at a bare CR; the record on line 3 opens a quote that never closes.
  const std::string body = std::string(header) +
                           "g-1,active,parent,Ana,López,ana@example.org,,,,\r"
                           "s-1,active,student,\"Zoë,Ng,,,g-1,lincoln-es,KG\r\n"
                           "g-2,active,parent,José,Ng,jose@example.org,,,,\n";
  for (const std::size_t chunk : {whole, std::size_t{1}, std::size_t{5}, std::size_t{7}}) {
    SCOPED_TRACE(chunk);
    const auto r = import_csv(body, chunk);
    EXPECT_TRUE(r.failed);
    EXPECT_THAT(
        r.fatal,
        HasSubstr("row 3 (from line 3): a quoted field is not closed by the end of the file"));
  }
  // A misplaced quote on the line after a CRLF cut between its CR and LF.
  const std::string crlf = std::string(header) +
                           "g-1,active,parent,Ana,López,ana@example.org,,,,\r\n"
                           "g-2,active,parent,Jo\"sé,Ng,jose@example.org,,,,\r\n";
  for (const std::size_t chunk : {whole, std::size_t{1}, std::size_t{3}}) {
    SCOPED_TRACE(chunk);
    EXPECT_THAT(import_csv(crlf, chunk).fatal, HasSubstr("row 3 (line 3): misplaced quote"));
  }
}

TEST(RosterCsv, byte_order_mark_and_crlf_line_ends_are_accepted) {
  std::string crlf;
  for (const char c : lopez) {
    if (c == '\n') {
      crlf += '\r';
    }
    crlf += c;
  }
  const auto r = import_csv("\xEF\xBB\xBF" + crlf);
  ASSERT_FALSE(r.failed) << r.fatal;
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.families, import_csv(lopez).families);
}

TEST(RosterCsv, feeding_byte_by_byte_gives_the_same_result_as_the_whole_body) {
  const std::string body =
      "\xEF\xBB\xBF" + lopez +
      "s-3,active,student,\"Zoë, \"\"Z\"\"\",\"Ng\r\nLe\",,,g-3,lincoln-es,KG\n"
      "g-3,active,parent,Bảo,Ng,bao@example.org,12,,,\n"
      "g-4,active,parent,Thu,Ng,thu@example.org,,s-3,,\n"
      "s-4,active,student,Unlinked,,,,g-x,lincoln-es,01\n";
  const auto all = import_csv(body);
  const auto bytes = import_csv(body, 1);
  ASSERT_THAT(all.families, SizeIs(2));
  EXPECT_EQ(bytes.families, all.families);
  EXPECT_EQ(bytes.errors, all.errors);
  EXPECT_EQ(bytes.rows, all.rows);
  EXPECT_EQ(import_csv(body, 7).families, all.families);
}

TEST(RosterCsv, bad_phone_drops_only_that_guardian_and_reports_its_row_and_column) {
  const auto r = import_csv(std::string(header) +
                            "s-1,active,student,Ana,López,,,g-1;g-2,lincoln-es,03\n"
                            "g-1,active,parent,María,López,,(202) 555-0143,,,\n"
                            "g-2,active,parent,José,López,,12,,,\n");
  ASSERT_THAT(r.errors, ElementsAre(error_at(4, "sms")));
  EXPECT_THAT(r.errors[0].message, Not(IsEmpty()));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].id, "f-s-1");
  EXPECT_THAT(guardian_ids(r.families[0]), ElementsAre("g-1"));
  EXPECT_THAT(student_ids(r.families[0]), ElementsAre("s-1"));
}

TEST(RosterCsv, bad_phone_in_the_phone_column_names_that_column) {
  const auto r = import_csv(
      "sourcedId,role,givenName,familyName,agentSourcedIds,orgSourcedIds,phone\n"
      "g-1,parent,A,B,s-1,,12\n"
      "g-2,parent,C,B,s-1,,2025550143\n"
      "s-1,student,D,B,,lincoln-es,\n");
  EXPECT_THAT(r.errors, ElementsAre(error_at(2, "phone")));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_THAT(guardian_ids(r.families[0]), ElementsAre("g-2"));
}

TEST(RosterCsv, bad_student_row_drops_only_that_student) {
  const auto r = import_csv(std::string(header) +
                            "g-1,active,parent,María,López,maria@example.org,,s-1;s-2,,\n"
                            "s-1,active,student,Ana,López,,,,lincoln-es,3rd\n"
                            "s-2,active,student,Luis,López,,,,,01\n"
                            "s-3,active,student,Eva,López,,,g-1,lincoln-es,05\n");
  EXPECT_THAT(r.errors, ElementsAre(error_at(3, "grades"), error_at(4, "orgSourcedIds")));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].id, "f-s-1");  // the id does not depend on which rows are valid
  EXPECT_THAT(student_ids(r.families[0]), ElementsAre("s-3"));
}

TEST(RosterCsv, bad_default_language_is_reported_on_the_guardian_row) {
  const auto r =
      import(roster_format::csv, std::string(header) + "g-1,active,parent,A,B,a@example.org,,,,\n",
             whole, {}, "zz-notreal");
  ASSERT_THAT(r.errors, ElementsAre(error_at(2, "metadata.language")));
  EXPECT_THAT(r.errors[0].message, HasSubstr("default language zz-notreal"));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, student_without_any_guardian_is_an_error_on_its_row) {
  const auto r =
      import_csv(std::string(header) + "s-1,active,student,Ana,López,,,,lincoln-es,03\n");
  ASSERT_THAT(r.errors, ElementsAre(error_at(2, "agentSourcedIds")));
  EXPECT_THAT(r.errors[0].message, HasSubstr("at least one guardian"));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, missing_required_column_is_fatal_and_imports_nothing) {
  const auto r = import_csv(
      "sourcedId,role,givenName,familyName,orgSourcedIds,email\n"
      "g-1,parent,A,B,,a@example.org\n");
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.fatal, HasSubstr("agentSourcedIds"));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, empty_body_is_fatal) {
  EXPECT_TRUE(import_csv("").failed);
  EXPECT_TRUE(import_csv("\xEF\xBB\xBF").failed);
}

TEST(RosterCsv, link_to_an_unknown_id_is_an_error_on_the_linking_row) {
  const auto r = import_csv(std::string(header) +
                            "s-1,active,student,Ana,López,,,g-1;g-404,lincoln-es,03\n"
                            "g-1,active,parent,María,López,maria@example.org,,,,\n");
  ASSERT_THAT(r.errors, ElementsAre(error_at(2, "agentSourcedIds")));
  EXPECT_EQ(r.errors[0].message, "no user with id g-404");
  EXPECT_THAT(r.families, SizeIs(1));  // the known link still counts
}

TEST(RosterCsv, duplicate_sourced_id_is_an_error_on_the_later_row) {
  const auto r = import_csv(std::string(header) +
                            "g-1,active,parent,María,López,maria@example.org,,,,\n"
                            "g-1,active,parent,Other,Person,other@example.org,,,,\n");
  ASSERT_THAT(r.errors, ElementsAre(error_at(3, "sourcedId")));
  EXPECT_THAT(r.errors[0].message, HasSubstr("row 2"));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].guardians[0].name, "María López");
}

TEST(RosterCsv, missing_sourced_id_is_an_error) {
  const auto r = import_csv(std::string(header) + ",active,parent,A,B,a@example.org,,,,\n");
  EXPECT_THAT(r.errors, ElementsAre(error_at(2, "sourcedId")));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, teacher_rows_are_skipped_and_links_to_them_are_not_errors) {
  const auto r = import_csv(std::string(header) +
                            "t-1,active,teacher,Ms,Frizzle,frizzle@example.org,,,lincoln-es,\n"
                            "a-1,active,administrator,Mr,Boss,,12,,,\n"
                            "s-1,active,student,Ana,López,,,g-1;t-1,lincoln-es,03\n"
                            "g-1,active,parent,María,López,maria@example.org,,,,\n");
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_THAT(guardian_ids(r.families[0]), ElementsAre("g-1"));
  EXPECT_EQ(r.rows, 4u);
}

TEST(RosterCsv, row_with_the_wrong_number_of_fields_is_an_error) {
  const auto r = import_csv(std::string(header) +
                            "g-1,active,parent,María,López,maria@example.org\n"
                            "g-2,active,parent,José,López,jose@example.org,,,,\n");
  ASSERT_THAT(r.errors, ElementsAre(error_at(2, "")));
  EXPECT_THAT(r.errors[0].message, HasSubstr("6 fields"));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].id, "f-g-2");
}

TEST(RosterCsv, rows_of_empty_cells_are_skipped_but_still_numbered) {
  const auto r = import_csv(std::string(header) +
                            ",,,,,,,,,\n"
                            "g-1,active,parent,A,B,a@example.org,,s-404,,\n"
                            " , ,,,,,,,,\n");
  EXPECT_THAT(r.errors, ElementsAre(error_at(3, "agentSourcedIds")));
  EXPECT_THAT(r.families, SizeIs(1));
}

TEST(RosterCsv, invalid_utf8_is_an_error_on_its_column) {
  const auto r = import_csv(std::string(header) +
                            "g-1,active,parent,Mar\xED"
                            "a,L,m@example.org,,,,\n");
  EXPECT_THAT(r.errors, ElementsAre(error_at(2, "givenName")));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, field_longer_than_the_limit_is_fatal) {
  const std::string long_name(70 * 1024, 'a');
  const auto r = import_csv(std::string(header) + "g-1,active,parent," + long_name + ",B,,,,,\n");
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.fatal, HasSubstr("row 2"));
  // Also when the field never ends: it is not buffered beyond the limit.
  const auto endless = import_csv(std::string(header) + "g-1,active,parent,\"" + long_name, 4096);
  EXPECT_TRUE(endless.failed);
}

TEST(RosterCsv, field_of_exactly_the_limit_passes_wherever_the_body_is_cut) {
  // libcsv holds a quoted field's closing quote (and blanks after it) until the next byte says
  // whether the field ended: a cut right after the quote must not count it.
  roster_limits limits;
  limits.max_field_bytes = 16;  // the header's longest name is 15
  const std::string body =
      std::string(header) + "g-1,active,parent,\"sixteen bytes ok\"  ,B,,+12025550111,,,\n";
  const auto at_once = import_csv(body, whole, limits);
  EXPECT_FALSE(at_once.failed) << at_once.fatal;
  ASSERT_EQ(at_once.families.size(), 1u);
  for (std::size_t chunk = 1; chunk <= 8; ++chunk) {
    const auto cut = import_csv(body, chunk, limits);
    EXPECT_FALSE(cut.failed) << "chunk " << chunk << ": " << cut.fatal;
    EXPECT_EQ(cut.families, at_once.families) << "chunk " << chunk;
  }
  EXPECT_TRUE(import_csv(std::string(header) + "g-1,active,parent,\"seventeen bytes!!\",B,,,,,\n",
                         1, limits)
                  .failed);
  // More blanks in a row than a field may hold: fatal, however the body is cut.
  const std::string blanks =
      std::string(header) + "g-1,active,parent,x" + std::string(20, ' ') + ",B,,,,,\n";
  for (const std::size_t chunk : {whole, std::size_t{1}, std::size_t{5}}) {
    const auto r = import_csv(blanks, chunk, limits);
    EXPECT_TRUE(r.failed) << "chunk " << chunk;
    EXPECT_THAT(r.fatal, HasSubstr("row 2")) << "chunk " << chunk;
  }
}

TEST(RosterCsv, more_rows_than_the_limit_is_fatal) {
  roster_limits limits;
  limits.max_rows = 2;
  const auto r = import_csv(std::string(header) +
                                "g-1,active,parent,A,B,a@example.org,,,,\n"
                                "g-2,active,parent,A,B,a@example.org,,,,\n"
                                "g-3,active,parent,A,B,a@example.org,,,,\n",
                            whole, limits);
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.fatal, HasSubstr("more than 2 rows"));
  EXPECT_THAT(r.families, IsEmpty());
}

TEST(RosterCsv, families_can_be_taken_in_batches_after_finish) {
  const std::string body = std::string(header) +
                           "s-1,active,student,A,X,,,g-1,lincoln-es,01\n"
                           "g-1,active,parent,B,X,b@example.org,,,,\n"
                           "s-2,active,student,C,Y,,,,lincoln-es,02\n"  // no guardian
                           "g-3,active,parent,D,Z,d@example.org,,,,\n";
  roster_parser parser(roster_format::csv, "en");
  parser.feed(body);
  EXPECT_THAT(parser.take_families(), IsEmpty());  // a CSV family may still gain members
  EXPECT_FALSE(parser.done());
  parser.finish();
  std::vector<std::string> ids;
  std::size_t batches = 0;
  while (!parser.done()) {
    for (const auto& f : parser.take_families(1)) {
      ids.push_back(f.id);
    }
    ++batches;
  }
  EXPECT_THAT(ids, ElementsAre("f-s-1", "f-g-3"));
  EXPECT_EQ(batches, 3u);  // one per family, the invalid one included
  EXPECT_THAT(parser.take_errors(), ElementsAre(error_at(4, "agentSourcedIds")));
}

TEST(RosterCsv, two_hundred_thousand_rows_in_64_kib_pieces_make_forty_thousand_families) {
  // 40,000 families of three students and two guardians, fed in 64 KiB pieces; one family in ten
  // has a guardian with a phone number.
  std::string body(header);
  body.reserve(200'000 * 64);
  for (int k = 0; k < 40'000; ++k) {
    const auto n = std::to_string(k);
    body += "s" + n + "a,active,student,A,N,,,g" + n + "a,lincoln-es,03\n";
    body += "s" + n + "b,active,student,B,N,,,g" + n + "a;g" + n + "b,lincoln-es,05\n";
    body += "s" + n + "c,active,student,C,N,,,,lincoln-es,KG\n";
    body += "g" + n + "a,active,parent,D,N,d" + n + "@example.org,,s" + n + "c,,\n";
    body += "g" + n + "b,active,guardian,E,N,e" + n + "@example.org," +
            (k % 10 == 0 ? "+1" + std::to_string(2025550000 + k % 10'000) : "") + ",,,\n";
  }
  // How fast is measured by bench/, not here (a timed test fails on a loaded machine).
  const auto r = import_csv(body, 64 * 1024);
  ASSERT_FALSE(r.failed) << r.fatal;
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.rows, 200'000u);
  ASSERT_THAT(r.families, SizeIs(40'000));
  EXPECT_EQ(r.families[39'999].id, "f-s39999a");
  EXPECT_THAT(guardian_ids(r.families[39'999]), ElementsAre("g39999a", "g39999b"));
  EXPECT_THAT(student_ids(r.families[39'999]), ElementsAre("s39999a", "s39999b", "s39999c"));
}

TEST(RosterNdjson, each_line_is_a_family_and_errors_carry_the_line_number) {
  const std::string body =
      R"({"id":"fam-1","guardians":[{"id":"g-1","name":"A","language":"es","phone":"2025550143"}]})"
      "\n\n"  // a blank line is skipped but still a line
      R"({"id":"fam-2","guardians":[{"id":"g-2","name":"B","language":"es","phone":"12"}]})"
      "\n"
      "{not json\n"
      R"({"guardians":[{"id":"g-3","name":"C","language":"en","email":"c@example.org"}]})"
      "\r\n"
      R"({"id":"fam-5","guardians":[{"id":"g-5","name":"E","language":"vi","email":"e@example.org"}]})";
  const auto r = import(roster_format::ndjson, body);
  ASSERT_FALSE(r.failed) << r.fatal;
  ASSERT_THAT(r.families, SizeIs(2));
  EXPECT_EQ(r.families[0].id, "fam-1");
  EXPECT_EQ(r.families[1].id, "fam-5");  // the last line needs no newline
  EXPECT_THAT(r.errors,
              ElementsAre(error_at(3, "guardians[0].phone"), error_at(4, ""), error_at(5, "id")));
  EXPECT_EQ(r.rows, 5u);
}

TEST(RosterNdjson, a_family_is_ready_as_soon_as_its_line_ends) {
  roster_parser parser(roster_format::ndjson, "en");
  parser.feed(R"({"id":"fam-1","guardians":[{"id":"g-1","name":"A","language":"es",)");
  EXPECT_THAT(parser.take_families(), IsEmpty());
  parser.feed(R"("email":"a@example.org"}]})"
              "\n{\"id\":");
  EXPECT_THAT(parser.take_families(), SizeIs(1));
}

TEST(RosterNdjson, line_longer_than_the_limit_is_an_error_of_that_line_only) {
  const std::string body = R"({"id":"fam-1","tags":[")" + std::string(70 * 1024, 'a') + "\"]}\n" +
                           R"({"id":"fam-2","guardians":[{"id":"g","name":"B","language":"es",)"
                           R"("email":"b@example.org"}]})"
                           "\n";
  const auto r = import(roster_format::ndjson, body, 1000);
  ASSERT_THAT(r.errors, ElementsAre(error_at(1, "")));
  EXPECT_THAT(r.errors[0].message, HasSubstr("longer than 65536 bytes"));
  ASSERT_THAT(r.families, SizeIs(1));
  EXPECT_EQ(r.families[0].id, "fam-2");
}

}  // namespace
}  // namespace liaison::services
