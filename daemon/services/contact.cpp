#include "daemon/services/contact.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "daemon/services/json_fields.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

std::string_view to_string(contact_kind kind) {
  return kind == contact_kind::partner ? "partner" : "volunteer";
}

}  // namespace

std::string contact_family_id(std::string_view contact_id) {
  return std::string(contact_id_prefix) + std::string(contact_id);
}

bool is_contact_family(const family& f) {
  return f.id.starts_with(contact_id_prefix);
}

family_validation validate_contact(std::string_view id, const json::value& input,
                                   std::string_view default_phone_region) {
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  std::vector<field_error> errors;
  if (!is_valid_directory_id(id) || id.starts_with(contact_id_prefix)) {
    errors.push_back({"id", "use 1-128 letters, digits, '-', '_', '.' or ':'"});
  }
  object_reader r(*object, "", errors);
  r.reject_unknown(
      {"id", "name", "language", "phone", "email", "channels", "time_zone", "kind", "tags"});
  if (auto body_id = r.string("id", false, 128); body_id && *body_id != id) {
    errors.push_back({"id", "does not match the id in the URL"});
  }
  std::optional<contact_kind> kind;
  if (auto text = r.string("kind", true, 16)) {
    if (*text == "partner") {
      kind = contact_kind::partner;
    } else if (*text == "volunteer") {
      kind = contact_kind::volunteer;
    } else {
      errors.push_back({"kind", "must be \"partner\" or \"volunteer\""});
    }
  }
  // The person is checked as a guardian, the tags as a family's: one set of rules.
  json::object person;
  person["id"] = std::string(id);
  for (const char* key : {"name", "language", "phone", "email", "channels", "time_zone"}) {
    if (const auto* value = object->if_contains(key)) {
      person[key] = *value;
    }
  }
  json::array tags;
  if (const auto* given = object->if_contains("tags")) {
    if (const auto* list = given->if_array()) {
      tags = *list;
    } else {
      errors.push_back({"tags", "must be an array"});
    }
  }
  tags.emplace_back(contact_tag);
  if (kind) {
    tags.emplace_back(to_string(*kind));
  }
  json::object as_family{{"guardians", json::array{person}}, {"tags", std::move(tags)}};
  auto validated = validate_family(contact_family_id(is_valid_directory_id(id) ? id : "x"),
                                   as_family, default_phone_region);
  for (auto& e : validated.errors) {
    constexpr std::string_view guardian_path = "guardians[0].";
    if (e.field.starts_with(guardian_path)) {
      e.field.erase(0, guardian_path.size());
    } else if (e.field == "guardians[0]") {
      e.field.clear();
    }
    errors.push_back(std::move(e));
  }
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return validated;
}

json::value contact_to_json(const family& stored) {
  json::object o;
  o["id"] = stored.id.substr(contact_id_prefix.size());
  if (stored.guardians.empty()) {
    return o;
  }
  const auto person = to_json(stored).at("guardians").at(0).as_object();
  for (const auto& [key, value] : person) {
    if (key != "id") {
      o[key] = value;
    }
  }
  json::array tags;
  for (const auto& tag : stored.tags) {
    if (tag == "partner" || tag == "volunteer") {
      o["kind"] = tag;
    } else if (tag != contact_tag) {
      tags.emplace_back(tag);
    }
  }
  o["tags"] = std::move(tags);
  return o;
}

}  // namespace liaison::services
