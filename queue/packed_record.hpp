// The packed form of a delivery record: a JSON object of strings in one value. Fan-out writes a
// delivery as one stream entry carrying its record this way (docs/queue.md), because one field
// costs Redis a fraction of a hash with a field per value.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liaison::queue {

// How many deliveries one stream entry carries at most. Redis's work per delivery is then a share
// of one entry, and a crash repeats at most this many deliveries' reads (never their sends: each
// delivery's own hash says whether it was handed to its provider).
inline constexpr std::size_t deliveries_per_stream_entry = 16;

namespace detail {
struct json_quoting;  // Boost.JSON's serializer, kept out of this header

// What both writers below share: a JSON object or array being built, its values quoted as JSON
// strings, and handed out whole by finish(), which starts the next.
class packed_builder {
 public:
  packed_builder(char open, char close, std::size_t reserve);
  ~packed_builder();
  packed_builder(const packed_builder&) = delete;
  packed_builder& operator=(const packed_builder&) = delete;

  void separate();  // a comma before every member but the first
  void quote(std::string_view text);
  void append(char c) { packed_ += c; }
  void append(std::string_view json) { packed_.append(json); }  // already JSON
  std::string finish();

 private:
  std::unique_ptr<json_quoting> quoting_;
  char open_;
  char close_;
  std::string packed_;
};
}  // namespace detail

// Builds the packed form field by field, for a writer that has the values at hand and no map.
// Each name must be added once per record. One writer can build many records in turn (fan-out
// keeps one per page): finish() hands out the record and starts the next.
class packed_record_writer {
 public:
  packed_record_writer& add(std::string_view name, std::string_view value);
  std::string finish() { return builder_.finish(); }

 private:
  detail::packed_builder builder_{'{', '}', 512};
};

// Builds records that all have the same fields as rows: a JSON array of the values, in the
// order of a list of names given once (pack_columns) for all the rows of a stream entry. Field
// names were half the bytes of a fan-out record, which Redis parsed, stored and logged each time.
class packed_row_writer {
 public:
  // The next column's value.
  packed_row_writer& add(std::string_view value);
  std::string finish() { return builder_.finish(); }

 private:
  detail::packed_builder builder_{'[', ']', 256};
};

// The names of rows' columns, in order, as a JSON array.
std::string pack_columns(const std::vector<std::string_view>& names);

// A field whose value is other fields' values joined by a separator, for a value that would
// repeat what its record holds anyway: fan-out's delivery id is
// "<announcement>:<family>:<guardian>:<channel>", a third of a row were it written out.
struct joined_field {
  std::string_view name;
  std::string_view separator;
  std::vector<std::string_view> parts;  // names of fields of the record (its own or shared)
};
// As a JSON object: {"<name>": ["<separator>", "<part>", ...], ...}.
std::string pack_joined(const std::vector<joined_field>& fields);

// What the records of a stream entry share (any may be empty): `shared`, a packed record of
// the fields whose values all have in common; `columns`, pack_columns' names when the records
// are rows (packed_row_writer), not objects; `joined`, pack_joined's fields, which unpacking
// adds to each record.
struct entry_frame {
  std::string_view shared;
  std::string_view columns;
  std::string_view joined;
};

std::string pack_record(const std::map<std::string, std::string>& fields);
// Packed records in one value, for a stream entry carrying several: a JSON array of them; or,
// with a frame, the object {"shared": {...}, "records": [...]} (records as objects) or
// {"shared": {...}, "columns": [...], "rows": [[...], ...]} (records as rows), with
// "joined": {...} when the frame joins fields; "shared" is left out when the frame has none.
// Each record holds only its own fields. Unpacked, a record has the shared fields too (its own
// win), and then the joined ones (unless it has its own). Fan-out shares an announcement's
// fields, the names of the rest and how its ids are made this way: without them a record was
// three times as long, and Redis stores and logs every byte per delivery.
std::string pack_records(const std::vector<std::string_view>& packed_records,
                         entry_frame frame = {});
// The values of the stream entries that carry `packed_records`, in order, at most
// deliveries_per_stream_entry to an entry, each with the frame.
std::vector<std::string> pack_stream_entries(const std::vector<std::string_view>& packed_records,
                                             entry_frame frame = {});
// Packed records grouped by the stream each goes to, streams in the order first named (a batch
// or a fan-out page names a few), for writing each stream's records as entries. Records are
// viewed, not copied: they must outlive the batches.
class stream_batches {
 public:
  void add(std::string_view stream_key, std::string_view packed_record);

  const std::vector<std::string>& streams() const noexcept { return streams_; }
  std::size_t records_of(std::size_t stream) const { return records_[stream].size(); }
  // The values of stream `stream`'s entries (pack_stream_entries of its records).
  std::vector<std::string> entries_of(std::size_t stream, entry_frame frame = {}) const;

 private:
  std::vector<std::string> streams_;
  std::vector<std::vector<std::string_view>> records_;  // by stream, in order
};

// Nullopt when `packed` is none of pack_records' forms: a JSON array of objects of strings; such
// an array under "records", or arrays of strings each as long as the array of strings under
// "columns" under "rows", with an optional object of strings under "shared" and an optional
// object of arrays of strings (a separator, then at least one field name) under "joined"; or
// when a record lacks a field one of its joined fields is made of.
std::optional<std::vector<std::map<std::string, std::string>>> unpack_records(
    std::string_view packed);
// Nullopt when `packed` is not a JSON object of strings.
std::optional<std::map<std::string, std::string>> unpack_record(std::string_view packed);

}  // namespace liaison::queue
