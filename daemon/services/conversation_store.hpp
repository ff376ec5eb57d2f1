// Conversations: what families text back that is not a keyword ("¿A qué hora es el taller?"),
// kept per family so the school can read and answer it. One Redis stream per family,
// <prefix>:{d}:conversation:<family id>, capped at about 1,000 entries.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "queue/redis_connection.hpp"

namespace liaison::services {

class directory_store;

struct conversation_entry {
  std::string id;         // the stream entry id (time-ordered)
  std::string direction;  // "in": from the family
  std::string channel;    // "sms"
  std::string guardian_id;
  std::string from;      // the guardian's address
  std::string language;  // the guardian's language when the text came in
  std::string text;      // as written
  std::string at;        // RFC 3339
};

inline constexpr std::size_t max_conversation_entries = 1000;

class conversation_store {
 public:
  conversation_store(queue::redis_connection& redis, directory_store& directory,
                     std::string key_prefix);

  // Files a text from `phone` in the conversation of every family with a guardian of that
  // number; returns how many families. A number nobody has is not filed (0).
  boost::asio::awaitable<boost::system::result<std::size_t>> record_inbound_sms(
      std::string_view phone, std::string_view text, std::chrono::system_clock::time_point at);

  // The newest `count` entries of a family's conversation, oldest first.
  boost::asio::awaitable<boost::system::result<std::vector<conversation_entry>>> recent(
      std::string_view family_id, std::size_t count);

  std::string conversation_key(std::string_view family_id) const;

 private:
  queue::redis_connection& redis_;
  directory_store& directory_;
  std::string prefix_;
};

}  // namespace liaison::services
