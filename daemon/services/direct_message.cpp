#include "daemon/services/direct_message.hpp"

#include <boost/json.hpp>

#include "channels/address.hpp"
#include "i18n/language.hpp"

namespace liaison::services {
namespace {

std::size_t count_code_points(std::string_view utf8) {
  // Boost.JSON has already rejected invalid UTF-8; count the bytes that start a code point.
  std::size_t n = 0;
  for (unsigned char c : utf8) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

std::optional<config::channel> parse_channel(std::string_view text) {
  if (text == "sms") {
    return config::channel::sms;
  }
  if (text == "email") {
    return config::channel::email;
  }
  return std::nullopt;
}

// Reads an optional string member; records an error when it is present but not a string.
std::optional<std::string> string_member(const boost::json::object& object, std::string_view key,
                                         const std::string& path,
                                         std::vector<field_error>& errors) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    errors.push_back({path, "must be a string"});
    return std::nullopt;
  }
  return std::string(value->get_string());
}

}  // namespace

direct_message_validation validate_direct_message(const boost::json::value& input,
                                                  std::string_view default_phone_region,
                                                  direct_message_memo* memo) {
  const auto normalize_phone = [&](std::string_view text) {
    if (memo == nullptr) {
      return channels::normalize_phone(text, default_phone_region);
    }
    const auto key = std::string(default_phone_region) + "|" + std::string(text);
    return memo->phones.get(key,
                            [&] { return channels::normalize_phone(text, default_phone_region); });
  };
  const auto canonical_language = [&](std::string_view tag) {
    if (memo == nullptr) {
      return i18n::canonicalize_language_tag(tag);
    }
    return memo->languages.get(tag, [&] { return i18n::canonicalize_language_tag(tag); });
  };
  std::vector<field_error> errors;
  const auto* object = input.if_object();
  if (object == nullptr) {
    return {std::nullopt, {{"", "the body must be a JSON object"}}};
  }
  static constexpr std::string_view known_fields[] = {"to",   "channel", "language",
                                                      "body", "subject", "school"};
  for (const auto& member : *object) {
    if (std::find(std::begin(known_fields), std::end(known_fields), member.key()) ==
        std::end(known_fields)) {
      errors.push_back({std::string(member.key()), "unknown field"});
    }
  }

  direct_message message;
  const auto channel_text = string_member(*object, "channel", "channel", errors);
  std::optional<config::channel> channel;
  if (!channel_text) {
    if (!object->contains("channel")) {
      errors.push_back({"channel", "required: \"sms\" or \"email\""});
    }
  } else if (!(channel = parse_channel(*channel_text))) {
    errors.push_back({"channel", "must be \"sms\" or \"email\""});
  }

  const auto* to_value = object->if_contains("to");
  const auto* to = to_value != nullptr ? to_value->if_object() : nullptr;
  if (to == nullptr) {
    errors.push_back({"to", "required: an object with \"phone\" or \"email\""});
  } else if (channel) {
    const bool sms = *channel == config::channel::sms;
    const std::string key = sms ? "phone" : "email";
    const auto address = string_member(*to, key, "to." + key, errors);
    if (!address) {
      if (!to->contains(key)) {
        errors.push_back(
            {"to." + key, "required for channel " + std::string(config::to_string(*channel))});
      }
    } else {
      auto normalized = sms ? normalize_phone(*address) : channels::normalize_email(*address);
      if (normalized.normalized) {
        message.address = std::move(*normalized.normalized);
      } else {
        errors.push_back({"to." + key, normalized.error});
      }
    }
  }

  if (auto language = string_member(*object, "language", "language", errors)) {
    auto canonical = canonical_language(*language);
    if (canonical) {
      message.language = std::move(*canonical.value);
    } else {
      errors.push_back({"language", canonical.error});
    }
  } else if (!object->contains("language")) {
    errors.push_back({"language", "required: the recipient's language as a BCP 47 tag"});
  }

  if (auto body = string_member(*object, "body", "body", errors)) {
    if (body->empty()) {
      errors.push_back({"body", "must not be empty"});
    } else if (channel == config::channel::sms && count_code_points(*body) > max_sms_body_chars) {
      errors.push_back({"body", "an SMS body is limited to 1600 characters"});
    } else if (body->size() > max_email_body_bytes) {
      errors.push_back({"body", "an email body is limited to 256 KiB"});
    }
    message.body = std::move(*body);
  } else if (!object->contains("body")) {
    errors.push_back({"body", "required"});
  }

  if (auto subject = string_member(*object, "subject", "subject", errors)) {
    if (count_code_points(*subject) > max_subject_chars) {
      errors.push_back({"subject", "limited to 250 characters"});
    }
    message.subject = std::move(*subject);
  }
  if (auto school = string_member(*object, "school", "school", errors)) {
    message.school = std::move(*school);
  }

  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  message.channel = *channel;
  return {std::move(message), {}};
}

std::map<std::string, std::string> to_delivery_record(const direct_message& message,
                                                      std::string_view created_at) {
  // Emplaced one by one: an initializer list would build every pair and then copy it again.
  std::map<std::string, std::string> record;
  record.try_emplace("kind", "direct");
  record.try_emplace("channel", config::to_string(message.channel));
  record.try_emplace("address", message.address);
  record.try_emplace("language", message.language);
  record.try_emplace("body", message.body);
  record.try_emplace("state", "queued");
  record.try_emplace("attempts", "0");
  record.try_emplace("created_at", created_at);
  record.try_emplace("updated_at", created_at);
  if (!message.subject.empty()) {
    record["subject"] = message.subject;
  }
  if (!message.school.empty()) {
    record["school"] = message.school;
  }
  return record;
}

}  // namespace liaison::services
