#include "daemon/services/family.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <memory>
#include <set>

#include "channels/address.hpp"
#include "daemon/services/json_fields.hpp"
#include "i18n/language.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

// OneRoster 1.1 grade codes (CEDS): infant/toddler to grade 13, postgraduate, ungraded, other.
constexpr std::string_view grade_codes[] = {"IT", "PR", "PK", "TK", "KG", "01", "02",
                                            "03", "04", "05", "06", "07", "08", "09",
                                            "10", "11", "12", "13", "PS", "UG", "Other"};

bool is_valid_time_zone(const std::string& name) {
  const std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  icu::UnicodeString id;
  zone->getID(id);
  return id != icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID);
}

std::optional<guardian> read_guardian(const json::value& value, const std::string& path,
                                      std::string_view default_phone_region,
                                      std::vector<field_error>& errors) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    errors.push_back({path, "must be an object"});
    return std::nullopt;
  }
  const auto errors_before = errors.size();
  object_reader r(*object, path, errors);
  r.reject_unknown(
      {"id", "name", "language", "phone", "email", "channels", "time_zone", "opted_out"});
  guardian g;
  if (auto id = r.string("id", true, 128)) {
    if (!is_valid_directory_id(*id)) {
      errors.push_back({r.at("id"), "use 1-128 letters, digits, '-', '_', '.' or ':'"});
    }
    g.id = std::move(*id);
  }
  g.name = r.string("name", true).value_or("");
  if (auto language = r.string("language", true, 64)) {
    auto canonical = i18n::canonicalize_language_tag(*language);
    if (canonical) {
      g.language = std::move(*canonical.value);
    } else {
      errors.push_back({r.at("language"), canonical.error});
    }
  }
  if (auto phone = r.string("phone", false, 64)) {
    auto normalized = channels::normalize_phone(*phone, default_phone_region);
    if (normalized.normalized) {
      g.phone = std::move(*normalized.normalized);
    } else {
      errors.push_back({r.at("phone"), normalized.error});
    }
  }
  if (auto email = r.string("email", false, 254)) {
    auto normalized = channels::normalize_email(*email);
    if (normalized.normalized) {
      g.email = std::move(*normalized.normalized);
    } else {
      errors.push_back({r.at("email"), normalized.error});
    }
  }
  if (auto zone = r.string("time_zone", false, 64)) {
    if (!is_valid_time_zone(*zone)) {
      errors.push_back({r.at("time_zone"), "not an IANA time zone, e.g. America/Chicago"});
    }
    g.time_zone = std::move(*zone);
  }
  if (const auto* list = r.array("channels", 3)) {
    g.channels = read_channels(*list, r.at("channels"), errors);
  } else if (!object->contains("channels")) {
    // Without a stated preference, every channel the guardian has an address for.
    if (!g.phone.empty()) {
      g.channels = {config::channel::sms, config::channel::voice};
    }
    if (!g.email.empty()) {
      g.channels.push_back(config::channel::email);
    }
  }
  for (auto c : g.channels) {
    const bool needs_phone = c != config::channel::email;
    if (needs_phone ? g.phone.empty() : g.email.empty()) {
      errors.push_back({r.at("channels"), "channel " + std::string(config::to_string(c)) +
                                              " needs " + (needs_phone ? "a phone" : "an email")});
    }
  }
  if (g.phone.empty() && g.email.empty() && errors.size() == errors_before) {
    errors.push_back({path, "a guardian needs a phone or an email"});
  }
  return errors.size() == errors_before ? std::optional<guardian>(std::move(g)) : std::nullopt;
}

std::optional<student> read_student(const json::value& value, const std::string& path,
                                    std::vector<field_error>& errors) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    errors.push_back({path, "must be an object"});
    return std::nullopt;
  }
  const auto errors_before = errors.size();
  object_reader r(*object, path, errors);
  r.reject_unknown({"id", "name", "school", "grade"});
  student s;
  if (auto id = r.string("id", true, 128)) {
    if (!is_valid_directory_id(*id)) {
      errors.push_back({r.at("id"), "use 1-128 letters, digits, '-', '_', '.' or ':'"});
    }
    s.id = std::move(*id);
  }
  s.name = r.string("name", false).value_or("");
  if (auto school = r.string("school", true, 128)) {
    if (!is_valid_directory_id(*school)) {
      errors.push_back({r.at("school"), "use 1-128 letters, digits, '-', '_', '.' or ':'"});
    }
    s.school = std::move(*school);
  }
  if (auto grade = r.string("grade", false, 8)) {
    if (!is_valid_grade(*grade)) {
      errors.push_back({r.at("grade"), "a OneRoster grade code: PK, TK, KG, 01 … 13, UG, Other"});
    }
    s.grade = std::move(*grade);
  }
  return errors.size() == errors_before ? std::optional<student>(std::move(s)) : std::nullopt;
}

template <typename T>
void report_duplicate_ids(const std::vector<T>& items, const std::string& path,
                          std::vector<field_error>& errors) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!seen.insert(items[i].id).second) {
      errors.push_back({path + "[" + std::to_string(i) + "].id", "appears twice"});
    }
  }
}

json::array channels_to_json(const std::vector<config::channel>& channels) {
  json::array out;
  for (auto c : channels) {
    out.emplace_back(config::to_string(c));
  }
  return out;
}

}  // namespace

bool is_valid_grade(std::string_view grade) {
  return std::find(std::begin(grade_codes), std::end(grade_codes), grade) != std::end(grade_codes);
}

bool is_valid_directory_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
}

family_validation validate_family(std::string_view id, const json::value& input,
                                  std::string_view default_phone_region) {
  std::vector<field_error> errors;
  if (!is_valid_directory_id(id)) {
    errors.push_back({"id", "use 1-128 letters, digits, '-', '_', '.' or ':'"});
  }
  const auto* object = input.if_object();
  if (object == nullptr) {
    errors.push_back({"", "the body must be a JSON object"});
    return {std::nullopt, std::move(errors)};
  }
  object_reader r(*object, "", errors);
  r.reject_unknown({"id", "guardians", "students", "tags"});
  if (auto body_id = r.string("id", false, 128); body_id && *body_id != id) {
    errors.push_back({"id", "does not match the id in the URL"});
  }
  family f;
  f.id = std::string(id);
  if (const auto* list = r.array("guardians", max_guardians_per_family)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto g = read_guardian((*list)[i], "guardians[" + std::to_string(i) + "]",
                                 default_phone_region, errors)) {
        f.guardians.push_back(std::move(*g));
      }
    }
  }
  if (f.guardians.empty() && !object->contains("guardians")) {
    errors.push_back({"guardians", "a family needs at least one guardian"});
  }
  if (const auto* list = r.array("students", max_students_per_family)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto s = read_student((*list)[i], "students[" + std::to_string(i) + "]", errors)) {
        f.students.push_back(std::move(*s));
      }
    }
  }
  if (const auto* list = r.array("tags", max_tags_per_family)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto* tag = (*list)[i].if_string();
      if (tag == nullptr || !is_valid_directory_id(*tag)) {
        errors.push_back({"tags[" + std::to_string(i) + "]",
                          "a tag is 1-128 letters, digits, "
                          "'-', '_', '.' or ':'"});
      } else if (std::find(f.tags.begin(), f.tags.end(), *tag) == f.tags.end()) {
        f.tags.emplace_back(*tag);
      }
    }
  }
  report_duplicate_ids(f.guardians, "guardians", errors);
  report_duplicate_ids(f.students, "students", errors);
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(f), {}};
}

json::value to_json(const family& f, bool for_storage) {
  json::array guardians;
  for (const auto& g : f.guardians) {
    json::object o{{"id", g.id},
                   {"name", g.name},
                   {"language", g.language},
                   {"channels", channels_to_json(g.channels)}};
    if (!for_storage) {
      o["opted_out"] = channels_to_json(g.opted_out);
    }
    if (!g.phone.empty()) {
      o["phone"] = g.phone;
    }
    if (!g.email.empty()) {
      o["email"] = g.email;
    }
    if (!g.time_zone.empty()) {
      o["time_zone"] = g.time_zone;
    }
    guardians.push_back(std::move(o));
  }
  json::array students;
  for (const auto& s : f.students) {
    json::object o{{"id", s.id}, {"school", s.school}};
    if (!s.name.empty()) {
      o["name"] = s.name;
    }
    if (!s.grade.empty()) {
      o["grade"] = s.grade;
    }
    students.push_back(std::move(o));
  }
  json::array tags(f.tags.begin(), f.tags.end());
  return json::object{
      {"id", f.id}, {"guardians", guardians}, {"students", students}, {"tags", tags}};
}

namespace {

// Reading back what to_json(f, true) wrote. No validation: it was validated when written, and
// re-parsing every phone number on each read (fan-out reads every family of an audience) would
// cost more than the rest of fan-out together.
std::string stored_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<config::channel> stored_channels(const json::object& o, std::string_view key) {
  std::vector<config::channel> channels;
  if (const auto* list = o.if_contains(key); list != nullptr && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (const auto* text = item.if_string()) {
        if (auto c = parse_channel(*text)) {
          channels.push_back(*c);
        }
      }
    }
  }
  return channels;
}

const json::array* stored_array(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? v->if_array() : nullptr;
}

}  // namespace

std::optional<family> family_from_stored_json(std::string_view text) {
  // Fan-out reads hundreds of thousands of these: the document is parsed into a buffer on the
  // stack (a family is a few hundred bytes; a larger one spills to the heap), not a heap block
  // per value, and is freed at once.
  std::array<unsigned char, 4096> buffer;
  json::monotonic_resource arena(buffer.data(), buffer.size());
  boost::system::error_code ec;
  const auto value = json::parse(text, ec, &arena);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  const auto& o = value.get_object();
  family f;
  f.id = stored_string(o, "id");
  const auto* guardians = stored_array(o, "guardians");
  if (f.id.empty() || guardians == nullptr) {
    return std::nullopt;
  }
  for (const auto& item : *guardians) {
    const auto* g = item.if_object();
    if (g == nullptr) {
      return std::nullopt;
    }
    f.guardians.push_back({stored_string(*g, "id"),
                           stored_string(*g, "name"),
                           stored_string(*g, "language"),
                           stored_string(*g, "phone"),
                           stored_string(*g, "email"),
                           stored_channels(*g, "channels"),
                           stored_string(*g, "time_zone"),
                           {}});
  }
  if (const auto* students = stored_array(o, "students")) {
    for (const auto& item : *students) {
      if (const auto* s = item.if_object()) {
        f.students.push_back({stored_string(*s, "id"), stored_string(*s, "name"),
                              stored_string(*s, "school"), stored_string(*s, "grade")});
      }
    }
  }
  if (const auto* tags = stored_array(o, "tags")) {
    for (const auto& tag : *tags) {
      if (const auto* t = tag.if_string()) {
        f.tags.emplace_back(*t);
      }
    }
  }
  return f;
}

std::vector<std::string> index_terms(const family& f) {
  std::set<std::string> terms;
  terms.insert("all");  // the whole district: a snow day reaches every family
  for (const auto& s : f.students) {
    terms.insert("school:" + s.school);
    if (!s.grade.empty()) {
      terms.insert("grade:" + s.grade);
      terms.insert("school_grade:" + s.school + ":" + s.grade);
    }
  }
  for (const auto& t : f.tags) {
    terms.insert("tag:" + t);
  }
  for (const auto& g : f.guardians) {
    if (!g.phone.empty()) {
      terms.insert("phone:" + g.phone);  // inbound texts find their guardian by number
    }
    terms.insert("language:" +
                 g.language);  // how many families an announcement reaches per language
  }
  return {terms.begin(), terms.end()};
}

}  // namespace liaison::services
