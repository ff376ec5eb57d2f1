#include "daemon/services/conversation_store.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "daemon/services/directory_store.hpp"
#include "daemon/services/reply_forwarding.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

namespace json = boost::json;

boost::system::error_code redis_failure() {
  return boost::system::errc::make_error_code(boost::system::errc::io_error);
}

std::string reply_field(const queue::redis_reply& fields, std::string_view name) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text == name) {
      return fields.elements[i + 1].text;
    }
  }
  return {};
}

// Adds a translation only while its entry is still in the stream, and prunes translations of
// entries the stream's cap has dropped (so the hash stays as bounded as the stream). Stream ids
// are "<ms>-<seq>", compared as numbers.
constexpr const char* add_translation_source = R"lua(
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('HLEN', KEYS[2]) > tonumber(ARGV[3]) then
  local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
  local oldest_ms, oldest_seq = string.match(first, '^(%d+)-(%d+)$')
  oldest_ms, oldest_seq = tonumber(oldest_ms), tonumber(oldest_seq)
  for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
    local ms, seq = string.match(id, '^(%d+)-(%d+)$')
    if ms == nil or tonumber(ms) < oldest_ms or
       (tonumber(ms) == oldest_ms and tonumber(seq) < oldest_seq) then
      redis.call('HDEL', KEYS[2], id)
    end
  end
end
return 1
)lua";

std::vector<std::string> xadd(std::string key, std::vector<std::string> fields) {
  std::vector<std::string> command = {
      "XADD", std::move(key), "MAXLEN", "~", std::to_string(max_conversation_entries), "*"};
  std::move(fields.begin(), fields.end(), std::back_inserter(command));
  return command;
}

std::vector<std::string> inbound_fields(const guardian& g, std::string_view text,
                                        std::string_view at, std::string_view school,
                                        std::string_view announcement_id) {
  std::vector<std::string> fields = {"direction", "in",
                                     "channel",   "sms",
                                     "guardian",  g.id,
                                     "from",      g.phone,
                                     "language",  g.language,
                                     "text",      std::string(text),
                                     "at",        std::string(at),
                                     "school",    std::string(school)};
  if (!announcement_id.empty()) {
    fields.push_back("announcement");
    fields.push_back(std::string(announcement_id));
  }
  return fields;
}

std::vector<std::string> outbound_fields(const outbound_entry& e) {
  return {"direction",
          "out",
          "channel",
          e.channel,
          "guardian",
          e.guardian_id,
          "to",
          e.to,
          "language",
          e.language,
          "text",
          e.text,
          "original",
          e.original,
          "original_language",
          e.original_language,
          "school",
          e.school,
          "announcement",
          e.announcement,
          "at",
          format_rfc3339_utc(e.at)};
}

std::optional<conversation_translation> parse_translation(const queue::redis_reply& value) {
  if (value.kind != queue::redis_reply::kind_t::string) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto parsed = json::parse(value.text, ec);
  const auto* object = ec ? nullptr : parsed.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  const auto text = [&](std::string_view key) {
    const auto* v = object->if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  return conversation_translation{text("language"), text("text"), text("provider")};
}

}  // namespace

conversation_store::conversation_store(queue::redis_connection& redis, directory_store& directory,
                                       std::string key_prefix, config::district_config district)
    : redis_(redis),
      directory_(directory),
      prefix_(std::move(key_prefix)),
      district_(std::move(district)),
      add_translation_script_(add_translation_source) {}

std::string conversation_store::conversation_key(std::string_view family_id) const {
  return prefix_ + ":{d}:conversation:" + std::string(family_id);
}

std::string conversation_store::translations_key(std::string_view family_id) const {
  return conversation_key(family_id) + ":translations";
}

boost::asio::awaitable<boost::system::result<std::vector<filed_reply>>>
conversation_store::record_inbound_sms(std::string phone, std::string text,
                                       std::chrono::system_clock::time_point at,
                                       std::string announcement_id,
                                       std::string announcement_school) {
  auto families = co_await directory_.families_with_phone(phone);
  if (!families) {
    co_return families.error();
  }
  queue::redis_request request;
  std::vector<filed_reply> filed;
  const auto when = format_rfc3339_utc(at);
  for (auto& f : *families) {
    const auto g = std::find_if(f.guardians.begin(), f.guardians.end(),
                                [&](const guardian& x) { return x.phone == phone; });
    if (g == f.guardians.end()) {
      continue;
    }
    const auto school = reply_destination_for(f, announcement_school, district_).school;
    request.push(
        xadd(conversation_key(f.id), inbound_fields(*g, text, when, school, announcement_id)));
    filed.push_back({f, g->id, {}});
  }
  if (request.empty()) {
    co_return filed;
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (std::size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) {
      co_return redis_failure();
    }
    filed[i].entry_id = r.text;
  }
  co_return filed;
}

boost::asio::awaitable<boost::system::result<bool>> conversation_store::add_translation(
    std::string family_id, std::string entry_id, conversation_translation translation) {
  std::vector<std::string> keys = {conversation_key(family_id), translations_key(family_id)};
  const json::object value{{"language", translation.language},
                           {"text", translation.text},
                           {"provider", translation.provider}};
  std::vector<std::string> args = {std::move(entry_id), json::serialize(value),
                                   std::to_string(max_conversation_entries + 100)};
  auto reply = co_await add_translation_script_.run(redis_, std::move(keys), std::move(args));
  // result<bool> cannot tell an error_code from a bool by conversion: say which.
  using added = boost::system::result<bool>;
  if (!reply) {
    co_return added(boost::system::in_place_error, reply.error());
  }
  if (reply->is_error()) {
    co_return added(boost::system::in_place_error, redis_failure());
  }
  co_return added(boost::system::in_place_value, reply->integer == 1);
}

boost::asio::awaitable<boost::system::result<void>> conversation_store::record_outbound(
    outbound_entry entry) {
  auto command = xadd(conversation_key(entry.family_id), outbound_fields(entry));
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::vector<conversation_entry>>>
conversation_store::recent(std::string family_id, std::size_t count) {
  std::vector<std::string> command = {"XREVRANGE", conversation_key(family_id), "+", "-",
                                      "COUNT",     std::to_string(count)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::vector<conversation_entry> entries;
  std::vector<std::string> lookup = {"HMGET", translations_key(family_id)};
  for (auto it = reply->elements.rbegin(); it != reply->elements.rend(); ++it) {
    if (it->elements.size() != 2) {
      co_return redis_failure();
    }
    const auto& fields = it->elements[1];
    conversation_entry e;
    e.id = it->elements[0].text;
    e.direction = reply_field(fields, "direction");
    e.channel = reply_field(fields, "channel");
    e.guardian_id = reply_field(fields, "guardian");
    e.from = reply_field(fields, "from");
    e.to = reply_field(fields, "to");
    e.language = reply_field(fields, "language");
    e.text = reply_field(fields, "text");
    e.at = reply_field(fields, "at");
    e.school = reply_field(fields, "school");
    e.announcement = reply_field(fields, "announcement");
    e.original = reply_field(fields, "original");
    e.original_language = reply_field(fields, "original_language");
    lookup.push_back(e.id);
    entries.push_back(std::move(e));
  }
  if (entries.empty()) {
    co_return entries;
  }
  auto translations = co_await redis_.exec_one(std::move(lookup));
  if (!translations) {
    co_return translations.error();
  }
  if (translations->kind != queue::redis_reply::kind_t::array ||
      translations->elements.size() != entries.size()) {
    co_return redis_failure();
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].translation = parse_translation(translations->elements[i]);
  }
  co_return entries;
}

}  // namespace liaison::services
