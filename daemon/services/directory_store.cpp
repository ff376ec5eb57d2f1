#include "daemon/services/directory_store.hpp"

#include <array>
#include <boost/json.hpp>

namespace liaison::services {
namespace {

// The channels a guardian can opt out of, in the order get_many asks about them.
constexpr std::array<config::channel, 3> opt_out_channels = {
    config::channel::sms, config::channel::voice, config::channel::email};

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

// Where a fan-out resumes in its audience. KEYS[1] the audience's list, KEYS[2] its set;
// ARGV[1] the last family fanned out ("" = none yet). Returns the position after it, -1 when
// there is no snapshot, -2 when the family is not in it.
// Earlier versions kept the snapshot as a sorted set (every score 0, so in lexical order, which
// their pages followed): it becomes the set (counts per language take either) and a list in its
// own order, so the fan-out goes on where it was.
constexpr const char* resume_audience_source = R"lua(
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then return -1 end
if kind == 'zset' then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('SORT', KEYS[2], 'BY', 'nosort', 'STORE', KEYS[1])
end
if ARGV[1] == '' then return 0 end
local at = redis.call('LPOS', KEYS[1], ARGV[1])
if not at then return -2 end
return at + 1
)lua";

}  // namespace

directory_store::directory_store(queue::redis_connection& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)), resume_script_(resume_audience_source) {}

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
  // Every language a guardian has ever had: what a preview counts the audience by. Never
  // shrinks (a language with no family left counts zero), so it needs no bookkeeping on delete.
  std::vector<std::string> languages = {"SADD", languages_key()};
  for (const auto& g : f.guardians) {
    languages.push_back(g.language);
  }
  if (languages.size() > 2) {
    request.push(std::move(languages));
  }
  return request;
}

queue::redis_request directory_store::remove_request(std::string_view id) const {
  queue::redis_request request;
  request.push({"EVAL", replace_family_script, "2", family_key(id),
                prefix_ + ":{d}:terms:" + std::string(id), id, "", index_key("")});
  return request;
}

std::string directory_store::languages_key() const {
  return prefix_ + ":{d}:languages";
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
directory_store::known_languages() {
  std::vector<std::string> command = {"SMEMBERS", languages_key()};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::vector<std::string> languages;
  for (auto& element : reply->elements) {
    languages.push_back(std::move(element.text));
  }
  co_return languages;
}

std::string directory_store::audience_key(std::string_view name) const {
  return prefix_ + ":{d}:audience:" + std::string(name);
}

std::string directory_store::audience_members_key(std::string_view name) const {
  return prefix_ + ":{d}:audience-members:" + std::string(name);
}

// One SMISMEMBER per channel with every guardian's address for it, in guardian order: a page of
// families is three commands, not three per guardian.
queue::redis_request directory_store::opt_out_query(const std::vector<family>& families) const {
  queue::redis_request request;
  for (auto c : opt_out_channels) {
    std::vector<std::string> command = {"SMISMEMBER", opt_out_key(c)};
    for (const auto& f : families) {
      for (const auto& g : f.guardians) {
        command.push_back(c == config::channel::email ? g.email : g.phone);
      }
    }
    if (command.size() > 2) {
      request.push(std::move(command));
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

boost::asio::awaitable<boost::system::result<std::vector<bool>>> directory_store::put_many(
    const std::vector<family>& families) {
  queue::redis_request request;
  std::vector<std::size_t> eval_at;  // which reply is each family's EVAL
  for (const auto& f : families) {
    eval_at.push_back(request.size());
    request.append(put_request(f));
  }
  std::vector<bool> created;
  if (request.empty()) {
    co_return created;
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto at : eval_at) {
    const auto& reply = (*replies)[at];
    if (reply.is_error()) {
      co_return redis_failure();
    }
    created.push_back(reply.integer == 0);
  }
  co_return created;
}

boost::asio::awaitable<boost::system::result<std::optional<family>>> directory_store::get(
    std::string_view id) {
  const std::vector<std::string> ids = {std::string(id)};
  auto found = co_await get_many(ids);
  if (!found) {
    co_return found.error();
  }
  if (found->empty()) {
    co_return std::optional<family>{};
  }
  co_return std::optional<family>{std::move(found->front())};
}

boost::asio::awaitable<boost::system::result<std::vector<family>>> directory_store::get_many(
    const std::vector<std::string>& ids) {
  auto documents = co_await get_documents(ids);
  if (!documents) {
    co_return documents.error();
  }
  auto families = parse_documents(*documents);
  if (!families) {
    co_return families.error();
  }
  if (auto filled = co_await fill_opt_outs(&*families); !filled) {
    co_return filled.error();
  }
  co_return families;
}

boost::asio::awaitable<boost::system::result<std::vector<std::optional<std::string>>>>
directory_store::get_documents(const std::vector<std::string>& ids) {
  std::vector<std::optional<std::string>> documents;
  if (ids.empty()) {
    co_return documents;
  }
  std::vector<std::string> mget = {"MGET"};
  mget.reserve(ids.size() + 1);
  for (const auto& id : ids) {
    mget.push_back(family_key(id));
  }
  auto stored = co_await redis_.exec_one(std::move(mget));
  if (!stored) {
    co_return stored.error();
  }
  if (stored->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  documents.reserve(stored->elements.size());
  for (auto& document : stored->elements) {
    if (document.is_nil()) {
      documents.emplace_back();  // deleted since it was listed
    } else {
      documents.emplace_back(std::move(document.text));
    }
  }
  co_return documents;
}

boost::system::result<std::vector<family>> directory_store::parse_documents(
    const std::vector<std::optional<std::string>>& documents) {
  std::vector<family> families;
  families.reserve(documents.size());
  for (const auto& document : documents) {
    if (!document) {
      continue;
    }
    auto f = family_from_stored_json(*document);
    if (!f) {
      return redis_failure();
    }
    families.push_back(std::move(*f));
  }
  return families;
}

boost::asio::awaitable<boost::system::result<void>> directory_store::fill_opt_outs(
    std::vector<family>* families) {
  const auto query = opt_out_query(*families);
  if (query.empty()) {
    co_return boost::system::result<void>{};
  }
  auto flags = co_await redis_.exec(query);
  if (!flags) {
    co_return flags.error();
  }
  for (const auto& answer : *flags) {
    if (answer.kind != queue::redis_reply::kind_t::array) {
      co_return redis_failure();
    }
  }
  for (std::size_t i = 0; i < opt_out_channels.size() && i < flags->size(); ++i) {
    const auto& member = (*flags)[i].elements;  // 1 or 0 per guardian, in order
    std::size_t next = 0;
    for (auto& f : *families) {
      for (auto& g : f.guardians) {
        if (next < member.size() && member[next++].integer == 1) {
          g.opted_out.push_back(opt_out_channels[i]);
        }
      }
    }
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<long long>> directory_store::count_term(
    std::string_view term) {
  std::vector<std::string> command = {"SCARD", index_key(term)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_error()) {
    co_return redis_failure();
  }
  co_return reply->integer;
}

namespace {

// Adds to `request` the commands that gather an audience into the set `members`.
void push_collect(queue::redis_request& request, const std::string& members,
                  const std::vector<std::string>& sources,
                  const std::vector<std::string>& family_ids,
                  const std::vector<std::string>& limits) {
  request.push({"DEL", members});
  if (sources.size() == 1 && family_ids.empty()) {
    // One term (the whole district, one school): a copy of its set's table, about half the
    // work of a union, which adds every member one by one.
    request.push({"COPY", sources.front(), members, "REPLACE"});
  } else if (!sources.empty()) {
    std::vector<std::string> command = {"SUNIONSTORE", members};
    command.insert(command.end(), sources.begin(), sources.end());
    request.push(std::move(command));
  }
  for (std::size_t i = 0; i < family_ids.size(); i += 500) {
    std::vector<std::string> command = {"SADD", members};
    const auto end = std::min(family_ids.size(), i + 500);
    command.insert(command.end(), family_ids.begin() + static_cast<std::ptrdiff_t>(i),
                   family_ids.begin() + static_cast<std::ptrdiff_t>(end));
    request.push(std::move(command));
  }
  if (!limits.empty()) {
    const std::string within = members + ":within";
    std::vector<std::string> command = {"SUNIONSTORE", within};
    command.insert(command.end(), limits.begin(), limits.end());
    request.push(std::move(command));
    request.push({"SINTERSTORE", members, members, within});
    request.push({"DEL", within});
  }
}

}  // namespace

boost::asio::awaitable<boost::system::result<long long>> directory_store::collect_audience(
    std::string_view name, const std::vector<std::string>& union_terms,
    const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms) {
  co_return co_await gather_audience(name, union_terms, family_ids, within_terms, false, true);
}

boost::asio::awaitable<boost::system::result<long long>> directory_store::snapshot_audience(
    std::string_view name, const std::vector<std::string>& union_terms,
    const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms,
    bool keep_members) {
  co_return co_await gather_audience(name, union_terms, family_ids, within_terms, true,
                                     keep_members);
}

boost::asio::awaitable<boost::system::result<long long>> directory_store::gather_audience(
    std::string_view name, const std::vector<std::string>& union_terms,
    const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms,
    bool listed, bool keep_members) {
  const auto index_keys = [this](const std::vector<std::string>& terms) {
    std::vector<std::string> keys;
    keys.reserve(terms.size());
    for (const auto& term : terms) {
      keys.push_back(index_key(term));
    }
    return keys;
  };
  const std::string members = audience_members_key(name);
  const std::string list = audience_key(name);
  const auto sources = index_keys(union_terms);
  queue::redis_request request;
  request.push({"MULTI"});
  // Pages are read by position from a list, which stays as it is while the roster changes.
  // SORT is the one command that turns a set into a list; stored, a set comes out in lexical
  // order (Redis orders it so that a replica stores the same list). The pages need no order,
  // only a fixed one: BY nosort says so, and measures half of ALPHA's time on 160,000 ids.
  if (listed && !keep_members && sources.size() == 1 && family_ids.empty() &&
      within_terms.empty()) {
    // One index set and nothing to count: listed straight from it, no copy of the set.
    request.push({"DEL", list});
    request.push({"SORT", sources.front(), "BY", "nosort", "STORE", list});
  } else {
    push_collect(request, members, sources, family_ids, index_keys(within_terms));
    if (listed) {
      request.push({"DEL", list});
      request.push({"SORT", members, "BY", "nosort", "STORE", list});
    }
    if (!keep_members) {
      request.push({"UNLINK", members});
    }
  }
  if (listed) {
    request.push({"LLEN", list});
  } else {
    request.push({"SCARD", members});
  }
  request.push({"EXEC"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  const auto& exec = replies->back();
  if (exec.kind != queue::redis_reply::kind_t::array || exec.elements.empty() ||
      exec.elements.back().kind != queue::redis_reply::kind_t::integer) {
    co_return redis_failure();
  }
  co_return exec.elements.back().integer;
}

boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
directory_store::audience_page(std::string name, std::size_t position, std::size_t count) {
  if (count == 0) {
    co_return std::vector<std::string>{};
  }
  std::vector<std::string> command = {"LRANGE", audience_key(name), std::to_string(position),
                                      std::to_string(position + count - 1)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::vector<std::string> ids;
  ids.reserve(reply->elements.size());
  for (auto& element : reply->elements) {
    ids.push_back(std::move(element.text));
  }
  co_return ids;
}

boost::asio::awaitable<boost::system::result<std::optional<std::size_t>>>
directory_store::resume_audience(std::string_view name, std::string_view cursor) {
  std::vector<std::string> keys = {audience_key(name), audience_members_key(name)};
  std::vector<std::string> args = {std::string(cursor)};
  auto reply = co_await resume_script_.run(redis_, std::move(keys), std::move(args));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind != queue::redis_reply::kind_t::integer || reply->integer < -1) {
    // Not an answer, or a cursor that is not in its own snapshot: nothing to resume from safely.
    co_return redis_failure();
  }
  if (reply->integer == -1) {
    co_return std::optional<std::size_t>{};
  }
  co_return static_cast<std::size_t>(reply->integer);
}

boost::asio::awaitable<boost::system::result<void>> directory_store::drop_audience(
    std::string_view name) {
  // UNLINK: a 160,000-member set is freed in the background, not on Redis's main thread.
  std::vector<std::string> command = {"UNLINK", audience_key(name), audience_members_key(name)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::vector<long long>>>
directory_store::count_in_audience(std::string_view name, const std::vector<std::string>& terms) {
  queue::redis_request request;
  for (const auto& term : terms) {
    // ZINTERCARD takes sets as well as sorted sets (an earlier version's snapshot).
    request.push({"ZINTERCARD", "2", audience_members_key(name), index_key(term)});
  }
  std::vector<long long> counts;
  if (request.empty()) {
    co_return counts;
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& r : *replies) {
    if (r.is_error()) {
      co_return redis_failure();
    }
    counts.push_back(r.integer);
  }
  co_return counts;
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
  auto families = co_await families_with_phone(phone);
  if (!families) {
    co_return families.error();
  }
  for (const auto& f : *families) {
    for (const auto& g : f.guardians) {
      if (g.phone == phone) {
        co_return std::optional<std::string>{g.language};
      }
    }
  }
  co_return std::optional<std::string>{};
}

boost::asio::awaitable<boost::system::result<std::vector<family>>>
directory_store::families_with_phone(std::string_view phone) {
  std::vector<std::string> command = {"SMEMBERS", index_key("phone:" + std::string(phone))};
  auto members = co_await redis_.exec_one(std::move(command));
  if (!members) {
    co_return members.error();
  }
  if (members->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::vector<std::string> ids;
  for (const auto& m : members->elements) {
    ids.push_back(m.text);
  }
  co_return co_await get_many(ids);
}

boost::asio::awaitable<boost::system::result<std::size_t>> directory_store::set_language_by_phone(
    std::string_view phone, std::string_view language) {
  auto families = co_await families_with_phone(phone);
  if (!families) {
    co_return families.error();
  }
  std::size_t changed = 0;
  std::vector<family> updated;
  for (auto& f : *families) {
    bool touched = false;
    for (auto& g : f.guardians) {
      if (g.phone == phone && g.language != language) {
        g.language = std::string(language);
        touched = true;
        ++changed;
      } else if (g.phone == phone) {
        ++changed;  // already that language: confirmed all the same
      }
    }
    if (touched) {
      updated.push_back(std::move(f));
    }
  }
  if (auto stored = co_await put_many(updated); !stored) {
    co_return stored.error();
  }
  co_return changed;
}

std::vector<std::string> directory_store::opt_out_check(config::channel c,
                                                        std::string_view address) const {
  return {"SISMEMBER", opt_out_key(c), std::string(address)};
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
