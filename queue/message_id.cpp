#include "queue/message_id.hpp"

#include <algorithm>

namespace liaison::queue {
namespace {

constexpr std::string_view message_id_prefix = "msg_";
constexpr std::string_view urgent_suffix = "_urgent";
constexpr std::size_t max_number_digits = 20;  // a 64-bit number, as Redis's entry ids have two
constexpr std::size_t max_channel_length = 16;

bool all_in(std::string_view text, char first, char last) {
  return std::all_of(text.begin(), text.end(), [&](char c) { return c >= first && c <= last; });
}

bool is_number(std::string_view text) {
  return !text.empty() && text.size() <= max_number_digits && all_in(text, '0', '9');
}

}  // namespace

std::pair<std::string, std::string> message_id_affixes(std::string_view channel,
                                                       std::string_view priority) {
  std::string suffix = "_" + std::string(channel);
  if (priority == "urgent") {
    suffix += urgent_suffix;
  }
  return {std::string(message_id_prefix), std::move(suffix)};
}

std::string message_id_for(std::string_view entry_id, std::string_view channel,
                           std::string_view priority) {
  auto [prefix, suffix] = message_id_affixes(channel, priority);
  return prefix + std::string(entry_id) + suffix;
}

std::optional<message_location> locate_message(std::string_view message_id) {
  if (!message_id.starts_with(message_id_prefix)) {
    return std::nullopt;
  }
  std::string_view rest = message_id.substr(message_id_prefix.size());
  message_location location{{}, "normal", {}};
  if (rest.ends_with(urgent_suffix)) {
    location.priority = "urgent";
    rest.remove_suffix(urgent_suffix.size());
  }
  const auto underscore = rest.find('_');
  const auto dash = rest.find('-');
  if (underscore == std::string_view::npos || dash == std::string_view::npos || dash > underscore) {
    return std::nullopt;
  }
  const auto channel = rest.substr(underscore + 1);
  if (!is_number(rest.substr(0, dash)) ||
      !is_number(rest.substr(dash + 1, underscore - dash - 1)) || channel.empty() ||
      channel.size() > max_channel_length || !all_in(channel, 'a', 'z')) {
    return std::nullopt;
  }
  location.channel = channel;
  location.entry_id = rest.substr(0, underscore);
  return location;
}

}  // namespace liaison::queue
