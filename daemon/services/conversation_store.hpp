// Conversations: what families text back that is not a keyword ("¿A qué hora es el taller?")
// and what staff sent a family directly, kept per family so the school can read and answer it.
// One Redis stream per family, <prefix>:{d}:conversation:<family id>, capped at about 1,000
// entries; machine translations of replies, added after filing, in the hash
// <prefix>:{d}:conversation:<family id>:translations (entry id → JSON), pruned with the stream.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/services/family.hpp"
#include "queue/lua_script.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::services {

class directory_store;

struct conversation_translation {
  std::string language;
  std::string text;
  std::string provider;

  bool operator==(const conversation_translation&) const = default;
};

struct conversation_entry {
  std::string id;         // the stream entry id (time-ordered)
  std::string direction;  // "in": from the family; "out": from staff to the family
  std::string channel;    // "sms", "email", "voice"
  std::string guardian_id;
  std::string from;          // in: the guardian's address
  std::string to;            // out: the address it was sent to
  std::string language;      // in: the guardian's language; out: the language of the text sent
  std::string text;          // in: as written; out: the text sent
  std::string at;            // RFC 3339
  std::string school;        // the school it concerns (in) or was sent for (out); empty = district
  std::string announcement;  // in: the message the guardian last received; out: the message
  // out: what staff wrote, and in which language (the text sent may be a translation of it).
  std::string original;
  std::string original_language;
  std::optional<conversation_translation> translation;  // in: into the school's language
};

// A reply as filed in one family's conversation, for what follows filing (translation,
// forwarding).
struct filed_reply {
  family family_filed;  // the family as read when filing
  std::string guardian_id;
  std::string entry_id;
};

// A staff message as sent to one guardian (an "out" entry).
struct outbound_entry {
  std::string family_id;
  std::string guardian_id;
  std::string channel;
  std::string to;
  std::string language;
  std::string text;
  std::string original;
  std::string original_language;
  std::string school;
  std::string announcement;
  std::chrono::system_clock::time_point at;
};

inline constexpr std::size_t max_conversation_entries = 1000;

class conversation_store {
 public:
  conversation_store(queue::redis_connection& redis, directory_store& directory,
                     std::string key_prefix, config::district_config district);

  // Files a text from `phone` in the conversation of every family with a guardian of that
  // number, linked to the announcement the number was last sent (when known: `announcement_id`
  // and its school) and to the school the reply concerns (reply_forwarding.hpp). A number
  // nobody has is not filed (empty).
  boost::asio::awaitable<boost::system::result<std::vector<filed_reply>>> record_inbound_sms(
      std::string phone, std::string text, std::chrono::system_clock::time_point at,
      std::string announcement_id, std::string announcement_school);

  // Adds the machine translation of a filed entry; false when the entry is gone (trimmed).
  boost::asio::awaitable<boost::system::result<bool>> add_translation(
      std::string family_id, std::string entry_id, conversation_translation translation);

  boost::asio::awaitable<boost::system::result<void>> record_outbound(outbound_entry entry);

  // The newest `count` entries of a family's conversation, oldest first.
  boost::asio::awaitable<boost::system::result<std::vector<conversation_entry>>> recent(
      std::string family_id, std::size_t count);

  std::string conversation_key(std::string_view family_id) const;
  std::string translations_key(std::string_view family_id) const;

 private:
  queue::redis_connection& redis_;
  directory_store& directory_;
  std::string prefix_;
  config::district_config district_;
  queue::lua_script add_translation_script_;
};

}  // namespace liaison::services
