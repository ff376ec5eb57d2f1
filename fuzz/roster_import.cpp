// Roster import (daemon/services/roster_import.hpp): a district's OneRoster users.csv (or NDJSON
// families) streamed into POST /v1/families/import. The parser must give the same families and
// errors however the body is cut into pieces (its documented promise: "any boundary is fine"),
// and every family it hands out must survive the store's round trip.
//
// Input: byte 0 picks the format (NDJSON one time in four), the piece size (1 to 64 bytes) and
// small or default limits; the rest is the body.
#include "daemon/services/roster_import.hpp"

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "daemon/services/family.hpp"
#include "fuzz/fuzz_target.hpp"

namespace {

using namespace liaison;

struct import_result {
  std::vector<services::family> families;
  std::vector<services::import_error> errors;
  bool failed = false;
  std::string fatal;
  std::size_t rows = 0;
};

import_result import(services::roster_format format, std::string_view body, std::size_t piece,
                     services::roster_limits limits) {
  services::roster_parser parser(format, "en", "US", limits);
  import_result out;
  const auto take = [&](std::size_t batch) {
    for (auto& f : parser.take_families(batch)) {
      out.families.push_back(std::move(f));
    }
    for (auto& e : parser.take_errors()) {
      out.errors.push_back(std::move(e));
    }
  };
  for (std::size_t at = 0; at < body.size(); at += piece) {
    parser.feed(body.substr(at, piece));
    take(5);
  }
  parser.finish();
  // As the handler does: batches until done (each take validates at most a batch).
  for (std::size_t batches = 0; !parser.done(); ++batches) {
    fuzz::check(batches <= body.size() + 1, "take_families ends");
    take(3);
  }
  take(3);
  out.failed = parser.failed();
  out.fatal = parser.fatal_error();
  out.rows = parser.rows_seen();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fuzz::check;
  if (size < 1) {
    return 0;
  }
  const auto format =
      (data[0] & 3) == 3 ? services::roster_format::ndjson : services::roster_format::csv;
  const std::size_t piece = 1 + (data[0] >> 2);
  services::roster_limits limits;
  if ((data[0] & 3) == 2) {
    limits.max_field_bytes = 40;
    limits.max_rows = 6;
  }
  const auto body = fuzz::as_text(data + 1, size - 1);

  const auto whole = import(format, body, body.size() + 1, limits);
  const auto pieces = import(format, body, piece, limits);
  // The line hint too ("row 6 (from line 5): …"): a CSV line ends at LF, CRLF or a bare CR,
  // wherever the body was cut.
  check(whole.failed == pieces.failed && whole.fatal == pieces.fatal,
        "a fatal error does not depend on how the body is cut");
  check(whole.rows == pieces.rows, "rows_seen does not depend on how the body is cut");
  if (format == services::roster_format::csv || !whole.failed) {
    // NDJSON hands out families as their lines complete, so after a fatal error the families
    // taken before it depend on the pieces; a CSV imports nothing then.
    check(whole.families == pieces.families, "the families do not depend on how the body is cut");
    check(whole.errors == pieces.errors, "the errors do not depend on how the body is cut");
  }
  if (format == services::roster_format::csv && whole.failed) {
    check(whole.families.empty(), "a failed CSV import imports nothing");
  }
  for (const auto& f : whole.families) {
    check(!f.id.empty(), "a family has an id");
    // A PUT body may say "guardians": [] (NDJSON lines are PUT bodies); a CSV family never.
    check(format == services::roster_format::ndjson || !f.guardians.empty(),
          "a CSV family has a guardian");
    const auto stored = boost::json::serialize(services::to_json(f, true));
    const auto back = services::family_from_stored_json(stored);
    check(back.has_value(), "a family read from a roster can be read back from the store");
    check(*back == f, "the store gives back the family that was stored");
  }
  return 0;
}
