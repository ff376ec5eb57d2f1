#include "daemon/services/roster_import.hpp"

#include <csv.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <deque>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "daemon/services/json_input.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
// libcsv is fed in slices so that a field that never ends is caught after at most one slice.
constexpr std::size_t csv_slice_bytes = 16 * 1024;
constexpr std::size_t max_header_columns = 1024;
// A row's kept values are indexed with 32 bits; no field limit may get near that.
constexpr std::size_t max_field_limit = 64 * 1024 * 1024;

std::string_view trim(std::string_view s) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto begin = s.find_first_not_of(blanks);
  if (begin == std::string_view::npos) {
    return {};
  }
  return s.substr(begin, s.find_last_not_of(blanks) - begin + 1);
}

char to_lower_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower_ascii(x) == to_lower_ascii(y);
         });
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF): the JSON a
// family is stored as must be readable again.
bool is_valid_utf8(std::string_view s) {
  static constexpr std::uint32_t min_code_point[] = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t continuation = 0;
    std::uint32_t code_point = 0;
    if ((lead & 0xE0) == 0xC0) {
      continuation = 1;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      continuation = 2;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      continuation = 3;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= continuation) {
      return false;
    }
    for (std::size_t k = 1; k <= continuation; ++k) {
      const auto byte = static_cast<unsigned char>(s[i + k]);
      if ((byte & 0xC0) != 0x80) {
        return false;
      }
      code_point = (code_point << 6) | (byte & 0x3F);
    }
    if (code_point < min_code_point[continuation] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += continuation + 1;
  }
  return true;
}

// OneRoster lists (agentSourcedIds, orgSourcedIds, grades) and metadata.channels: `;`-separated,
// though some exports use `,`; blanks around items and empty items are ignored.
template <typename Visit>
void for_each_item(std::string_view list, Visit visit) {
  while (!list.empty()) {
    const auto end = list.find_first_of(";,");
    if (const auto item = trim(list.substr(0, end)); !item.empty()) {
      visit(item);
    }
    if (end == std::string_view::npos) {
      break;
    }
    list.remove_prefix(end + 1);
  }
}

std::string_view first_item(std::string_view list) {
  std::string_view first;
  for_each_item(list, [&](std::string_view item) {
    if (first.empty()) {
      first = item;
    }
  });
  return first;
}

std::string join_name(std::string_view given, std::string_view family_name) {
  given = trim(given);
  family_name = trim(family_name);
  std::string name(given);
  if (!name.empty() && !family_name.empty()) {
    name += ' ';
  }
  name += family_name;
  return name;
}

// The CSV columns read; the first six are required, any other column is ignored.
enum column : std::size_t {
  col_sourced_id,
  col_role,
  col_given_name,
  col_family_name,
  col_agent_sourced_ids,
  col_org_sourced_ids,
  col_email,
  col_sms,
  col_phone,
  col_grades,
  col_language,
  col_time_zone,
  col_channels,
  column_count
};
constexpr std::size_t required_column_count = 6;
constexpr std::array<std::string_view, column_count> column_names = {"sourcedId",
                                                                     "role",
                                                                     "givenName",
                                                                     "familyName",
                                                                     "agentSourcedIds",
                                                                     "orgSourcedIds",
                                                                     "email",
                                                                     "sms",
                                                                     "phone",
                                                                     "grades",
                                                                     "metadata.language",
                                                                     "metadata.timezone",
                                                                     "metadata.channels"};

enum class user_kind : std::uint8_t { student, guardian, ignored };

// What is kept of a CSV row until the end, when families can be linked: only the values a
// family needs, packed in one string (a struct of a dozen std::strings per user would take
// several times the memory for a district of a million users).
enum kept : std::size_t {
  kept_id,
  kept_name,
  kept_email,
  kept_phone,
  kept_language,
  kept_time_zone,
  kept_channels,
  kept_school,
  kept_grade,
  kept_links,
  kept_count
};

struct roster_user {
  std::string values;
  std::array<std::uint32_t, kept_count> ends{};
  std::size_t row = 0;
  user_kind kind = user_kind::ignored;
  bool phone_from_sms = false;  // which column to blame for a bad phone

  std::string_view get(kept k) const {
    const std::uint32_t begin = k == 0 ? 0 : ends[k - 1];
    return std::string_view(values).substr(begin, ends[k] - begin);
  }
  void set(const std::array<std::string_view, kept_count>& items) {
    std::size_t size = 0;
    for (const auto item : items) {
      size += item.size();
    }
    values.reserve(size);
    for (std::size_t k = 0; k < kept_count; ++k) {
      values.append(items[k]);
      ends[k] = static_cast<std::uint32_t>(values.size());
    }
  }
};

// "guardians[1].phone" → {guardian, 1, "phone"}; "students[0]" → {student, 0, ""}.
struct member_path {
  bool guardian;
  std::size_t index;
  std::string_view member;
};

std::optional<member_path> parse_member_path(std::string_view path) {
  member_path parsed{};
  constexpr std::string_view guardians = "guardians[";
  constexpr std::string_view students = "students[";
  if (path.starts_with(guardians)) {
    parsed.guardian = true;
    path.remove_prefix(guardians.size());
  } else if (path.starts_with(students)) {
    parsed.guardian = false;
    path.remove_prefix(students.size());
  } else {
    return std::nullopt;
  }
  const auto close = path.find(']');
  if (close == 0 || close == std::string_view::npos) {
    return std::nullopt;
  }
  parsed.index = 0;
  for (const char c : path.substr(0, close)) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    parsed.index = parsed.index * 10 + static_cast<std::size_t>(c - '0');
  }
  path.remove_prefix(close + 1);
  if (path.starts_with('.')) {
    path.remove_prefix(1);
    parsed.member = path.substr(0, path.find_first_of(".["));
  }
  return parsed;
}

// The CSV column a family JSON member of a guardian or student came from.
std::string column_of(const member_path& path, const roster_user& user) {
  const auto m = path.member;
  if (m == "id") {
    return "sourcedId";
  }
  if (m == "name") {
    return "givenName";
  }
  if (path.guardian) {
    if (m == "phone") {
      return user.phone_from_sms ? "sms" : "phone";
    }
    if (m == "email") {
      return "email";
    }
    if (m == "language") {
      return "metadata.language";
    }
    if (m == "time_zone") {
      return "metadata.timezone";
    }
    if (m == "channels") {
      return "metadata.channels";
    }
  } else {
    if (m == "school") {
      return "orgSourcedIds";
    }
    if (m == "grade") {
      return "grades";
    }
  }
  return {};
}

}  // namespace

std::optional<roster_format> roster_format_from_content_type(std::string_view content_type) {
  const auto type = trim(content_type.substr(0, content_type.find(';')));
  if (equals_ignoring_case(type, "text/csv")) {
    return roster_format::csv;
  }
  if (equals_ignoring_case(type, "application/x-ndjson") ||
      equals_ignoring_case(type, "application/ndjson")) {
    return roster_format::ndjson;
  }
  return std::nullopt;
}

struct roster_parser::impl {
  impl(roster_format format, std::string default_language, std::string default_phone_region,
       roster_limits limits)
      : format_(format),
        default_language_(std::move(default_language)),
        phone_region_(std::move(default_phone_region)),
        limits_(limits) {
    limits_.max_field_bytes = std::min(limits_.max_field_bytes, max_field_limit);
    if (format_ == roster_format::csv) {
      // Strict: a quote inside an unquoted field, text after a closing quote, or a quoted field
      // still open at the end of the body make the file unreadable (RFC 4180). Lenient
      // parsing would guess, and a single stray quote would swallow every later row into one
      // field, importing the rows before it and silently dropping the rest.
      if (csv_init(&csv_, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        throw std::runtime_error("csv_init failed");
      }
      csv_ready_ = true;
    }
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() {
    if (csv_ready_) {
      csv_free(&csv_);
    }
  }

  void feed(std::string_view chunk) {
    if (finished_) {
      throw std::logic_error("roster_parser::feed after finish");
    }
    if (failed_) {
      return;
    }
    if (!start_decided_) {
      // A UTF-8 byte order mark (spreadsheets write one) may itself be split across chunks.
      const auto take = std::min(chunk.size(), utf8_bom.size() - start_.size());
      start_.append(chunk.substr(0, take));
      chunk.remove_prefix(take);
      if (start_.size() < utf8_bom.size() && utf8_bom.starts_with(start_)) {
        return;
      }
      start_decided_ = true;
      if (start_ != utf8_bom) {
        consume(start_);
      }
      start_.clear();
    }
    consume(chunk);
  }

  void finish() {
    if (finished_) {
      throw std::logic_error("roster_parser::finish called twice");
    }
    if (!start_decided_) {
      start_decided_ = true;
      if (start_ != utf8_bom) {
        consume(start_);
      }
    }
    finished_ = true;
    if (failed_) {
      return;
    }
    if (format_ == roster_format::ndjson) {
      if (line_too_long_ || !line_.empty()) {
        end_line();
      }
      return;
    }
    if (csv_fini(&csv_, on_csv_field, on_csv_row, this) != 0 && !failed_) {
      fail("row " + std::to_string(records_ + 1) + " (from line " +
           std::to_string(open_record_line_ == 0 ? csv_line_ : open_record_line_) +
           "): a quoted field is not closed by the end of the file");
    }
    if (failed_) {
      return;
    }
    if (!header_done_) {
      fail("the CSV is empty: the first row must name the columns");
      return;
    }
    link_families();
  }

  void consume(std::string_view data) {
    if (format_ == roster_format::ndjson) {
      consume_ndjson(data);
    } else {
      consume_csv(data);
    }
  }

  // Records a fatal problem; never throws, so the libcsv callbacks can call it from a catch.
  void fail(std::string_view why) noexcept {
    if (failed_) {
      return;
    }
    failed_ = true;
    try {
      fatal_ = why;
    } catch (...) {
      // Out of memory while recording: failed_ still says it; the message stays empty.
    }
  }

  void error(std::size_t row, std::string field, std::string message) {
    errors_.push_back({row, std::move(field), std::move(message)});
  }

  bool count_row() {
    ++rows_seen_;
    if (rows_seen_ > limits_.max_rows) {
      fail("more than " + std::to_string(limits_.max_rows) + " rows");
      return false;
    }
    return true;
  }

  // --- NDJSON: one family per line, produced as soon as the line is complete --------------

  void consume_ndjson(std::string_view data) {
    while (!data.empty() && !failed_) {
      const auto newline = data.find('\n');
      const auto piece = data.substr(0, newline);
      if (!line_too_long_) {
        if (line_.size() + piece.size() > limits_.max_field_bytes) {
          line_too_long_ = true;  // the rest of the line is skipped, not buffered
          std::string().swap(line_);
        } else {
          line_.append(piece);
        }
      }
      if (newline == std::string_view::npos) {
        return;
      }
      end_line();
      data.remove_prefix(newline + 1);
    }
  }

  void end_line() {
    ++line_number_;
    const bool too_long = std::exchange(line_too_long_, false);
    std::string_view text = line_;
    if (text.ends_with('\r')) {
      text.remove_suffix(1);
    }
    if (!too_long && trim(text).empty()) {
      line_.clear();
      return;
    }
    if (!count_row()) {
      return;
    }
    if (too_long) {
      error(line_number_, "",
            "the line is longer than " + std::to_string(limits_.max_field_bytes) + " bytes");
    } else {
      read_family_line(text);
    }
    line_.clear();
  }

  void read_family_line(std::string_view text) {
    auto parsed = parse_json_body(text);
    if (!parsed.value) {
      error(line_number_, "", std::move(parsed.error));
      return;
    }
    const auto* object = parsed.value->if_object();
    if (object == nullptr) {
      error(line_number_, "", "each line must be a JSON object: one family");
      return;
    }
    const auto* id = object->if_contains("id");
    if (id == nullptr || id->is_null()) {
      error(line_number_, "id", "required");
      return;
    }
    if (!id->is_string()) {
      error(line_number_, "id", "must be a string");
      return;
    }
    auto validation = validate_family(id->get_string(), *parsed.value, phone_region_);
    if (!validation.value) {
      for (auto& e : validation.errors) {
        error(line_number_, std::move(e.field), std::move(e.message));
      }
      return;
    }
    families_.push_back(std::move(*validation.value));
  }

  // --- CSV: users are collected row by row, linked into families at the end ---------------

  // libcsv calls C function pointers: these trampolines forward to members and never let an
  // exception cross the C frames (it would be undefined behaviour); it becomes a fatal error.
  static void on_csv_field(void* data, std::size_t size, void* self) noexcept {
    auto& parser = *static_cast<impl*>(self);
    try {
      parser.csv_field(std::string_view(static_cast<const char*>(data), size));
    } catch (const std::exception& e) {
      parser.fail(e.what());
    } catch (...) {
      parser.fail("unexpected error while reading a CSV field");
    }
  }

  static void on_csv_row(int /*terminator*/, void* self) noexcept {
    auto& parser = *static_cast<impl*>(self);
    try {
      parser.csv_row();
    } catch (const std::exception& e) {
      parser.fail(e.what());
    } catch (...) {
      parser.fail("unexpected error while reading a CSV row");
    }
  }

  std::string field_too_long(std::size_t row) const {
    return "row " + std::to_string(row) + ": a field is longer than " +
           std::to_string(limits_.max_field_bytes) + " bytes";
  }

  // Fed to libcsv a line at a time (at most csv_slice_bytes), so a parse error or an open
  // quoted field can be reported with its line number. A line ends at LF, CRLF or a bare CR
  // (libcsv ends a row at either byte), so a slice holds at most one line end, at its end: a
  // record can only start at a slice's start, wherever the body was cut.
  void consume_csv(std::string_view data) {
    while (!data.empty() && !failed_) {
      const auto line_end = data.find_first_of("\r\n");
      auto slice =
          data.substr(0, std::min(line_end == std::string_view::npos ? data.size() : line_end + 1,
                                  csv_slice_bytes));
      // libcsv keeps a field's trailing blanks until it sees whether the field ends, so a run
      // of blanks is limited like a field: found byte by byte (whatever the chunks), after
      // the bytes before it are parsed (an error there comes first).
      bool blank_run_too_long = false;
      for (std::size_t i = 0; i < slice.size(); ++i) {
        if (slice[i] != ' ' && slice[i] != '\t') {
          blank_run_ = 0;
        } else if (++blank_run_ > limits_.max_field_bytes) {
          slice = slice.substr(0, i);
          blank_run_too_long = true;
          break;
        }
      }
      if (open_record_line_ == 0 && slice.find_first_not_of("\r\n") != std::string_view::npos) {
        open_record_line_ = csv_line_;  // a record starts on this line (blank lines are none)
      }
      row_ended_ = false;
      const auto parsed =
          csv_parse(&csv_, slice.data(), slice.size(), on_csv_field, on_csv_row, this);
      if (failed_) {
        return;
      }
      if (parsed != slice.size()) {
        // A field already too long when the bad byte came is reported as such: fed in smaller
        // pieces, the length check below would have stopped the parse before that byte.
        if (csv_.entry_pos > limits_.max_field_bytes + csv_.spaces + 1) {
          fail(field_too_long(records_ + 1));
          return;
        }
        fail("row " + std::to_string(records_ + 1) + " (line " + std::to_string(csv_line_) + "): " +
             (csv_error(&csv_) == CSV_EPARSE
                  ? std::string("misplaced quote: a field in quotes must close before the next "
                                "comma or line end, and a quote inside a field is written twice "
                                "(\"\")")
                  : std::string("unreadable CSV: ") + csv_strerror(csv_error(&csv_))));
        return;
      }
      if (row_ended_) {
        open_record_line_ = 0;
      }
      if (!slice.empty()) {
        // The LF of a CRLF was counted at its CR (the body may have been cut between them).
        const bool lf_after_cr = after_cr_ && slice == "\n";
        if ((slice.back() == '\n' && !lf_after_cr) || slice.back() == '\r') {
          ++csv_line_;
        }
        after_cr_ = slice.back() == '\r';
      }
      // entry_pos is the length of the field libcsv is still reading (part of its public struct),
      // including what it drops if the field ends now: its trailing blanks (`spaces`, at most a
      // blank run) and, after a quote inside a quoted field, that quote. Only a field that will
      // be too long whatever comes next fails here, so the verdict is csv_field's, wherever the
      // body was cut.
      if (blank_run_too_long || csv_.entry_pos > limits_.max_field_bytes + csv_.spaces + 1) {
        fail(field_too_long(records_ + 1));
        return;
      }
      data.remove_prefix(slice.size());
    }
  }

  void csv_field(std::string_view value) {
    if (failed_) {
      return;
    }
    if (value.size() > limits_.max_field_bytes) {
      fail(field_too_long(records_ + 1));
      return;
    }
    if (!header_done_) {
      if (header_.size() == max_header_columns) {
        fail("the header has more than " + std::to_string(max_header_columns) + " columns");
        return;
      }
      header_.emplace_back(trim(value));
      return;
    }
    row_has_content_ = row_has_content_ || !trim(value).empty();
    if (fields_in_row_ < column_of_field_.size() &&
        column_of_field_[fields_in_row_] < column_count) {
      values_[column_of_field_[fields_in_row_]].assign(value);
    }
    ++fields_in_row_;
  }

  void csv_row() {
    if (failed_) {
      return;
    }
    row_ended_ = true;
    ++records_;
    if (!header_done_) {
      read_header();
      return;
    }
    // Spreadsheets often end a sheet with rows of empty cells (",,,,"): not users, not errors.
    if (count_row() && row_has_content_) {
      read_user();
    }
    fields_in_row_ = 0;
    row_has_content_ = false;
    for (auto& v : values_) {
      v.clear();
    }
  }

  void read_header() {
    column_of_field_.assign(header_.size(), column_count);
    for (std::size_t i = 0; i < header_.size(); ++i) {
      for (std::size_t c = 0; c < column_count; ++c) {
        if (!equals_ignoring_case(header_[i], column_names[c])) {
          continue;
        }
        if (has_column_[c]) {
          fail("the header names the column " + std::string(column_names[c]) + " twice");
          return;
        }
        has_column_[c] = true;
        column_of_field_[i] = c;
      }
    }
    std::string missing;
    for (std::size_t c = 0; c < required_column_count; ++c) {
      if (!has_column_[c]) {
        missing += missing.empty() ? "" : ", ";
        missing += column_names[c];
      }
    }
    if (!missing.empty()) {
      fail("the header (row 1) has no column " + missing +
           "; required: sourcedId, role, givenName, familyName, agentSourcedIds, orgSourcedIds");
      return;
    }
    header_columns_ = header_.size();
    std::vector<std::string>().swap(header_);
    header_done_ = true;
  }

  void read_user() {
    const std::size_t row = records_;
    if (fields_in_row_ != header_columns_) {
      error(row, "",
            "the row has " + std::to_string(fields_in_row_) + " fields; the header has " +
                std::to_string(header_columns_));
      return;
    }
    const auto id = trim(values_[col_sourced_id]);
    if (id.empty()) {
      error(row, "sourcedId", "required");
      return;
    }
    if (!is_valid_directory_id(id)) {
      error(row, "sourcedId", "use 1-128 letters, digits, '-', '_', '.' or ':'");
      return;
    }
    if (const auto found = user_of_id_.find(id); found != user_of_id_.end()) {
      error(row, "sourcedId",
            "duplicate: " + std::string(id) + " is already on row " +
                std::to_string(users_[found->second].row));
      return;
    }

    roster_user user;
    user.row = row;
    const auto role = trim(values_[col_role]);
    if (role.empty()) {
      error(row, "role", "required");
    } else if (equals_ignoring_case(role, "student")) {
      user.kind = user_kind::student;
    } else if (equals_ignoring_case(role, "parent") || equals_ignoring_case(role, "guardian") ||
               equals_ignoring_case(role, "relative")) {
      user.kind = user_kind::guardian;
    }  // teachers, aides, administrators… are not part of families: skipped, kept as ignored
    if (user.kind != user_kind::ignored) {
      for (std::size_t c = 0; c < column_count; ++c) {
        if (!is_valid_utf8(values_[c])) {
          error(row, std::string(column_names[c]), "not valid UTF-8; export the file as UTF-8");
          user.kind = user_kind::ignored;
        }
      }
    }

    // An ignored row keeps its id: links to it are not errors, and a later duplicate still is.
    std::array<std::string_view, kept_count> kept_values{};
    kept_values[kept_id] = id;
    std::string name;
    if (user.kind != user_kind::ignored) {
      name = join_name(values_[col_given_name], values_[col_family_name]);
      kept_values[kept_name] = name;
      kept_values[kept_links] = values_[col_agent_sourced_ids];
    }
    if (user.kind == user_kind::guardian) {
      const auto sms = trim(values_[col_sms]);
      user.phone_from_sms = !sms.empty() || !has_column_[col_phone];
      kept_values[kept_phone] = user.phone_from_sms ? sms : trim(values_[col_phone]);
      kept_values[kept_email] = trim(values_[col_email]);
      kept_values[kept_language] = trim(values_[col_language]);
      kept_values[kept_time_zone] = trim(values_[col_time_zone]);
      kept_values[kept_channels] = values_[col_channels];
    } else if (user.kind == user_kind::student) {
      kept_values[kept_school] = first_item(values_[col_org_sourced_ids]);
      kept_values[kept_grade] = first_item(values_[col_grades]);
    }
    user.set(kept_values);
    // A deque never moves its elements, so the id view into the user's values stays valid.
    users_.push_back(std::move(user));
    user_of_id_.emplace(users_.back().get(kept_id), users_.size() - 1);
  }

  // --- CSV families --------------------------------------------------------------------------

  std::size_t find_root(std::vector<std::size_t>& parent, std::size_t i) const {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  // At the end of the body: links users into families (connected components of students and
  // guardians linked from either side). Validating them is left to assemble_families, in
  // batches, because it is the expensive part (phone numbers, language tags).
  void link_families() {
    const std::size_t n = users_.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    for (std::size_t i = 0; i < n; ++i) {
      const auto& user = users_[i];
      if (user.kind == user_kind::ignored) {
        continue;
      }
      for_each_item(user.get(kept_links), [&](std::string_view link) {
        const auto found = user_of_id_.find(link);
        if (found == user_of_id_.end()) {
          error(user.row, "agentSourcedIds", "no user with id " + std::string(link));
        } else if (users_[found->second].kind != user_kind::ignored) {
          parent[find_root(parent, i)] = find_root(parent, found->second);
        }
      });
    }
    std::unordered_map<std::string_view, std::size_t>().swap(user_of_id_);
    // Components numbered in the order of their first row, members in row order.
    constexpr auto none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> component_of_root(n, none);
    std::vector<std::size_t> component(n, none);
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < n; ++i) {
      if (users_[i].kind == user_kind::ignored) {
        continue;
      }
      auto& c = component_of_root[find_root(parent, i)];
      if (c == none) {
        c = sizes.size();
        sizes.push_back(0);
      }
      component[i] = c;
      ++sizes[c];
    }
    component_starts_.assign(sizes.size() + 1, 0);
    std::partial_sum(sizes.begin(), sizes.end(), component_starts_.begin() + 1);
    members_.resize(component_starts_.back());
    auto next = component_starts_;
    for (std::size_t i = 0; i < n; ++i) {
      if (component[i] != none) {
        members_[next[component[i]]++] = i;
      }
    }
    next_component_ = 0;
    std::stable_sort(errors_.begin(), errors_.end(), by_row);
  }

  static bool by_row(const import_error& a, const import_error& b) { return a.row < b.row; }

  bool families_left() const { return next_component_ + 1 < component_starts_.size(); }

  // Validates the next `max_families` linked families.
  void assemble_families(std::size_t max_families) {
    const auto first_new_error = errors_.size();
    for (std::size_t done = 0; done < max_families && families_left(); ++done) {
      const auto c = next_component_++;
      std::vector<const roster_user*> guardians;
      std::vector<const roster_user*> students;
      for (std::size_t m = component_starts_[c]; m < component_starts_[c + 1]; ++m) {
        const auto& user = users_[members_[m]];
        (user.kind == user_kind::guardian ? guardians : students).push_back(&user);
      }
      build_family(std::move(guardians), std::move(students),
                   users_[members_[component_starts_[c]]].row);
    }
    std::stable_sort(errors_.begin() + static_cast<std::ptrdiff_t>(first_new_error), errors_.end(),
                     by_row);
    if (!families_left()) {
      std::deque<roster_user>().swap(users_);
      std::vector<std::size_t>().swap(members_);
    }
  }

  json::object guardian_json(const roster_user& g) const {
    json::object o;
    o["id"] = g.get(kept_id);
    o["name"] = g.get(kept_name);
    const auto language = g.get(kept_language);
    o["language"] = language.empty() ? std::string_view(default_language_) : language;
    if (const auto phone = g.get(kept_phone); !phone.empty()) {
      o["phone"] = phone;
    }
    if (const auto email = g.get(kept_email); !email.empty()) {
      o["email"] = email;
    }
    if (const auto zone = g.get(kept_time_zone); !zone.empty()) {
      o["time_zone"] = zone;
    }
    // Without metadata.channels validate_family chooses every channel there is an address for.
    json::array channels;
    for_each_item(g.get(kept_channels), [&](std::string_view c) { channels.emplace_back(c); });
    if (!channels.empty()) {
      o["channels"] = std::move(channels);
    }
    return o;
  }

  static json::object student_json(const roster_user& s) {
    json::object o;
    o["id"] = s.get(kept_id);
    if (const auto name = s.get(kept_name); !name.empty()) {
      o["name"] = name;
    }
    if (const auto school = s.get(kept_school); !school.empty()) {
      o["school"] = school;
    }
    if (const auto grade = s.get(kept_grade); !grade.empty()) {
      o["grade"] = grade;
    }
    return o;
  }

  json::value family_json(const std::vector<const roster_user*>& guardians,
                          const std::vector<const roster_user*>& students) const {
    json::object o;
    // No "guardians" member at all when there are none, so validate_family reports it.
    if (!guardians.empty()) {
      json::array list;
      for (const auto* g : guardians) {
        list.emplace_back(guardian_json(*g));
      }
      o["guardians"] = std::move(list);
    }
    json::array list;
    for (const auto* s : students) {
      list.emplace_back(student_json(*s));
    }
    o["students"] = std::move(list);
    return o;
  }

  static void drop_marked(std::vector<const roster_user*>& users, const std::vector<bool>& marked) {
    std::vector<const roster_user*> kept;
    for (std::size_t i = 0; i < users.size(); ++i) {
      if (!marked[i]) {
        kept.push_back(users[i]);
      }
    }
    users = std::move(kept);
  }

  // Validates the family with validate_family, the one place families are checked. A guardian
  // or student with errors is dropped and the rest validated again; a problem of the family as
  // a whole drops it.
  void build_family(std::vector<const roster_user*> guardians,
                    std::vector<const roster_user*> students, std::size_t first_row) {
    // The id depends only on who is linked, not on which rows are valid, so a re-import after
    // a fix updates the same family.
    const auto& named = students.empty() ? guardians : students;
    const roster_user* id_source = *std::min_element(
        named.begin(), named.end(), [](const roster_user* a, const roster_user* b) {
          return a->get(kept_id) < b->get(kept_id);
        });
    const std::string family_id = "f-" + std::string(id_source->get(kept_id));
    const bool had_guardians = !guardians.empty();

    for (;;) {
      auto validation = validate_family(family_id, family_json(guardians, students), phone_region_);
      if (validation.value) {
        families_.push_back(std::move(*validation.value));
        return;
      }
      std::vector<bool> bad_guardian(guardians.size());
      std::vector<bool> bad_student(students.size());
      bool family_level = false;
      for (auto& e : validation.errors) {
        const auto path = parse_member_path(e.field);
        const auto& members = path && path->guardian ? guardians : students;
        if (path && path->index < members.size()) {
          const auto& user = *members[path->index];
          (path->guardian ? bad_guardian : bad_student)[path->index] = true;
          std::string message = std::move(e.message);
          if (path->guardian && path->member == "language" && user.get(kept_language).empty()) {
            message = "the default language " + default_language_ + ": " + message;
          }
          error(user.row, column_of(*path, user), std::move(message));
          continue;
        }
        family_level = true;
        if (e.field == "id") {
          error(id_source->row, "sourcedId", "family id " + family_id + ": " + e.message);
        } else if (e.field == "guardians" && guardians.empty()) {
          for (const auto* s : students) {
            error(s->row, "agentSourcedIds",
                  had_guardians ? "a family needs at least one guardian; none of the guardians "
                                  "linked to this student could be imported"
                                : "a family needs at least one guardian; link a parent, "
                                  "guardian or relative to this student");
          }
        } else {
          error(first_row, "agentSourcedIds",
                "family " + family_id + ": " + e.field + ": " + e.message);
        }
      }
      if (family_level) {
        return;
      }
      drop_marked(guardians, bad_guardian);
      drop_marked(students, bad_student);
    }
  }

  roster_format format_;
  std::string default_language_;
  std::string phone_region_;
  roster_limits limits_;

  std::vector<family> families_;
  std::vector<import_error> errors_;
  std::size_t rows_seen_ = 0;
  bool failed_ = false;
  std::string fatal_;
  bool finished_ = false;

  std::string start_;  // the first bytes, until it is known whether they are a BOM
  bool start_decided_ = false;

  // NDJSON
  std::string line_;
  std::size_t line_number_ = 0;
  bool line_too_long_ = false;

  // CSV
  csv_parser csv_{};
  bool csv_ready_ = false;
  bool header_done_ = false;
  std::vector<std::string> header_;           // while row 1 is read
  std::vector<std::size_t> column_of_field_;  // header position → column, column_count = ignored
  std::array<bool, column_count> has_column_{};
  std::size_t header_columns_ = 0;
  std::size_t records_ = 0;   // CSV records read, the header included: the current row number
  std::size_t csv_line_ = 1;  // the line being parsed (1-based)
  std::size_t open_record_line_ = 0;  // where the record not yet ended began; 0: none open
  bool row_ended_ = false;            // a record ended in the line just parsed
  bool after_cr_ = false;             // the last slice ended with CR (its LF may come next)
  std::size_t blank_run_ = 0;         // spaces and tabs just read, across chunks
  std::size_t fields_in_row_ = 0;
  bool row_has_content_ = false;
  std::array<std::string, column_count> values_;  // the current row's values of read columns
  std::deque<roster_user> users_;
  std::unordered_map<std::string_view, std::size_t> user_of_id_;  // until linked
  std::vector<std::size_t> component_starts_;  // family c's users: members_[starts[c], starts[c+1])
  std::vector<std::size_t> members_;           // indexes into users_
  std::size_t next_component_ = 0;
};

roster_parser::roster_parser(roster_format format, std::string default_language,
                             std::string default_phone_region, roster_limits limits)
    : impl_(std::make_unique<impl>(format, std::move(default_language),
                                   std::move(default_phone_region), limits)) {}

roster_parser::roster_parser(roster_parser&&) noexcept = default;
roster_parser& roster_parser::operator=(roster_parser&&) noexcept = default;
roster_parser::~roster_parser() = default;

void roster_parser::feed(std::string_view chunk) {
  impl_->feed(chunk);
}

void roster_parser::finish() {
  impl_->finish();
}

std::vector<family> roster_parser::take_families(std::size_t max_families) {
  auto& p = *impl_;
  if (p.failed_) {
    return {};
  }
  if (p.format_ == roster_format::csv && p.finished_) {
    p.assemble_families(max_families);
  }
  if (p.families_.size() <= max_families) {
    return std::exchange(p.families_, {});
  }
  const auto end = p.families_.begin() + static_cast<std::ptrdiff_t>(max_families);
  std::vector<family> batch(std::make_move_iterator(p.families_.begin()),
                            std::make_move_iterator(end));
  p.families_.erase(p.families_.begin(), end);
  return batch;
}

bool roster_parser::done() const {
  const auto& p = *impl_;
  return p.finished_ && (p.failed_ || (p.families_.empty() && !p.families_left()));
}

std::vector<import_error> roster_parser::take_errors() {
  return std::exchange(impl_->errors_, {});
}

std::size_t roster_parser::rows_seen() const {
  return impl_->rows_seen_;
}

bool roster_parser::failed() const {
  return impl_->failed_;
}

const std::string& roster_parser::fatal_error() const {
  return impl_->fatal_;
}

}  // namespace liaison::services
