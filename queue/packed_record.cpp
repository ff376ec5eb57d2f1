#include "queue/packed_record.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

namespace liaison::queue {

void packed_record_writer::append_string(std::string_view text) {
  // Boost.JSON quotes and escapes; a serializer over a string view builds no JSON value.
  boost::json::serializer serializer;
  serializer.reset(boost::json::string_view(text.data(), text.size()));
  char buffer[256];
  while (!serializer.done()) {
    const auto piece = serializer.read(buffer, sizeof(buffer));
    packed_.append(piece.data(), piece.size());
  }
}

packed_record_writer& packed_record_writer::add(std::string_view name, std::string_view value) {
  if (packed_.size() > 1) {
    packed_ += ',';
  }
  append_string(name);
  packed_ += ':';
  append_string(value);
  return *this;
}

std::string packed_record_writer::finish() && {
  packed_ += '}';
  return std::move(packed_);
}

std::string pack_record(const std::map<std::string, std::string>& fields) {
  packed_record_writer writer;
  for (const auto& [name, value] : fields) {
    writer.add(name, value);
  }
  return std::move(writer).finish();
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

std::string pack_records(const std::vector<std::string_view>& packed_records) {
  std::string out = "[";
  for (const auto& record : packed_records) {
    if (out.size() > 1) {
      out += ',';
    }
    out.append(record);
  }
  out += ']';
  return out;
}

std::optional<std::vector<std::map<std::string, std::string>>> unpack_records(
    std::string_view packed) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(packed, ec);
  if (ec || !value.is_array()) {
    return std::nullopt;
  }
  std::vector<std::map<std::string, std::string>> records;
  for (const auto& element : value.get_array()) {
    auto fields = fields_of(element);
    if (!fields) {
      return std::nullopt;
    }
    records.push_back(std::move(*fields));
  }
  return records;
}

}  // namespace liaison::queue
