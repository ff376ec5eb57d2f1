#include "daemon/services/family_message.hpp"

#include <boost/json.hpp>

namespace liaison::services {

namespace json = boost::json;

bool is_family_message(const json::value& input) {
  const auto* object = input.if_object();
  const auto* to = object != nullptr ? object->if_contains("to") : nullptr;
  return to != nullptr && to->is_object() && to->get_object().contains("family_id");
}

std::string family_message_field(const std::string& field) {
  if (field.starts_with("audience.family_ids")) {
    return "to.family_id";
  }
  if (field.starts_with("audience.guardian_ids")) {
    return "to.guardian_id";
  }
  if (field == "audience") {
    return "to";
  }
  return field;
}

announcement_validation validate_family_message(
    const json::value& input, std::optional<std::chrono::system_clock::time_point> now,
    std::string_view district_language) {
  const auto& object = input.as_object();
  std::vector<field_error> errors;
  json::object as_announcement;
  for (const auto& [key, value] : object) {
    if (key == "to") {
      const auto& to = value.as_object();
      json::object audience;
      for (const auto& [to_key, to_value] : to) {
        if (to_key == "family_id") {
          audience["family_ids"] = json::array{to_value};
        } else if (to_key == "guardian_id") {
          audience["guardian_ids"] = json::array{to_value};
        } else {
          errors.push_back({"to." + std::string(to_key),
                            "unknown field (a family message names family_id and guardian_id)"});
        }
      }
      as_announcement["audience"] = std::move(audience);
    } else if (key == "channel" || key == "language") {
      errors.push_back({std::string(key), key == "channel"
                                              ? "a family message takes \"channels\": a list"
                                              : "a family message takes \"source_language\""});
    } else {
      as_announcement[key] = value;
    }
  }
  if (!as_announcement.contains("source_language")) {
    as_announcement["source_language"] = district_language;
  }
  if (!as_announcement.contains("machine_translation")) {
    as_announcement["machine_translation"] =
        i18n::to_string(i18n::machine_translation_policy::if_no_human_translation);
  }
  auto validation = validate_announcement(as_announcement, now);
  for (auto& e : validation.errors) {
    e.field = family_message_field(e.field);
  }
  errors.insert(errors.end(), validation.errors.begin(), validation.errors.end());
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return validation;
}

}  // namespace liaison::services
