// Reading API objects member by member: each problem is recorded with its JSON path
// ("guardians[0].phone") so a client gets every error at once (RFC 9457 `errors`).
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

inline std::optional<config::channel> parse_channel(std::string_view text) {
  for (auto c : {config::channel::sms, config::channel::email, config::channel::voice}) {
    if (config::to_string(c) == text) {
      return c;
    }
  }
  return std::nullopt;
}

// Reads JSON members field by field, recording what is wrong with its path.
class object_reader {
 public:
  object_reader(const boost::json::object& object, std::string path,
                std::vector<field_error>& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  std::string at(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  void reject_unknown(std::initializer_list<std::string_view> known) {
    for (const auto& member : object_) {
      if (std::find(known.begin(), known.end(), member.key()) == known.end()) {
        errors_.push_back({at(member.key()), "unknown field"});
      }
    }
  }

  std::optional<std::string> string(std::string_view key, bool required,
                                    std::size_t max_length = 256) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || value->is_null()) {
      if (required) {
        errors_.push_back({at(key), "required"});
      }
      return std::nullopt;
    }
    if (!value->is_string()) {
      errors_.push_back({at(key), "must be a string"});
      return std::nullopt;
    }
    if (value->get_string().size() > max_length) {
      errors_.push_back({at(key), "longer than " + std::to_string(max_length) + " bytes"});
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  const boost::json::array* array(std::string_view key, std::size_t max_items) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || value->is_null()) {
      return nullptr;
    }
    if (!value->is_array()) {
      errors_.push_back({at(key), "must be an array"});
      return nullptr;
    }
    if (value->get_array().size() > max_items) {
      errors_.push_back({at(key), "at most " + std::to_string(max_items) + " entries"});
      return nullptr;
    }
    return &value->get_array();
  }

  const boost::json::object* object(std::string_view key, bool required) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || value->is_null()) {
      if (required) {
        errors_.push_back({at(key), "required"});
      }
      return nullptr;
    }
    if (!value->is_object()) {
      errors_.push_back({at(key), "must be an object"});
      return nullptr;
    }
    return &value->get_object();
  }

  // An array of ids (strings accepted by `valid`), each reported by its index when it is not.
  template <class Valid>
  std::vector<std::string> id_list(std::string_view key, std::size_t max_items, Valid valid,
                                   std::string_view what) {
    std::vector<std::string> ids;
    const auto* items = array(key, max_items);
    if (items == nullptr) {
      return ids;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto* text = (*items)[i].if_string();
      const std::string path = at(key) + "[" + std::to_string(i) + "]";
      if (text == nullptr) {
        errors_.push_back({path, "must be a string"});
      } else if (!valid(std::string_view(*text))) {
        errors_.push_back({path, std::string(what)});
      } else if (std::find(ids.begin(), ids.end(), std::string_view(*text)) == ids.end()) {
        ids.emplace_back(*text);
      }
    }
    return ids;
  }

 private:
  const boost::json::object& object_;
  std::string path_;
  std::vector<field_error>& errors_;
};

inline std::vector<config::channel> read_channels(const boost::json::array& items,
                                                  const std::string& path,
                                                  std::vector<field_error>& errors) {
  std::vector<config::channel> channels;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto* text = items[i].if_string();
    const auto channel = text != nullptr ? parse_channel(*text) : std::nullopt;
    if (!channel) {
      errors.push_back(
          {path + "[" + std::to_string(i) + "]", "must be \"sms\", \"email\" or \"voice\""});
    } else if (std::find(channels.begin(), channels.end(), *channel) == channels.end()) {
      channels.push_back(*channel);
    }
  }
  return channels;
}

inline std::string element_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace liaison::services
