// A direct message's id names the stream entry intake queued it as
// (delivery_queue::enqueue_message): "msg_<entry id>_<channel>", with "_urgent" after it for the
// urgent stream, e.g. "msg_1764245678123-0_sms". So a message needs neither a hash nor an index
// until a worker takes it: delivery_queue::find() reads the entry its id names (docs/queue.md,
// "Direct messages"). Pure functions, apart from the queue, so that code checking requests links
// without Redis.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace liaison::queue {

struct message_location {
  std::string channel;
  std::string priority;  // "urgent" or "normal"
  std::string entry_id;
};

std::string message_id_for(std::string_view entry_id, std::string_view channel,
                           std::string_view priority);
// What comes before and after the entry id in message_id_for's id, for a Lua script that learns
// the entry id only when it writes the entry.
std::pair<std::string, std::string> message_id_affixes(std::string_view channel,
                                                       std::string_view priority);
// Nullopt unless `message_id` has message_id_for's form: an entry id of two decimal numbers of
// at most 20 digits each, a channel of 1 to 16 lowercase letters.
std::optional<message_location> locate_message(std::string_view message_id);

}  // namespace liaison::queue
