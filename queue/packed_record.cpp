#include "queue/packed_record.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

namespace liaison::queue {

namespace detail {

// Appends JSON strings to a record being written. Most values (ids, names, numbers, addresses)
// need no escape, and are copied between quotes as they are: the same bytes Boost.JSON writes
// for them (it escapes only the quote, the backslash and control characters, and passes UTF-8
// through), without its per-string setup, which was most of fan-out's record writing.
struct json_quoting {
  boost::json::serializer serializer;

  void append(std::string& out, std::string_view text) {
    const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
      return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    });
    if (plain) {
      out.reserve(out.size() + text.size() + 2);
      out.append(1, '"').append(text).append(1, '"');
      return;
    }
    // Boost.JSON quotes and escapes the rest; a serializer over a string view builds no JSON
    // value, and reusing it keeps its buffers.
    serializer.reset(boost::json::string_view(text.data(), text.size()));
    while (!serializer.done()) {
      // Straight into the record: read() fills the spare room, which is then kept.
      const auto used = out.size();
      out.resize(used + std::max<std::size_t>(text.size() + 16, 64));
      const auto piece = serializer.read(out.data() + used, out.size() - used);
      out.resize(used + piece.size());
    }
  }
};

}  // namespace detail

namespace detail {

packed_builder::packed_builder(char open, char close, std::size_t reserve)
    : quoting_(std::make_unique<json_quoting>()), open_(open), close_(close) {
  packed_.reserve(reserve);
  packed_ += open_;
}

packed_builder::~packed_builder() = default;

void packed_builder::separate() {
  if (packed_.size() > 1) {
    packed_ += ',';
  }
}

void packed_builder::quote(std::string_view text) {
  quoting_->append(packed_, text);
}

std::string packed_builder::finish() {
  packed_ += close_;
  std::string packed = packed_;
  packed_.assign(1, open_);
  return packed;
}

}  // namespace detail

packed_record_writer& packed_record_writer::add(std::string_view name, std::string_view value) {
  builder_.separate();
  builder_.quote(name);
  builder_.append(':');
  builder_.quote(value);
  return *this;
}

packed_row_writer& packed_row_writer::add(std::string_view value) {
  builder_.separate();
  builder_.quote(value);
  return *this;
}

std::string pack_columns(const std::vector<std::string_view>& names) {
  packed_row_writer writer;
  for (const auto name : names) {
    writer.add(name);
  }
  return writer.finish();
}

std::string pack_joined(const std::vector<joined_field>& fields) {
  detail::packed_builder builder('{', '}', 128);
  for (const auto& field : fields) {
    std::vector<std::string_view> parts = {field.separator};
    parts.insert(parts.end(), field.parts.begin(), field.parts.end());
    builder.separate();
    builder.quote(field.name);
    builder.append(':');
    builder.append(std::string_view(pack_columns(parts)));
  }
  return builder.finish();
}

std::string pack_record(const std::map<std::string, std::string>& fields) {
  packed_record_writer writer;
  for (const auto& [name, value] : fields) {
    writer.add(name, value);
  }
  return writer.finish();
}

namespace {

std::optional<std::map<std::string, std::string>> fields_of(const boost::json::value& value) {
  if (!value.is_object()) {
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  for (const auto& [name, v] : value.get_object()) {
    if (!v.is_string()) {
      return std::nullopt;
    }
    fields.emplace(name, v.get_string());
  }
  return fields;
}

}  // namespace

std::optional<std::map<std::string, std::string>> unpack_record(std::string_view packed) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(packed, ec);
  if (ec) {
    return std::nullopt;
  }
  return fields_of(value);
}

std::string pack_records(const std::vector<std::string_view>& packed_records, entry_frame frame) {
  const bool framed = !frame.shared.empty() || !frame.columns.empty() || !frame.joined.empty();
  std::string out;
  std::size_t size = 48 + frame.shared.size() + frame.columns.size() + frame.joined.size();
  for (const auto& record : packed_records) {
    size += record.size() + 1;
  }
  out.reserve(size);
  if (framed) {
    out += '{';
    if (!frame.shared.empty()) {
      out.append(R"("shared":)").append(frame.shared).append(1, ',');
    }
    if (!frame.joined.empty()) {
      out.append(R"("joined":)").append(frame.joined).append(1, ',');
    }
    if (!frame.columns.empty()) {
      out.append(R"("columns":)").append(frame.columns).append(R"(,"rows":)");
    } else {
      out.append(R"("records":)");
    }
  }
  out += '[';
  for (std::size_t i = 0; i < packed_records.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out.append(packed_records[i]);
  }
  out += ']';
  if (framed) {
    out += '}';
  }
  return out;
}

std::vector<std::string> pack_stream_entries(const std::vector<std::string_view>& packed_records,
                                             entry_frame frame) {
  std::vector<std::string> entries;
  for (std::size_t from = 0; from < packed_records.size(); from += deliveries_per_stream_entry) {
    const auto to = std::min(packed_records.size(), from + deliveries_per_stream_entry);
    entries.push_back(pack_records({packed_records.begin() + static_cast<std::ptrdiff_t>(from),
                                    packed_records.begin() + static_cast<std::ptrdiff_t>(to)},
                                   frame));
  }
  return entries;
}

void stream_batches::add(std::string_view stream_key, std::string_view packed_record) {
  auto it = std::find(streams_.begin(), streams_.end(), stream_key);
  if (it == streams_.end()) {
    it = streams_.insert(streams_.end(), std::string(stream_key));
    records_.emplace_back();
  }
  records_[static_cast<std::size_t>(it - streams_.begin())].push_back(packed_record);
}

std::vector<std::string> stream_batches::entries_of(std::size_t stream, entry_frame frame) const {
  return pack_stream_entries(records_[stream], frame);
}

namespace {

// A row's values named by `columns` (both arrays of strings, equally long).
std::optional<std::map<std::string, std::string>> fields_of_row(
    const std::vector<std::string_view>& columns, const boost::json::value& row) {
  const auto* values = row.if_array();
  if (values == nullptr || values->size() != columns.size()) {
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto* value = (*values)[i].if_string();
    if (value == nullptr) {
      return std::nullopt;
    }
    fields.emplace(columns[i], *value);
  }
  return fields;
}

// A joined field as unpacked: its name, separator and parts.
struct joining {
  std::string name;
  std::string separator;
  std::vector<std::string> parts;
};

// The "joined" object of an entry (pack_joined), or nullopt when it is not one.
std::optional<std::vector<joining>> joinings_of(const boost::json::value& value) {
  const auto* o = value.if_object();
  if (o == nullptr) {
    return std::nullopt;
  }
  std::vector<joining> out;
  for (const auto& [name, v] : *o) {
    const auto* parts = v.if_array();
    if (parts == nullptr || parts->size() < 2) {
      return std::nullopt;
    }
    joining j{std::string(name), {}, {}};
    for (std::size_t i = 0; i < parts->size(); ++i) {
      const auto* text = (*parts)[i].if_string();
      if (text == nullptr) {
        return std::nullopt;
      }
      if (i == 0) {
        j.separator = *text;
      } else {
        j.parts.emplace_back(*text);
      }
    }
    out.push_back(std::move(j));
  }
  return out;
}

// Adds each joined field the record has no value of; false when a part is missing.
bool join_fields(std::map<std::string, std::string>& fields, const std::vector<joining>& joined) {
  for (const auto& j : joined) {
    if (fields.contains(j.name)) {
      continue;
    }
    std::string value;
    for (std::size_t i = 0; i < j.parts.size(); ++i) {
      const auto part = fields.find(j.parts[i]);
      if (part == fields.end()) {
        return false;
      }
      if (i > 0) {
        value += j.separator;
      }
      value += part->second;
    }
    fields.emplace(j.name, std::move(value));
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::map<std::string, std::string>>> unpack_records(
    std::string_view packed) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(packed, ec);
  if (ec) {
    return std::nullopt;
  }
  const boost::json::array* listed = value.if_array();
  std::optional<std::map<std::string, std::string>> shared;
  std::optional<std::vector<std::string_view>> columns;  // set: the records are rows
  std::vector<joining> joined;
  if (const auto* o = value.if_object()) {
    const auto* common = o->if_contains("shared");
    if (common != nullptr) {
      shared = fields_of(*common);
      if (!shared) {
        return std::nullopt;
      }
    }
    if (const auto* joins = o->if_contains("joined")) {
      auto parsed = joinings_of(*joins);
      if (!parsed) {
        return std::nullopt;
      }
      joined = std::move(*parsed);
    }
    if (const auto* names = o->if_contains("columns")) {
      if (!names->is_array()) {
        return std::nullopt;
      }
      columns.emplace();
      for (const auto& name : names->get_array()) {
        if (!name.is_string()) {
          return std::nullopt;
        }
        columns->emplace_back(name.get_string());
      }
    }
    const auto* records = o->if_contains(columns ? "rows" : "records");
    listed = records != nullptr ? records->if_array() : nullptr;
  }
  if (listed == nullptr) {
    return std::nullopt;
  }
  std::vector<std::map<std::string, std::string>> records;
  records.reserve(listed->size());
  for (const auto& element : *listed) {
    auto fields = columns ? fields_of_row(*columns, element) : fields_of(element);
    if (!fields) {
      return std::nullopt;
    }
    if (shared) {
      fields->insert(shared->begin(), shared->end());  // keeps the record's own values
    }
    if (!join_fields(*fields, joined)) {
      return std::nullopt;
    }
    records.push_back(std::move(*fields));
  }
  return records;
}

}  // namespace liaison::queue
