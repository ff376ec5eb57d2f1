#include "daemon/services/directory_store.hpp"

#include <boost/json.hpp>

namespace liaison::services {
namespace {

// Replaces a family's document and index memberships atomically. The previous memberships are
// kept in the family's terms set, so they are removed even when the index rules change.
// KEYS[1] family key, KEYS[2] terms key; ARGV[1] family id, ARGV[2] JSON (empty = delete),
// ARGV[3] index key prefix, ARGV[4..] the new terms. Returns 1 when the family existed.
constexpr const char* replace_family_script = R"lua(
local existed = redis.call('EXISTS', KEYS[1])
for _, term in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('SREM', ARGV[3] .. term, ARGV[1])
end
redis.call('DEL', KEYS[2])
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  return existed
end
redis.call('SET', KEYS[1], ARGV[2])
for i = 4, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SADD', ARGV[3] .. ARGV[i], ARGV[1])
end
return existed
)lua";

boost::system::error_code redis_failure() {
  return boost::system::errc::make_error_code(boost::system::errc::io_error);
}

// result<bool> cannot be built from an error_code implicitly (bool would take it too).
boost::system::result<bool> failed(boost::system::error_code ec) {
  return {boost::system::in_place_error, ec};
}

}  // namespace

directory_store::directory_store(queue::redis_connection& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)) {}

std::string directory_store::family_key(std::string_view id) const {
  return prefix_ + ":{d}:family:" + std::string(id);
}

std::string directory_store::opt_out_key(config::channel c) const {
  return prefix_ + ":{d}:optout:" + std::string(config::to_string(c));
}

std::string directory_store::index_key(std::string_view term) const {
  return prefix_ + ":{d}:idx:" + std::string(term);
}

queue::redis_request directory_store::put_request(const family& f) const {
  std::vector<std::string> args = {"EVAL",
                                   replace_family_script,
                                   "2",
                                   family_key(f.id),
                                   prefix_ + ":{d}:terms:" + f.id,
                                   f.id,
                                   boost::json::serialize(to_json(f, true)),
                                   index_key("")};
  for (auto& term : index_terms(f)) {
    args.push_back(std::move(term));
  }
  queue::redis_request request;
  request.push(std::move(args));
  return request;
}

queue::redis_request directory_store::remove_request(std::string_view id) const {
  queue::redis_request request;
  request.push({"EVAL", replace_family_script, "2", family_key(id),
                prefix_ + ":{d}:terms:" + std::string(id), id, "", index_key("")});
  return request;
}

queue::redis_request directory_store::opt_out_query(const family& f) const {
  queue::redis_request request;
  for (const auto& g : f.guardians) {
    for (auto c : {config::channel::sms, config::channel::voice, config::channel::email}) {
      const auto& address = c == config::channel::email ? g.email : g.phone;
      request.push({"SISMEMBER", opt_out_key(c), address});
    }
  }
  return request;
}

boost::asio::awaitable<boost::system::result<bool>> directory_store::put(const family& f) {
  const auto request = put_request(f);
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return failed(replies.error());
  }
  if (replies->front().is_error()) {
    co_return failed(redis_failure());
  }
  co_return replies->front().integer == 0;
}

boost::asio::awaitable<boost::system::result<std::optional<family>>> directory_store::get(
    std::string_view id) {
  std::vector<std::string> command = {"GET", family_key(id)};
  auto stored = co_await redis_.exec_one(std::move(command));
  if (!stored) {
    co_return stored.error();
  }
  if (stored->is_nil()) {
    co_return std::optional<family>{};
  }
  if (stored->is_error()) {
    co_return redis_failure();
  }
  auto f = family_from_stored_json(stored->text);
  if (!f) {
    co_return redis_failure();
  }
  const auto query = opt_out_query(*f);
  auto flags = co_await redis_.exec(query);
  if (!flags) {
    co_return flags.error();
  }
  std::size_t next = 0;
  for (auto& g : f->guardians) {
    for (auto c : {config::channel::sms, config::channel::voice, config::channel::email}) {
      if ((*flags)[next++].integer == 1) {
        g.opted_out.push_back(c);
      }
    }
  }
  co_return f;
}

boost::asio::awaitable<boost::system::result<bool>> directory_store::remove(std::string_view id) {
  const auto request = remove_request(id);
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return failed(replies.error());
  }
  if (replies->front().is_error()) {
    co_return failed(redis_failure());
  }
  co_return replies->front().integer == 1;
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
directory_store::guardian_language_by_phone(std::string_view phone) {
  std::vector<std::string> command = {"SRANDMEMBER", index_key("phone:" + std::string(phone))};
  auto member = co_await redis_.exec_one(std::move(command));
  if (!member) {
    co_return member.error();
  }
  if (member->is_nil() || member->is_error()) {
    co_return std::optional<std::string>{};
  }
  auto found = co_await get(member->text);
  if (!found) {
    co_return found.error();
  }
  if (*found) {
    for (const auto& g : (*found)->guardians) {
      if (g.phone == phone) {
        co_return std::optional<std::string>{g.language};
      }
    }
  }
  co_return std::optional<std::string>{};
}

boost::asio::awaitable<boost::system::result<bool>> directory_store::is_opted_out(
    config::channel c, std::string_view address) {
  std::vector<std::string> command = {"SISMEMBER", opt_out_key(c), std::string(address)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return failed(reply.error());
  }
  if (reply->is_error()) {
    co_return failed(redis_failure());
  }
  co_return reply->integer == 1;
}

boost::asio::awaitable<boost::system::result<void>> directory_store::set_opted_out(
    config::channel c, std::string_view address, bool opted_out) {
  std::vector<std::string> command = {opted_out ? "SADD" : "SREM", opt_out_key(c),
                                      std::string(address)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return boost::system::result<void>{};
}

}  // namespace liaison::services
