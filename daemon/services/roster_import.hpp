// The roster import behind POST /v1/families/import: turns a streamed body — OneRoster 1.1
// users.csv or NDJSON families — into validated families and per-row errors, without I/O.
// The rules (family ids, default channels, error rows) are written down in
// docs/roster-import.md.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/services/family.hpp"

namespace liaison::services {

// A problem with one record of the body. The record is dropped (or, in a CSV, only the
// guardian or student of that row), the rest of the import goes on.
struct import_error {
  std::size_t row;    // CSV: record number, the header is row 1; NDJSON: 1-based line number
  std::string field;  // CSV column ("sms", "metadata.language") or NDJSON JSON path; empty =
                      // the whole row
  std::string message;

  bool operator==(const import_error&) const = default;
};

enum class roster_format { csv, ndjson };

// text/csv → csv; application/x-ndjson, application/ndjson → ndjson (parameters such as
// charset are ignored); anything else → nullopt.
std::optional<roster_format> roster_format_from_content_type(std::string_view content_type);

// Every read has a size limit: a longer NDJSON line is an error of that line; a longer CSV field
// or more rows are fatal.
struct roster_limits {
  std::size_t max_field_bytes = 64 * 1024;  // one CSV field or one NDJSON line
  std::size_t max_rows = 1'000'000;         // data rows (CSV) or non-blank lines (NDJSON)
};

// Feed it the body piece by piece, as it arrives; it never holds the whole text. NDJSON
// families are ready as soon as their line is complete. CSV families can only be linked after
// finish(), because a family's rows may be anywhere in the file (only a compact record per user
// is kept until then); they are validated as they are taken, so that a handler on the event
// loop can take them in batches and yield in between:
//
//   parser.finish();
//   while (!parser.done()) { store(parser.take_families(500)); /* yield */ }
class roster_parser {
 public:
  // `default_language` is given to guardians whose metadata.language is empty (CSV only; NDJSON
  // lines are validated exactly like a PUT body). `default_phone_region` applies to numbers
  // written without "+".
  roster_parser(roster_format format, std::string default_language,
                std::string default_phone_region = "US", roster_limits limits = {});
  roster_parser(roster_parser&&) noexcept;
  roster_parser& operator=(roster_parser&&) noexcept;
  ~roster_parser();

  // The next piece of the body; any boundary is fine, even inside a UTF-8 character or a quoted
  // field. Ignored once failed(); a bug after finish().
  void feed(std::string_view chunk);
  // The end of the body: the last line or row is read and CSV users are linked into families.
  // Call it once.
  void finish();

  // Moves out at most `max_families` valid families: NDJSON, those whose line is complete; CSV,
  // after finish(), the next `max_families` families, validated now (fewer come out when some
  // are invalid, their errors go to take_errors()). Nothing once failed().
  std::vector<family> take_families(
      std::size_t max_families = std::numeric_limits<std::size_t>::max());
  // After finish(): whether every family has been taken (or the import failed), so every
  // error has been found.
  bool done() const;
  // Moves out the errors found so far: in row order for each batch (rows read, then each
  // take_families of a CSV import).
  std::vector<import_error> take_errors();

  // Data rows (CSV, the header not counted) or non-blank lines (NDJSON) read so far.
  std::size_t rows_seen() const;
  // A fatal problem (a CSV header without a required column, a field or row count over the
  // limit): a CSV import then imports nothing; NDJSON stops at that point (families taken
  // before are the caller's).
  bool failed() const;
  const std::string& fatal_error() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace liaison::services
