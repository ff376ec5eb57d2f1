#include "daemon/services/template_store.hpp"

#include <boost/json.hpp>

namespace liaison::services {
namespace {

boost::system::error_code redis_failure() {
  return boost::system::errc::make_error_code(boost::system::errc::io_error);
}

// result<bool> cannot be built from an error_code implicitly (bool would take it too).
boost::system::result<bool> failed(boost::system::error_code ec) {
  return {boost::system::in_place_error, ec};
}

// A stored document read back through the API's validation: one that does not pass was not
// written by this code, and is reported as a store failure rather than served.
std::optional<message_template> template_from(std::string_view name, const std::string& text) {
  boost::system::error_code ec;
  const auto document = boost::json::parse(text, ec);
  if (ec) {
    return std::nullopt;
  }
  return validate_template(name, document).value;
}

// The integer replies of a MULTI … EXEC's commands, or nullopt when the transaction failed.
std::optional<std::vector<long long>> exec_integers(
    const std::vector<queue::redis_reply>& replies) {
  const auto& exec = replies.back();
  if (exec.kind != queue::redis_reply::kind_t::array) {
    return std::nullopt;
  }
  std::vector<long long> integers;
  for (const auto& reply : exec.elements) {
    if (reply.is_error()) {
      return std::nullopt;
    }
    integers.push_back(reply.integer);
  }
  return integers;
}

}  // namespace

template_store::template_store(queue::redis_connection& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)) {}

std::string template_store::template_key(std::string_view name) const {
  return prefix_ + ":{d}:template:" + std::string(name);
}

std::string template_store::names_key() const {
  return prefix_ + ":{d}:templates";
}

boost::asio::awaitable<boost::system::result<bool>> template_store::put(const message_template& t) {
  queue::redis_request request;
  request.push({"MULTI"});
  request.push({"SET", template_key(t.name), boost::json::serialize(to_json(t))});
  request.push({"ZADD", names_key(), "0", t.name});
  request.push({"EXEC"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return failed(replies.error());
  }
  const auto done = exec_integers(*replies);
  if (!done || done->size() != 2) {
    co_return failed(redis_failure());
  }
  co_return done->back() == 1;  // ZADD added the name: it was not listed before
}

boost::asio::awaitable<boost::system::result<std::optional<message_template>>> template_store::get(
    std::string_view name) {
  std::vector<std::string> command = {"GET", template_key(name)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return std::optional<message_template>{};
  }
  auto found = template_from(name, reply->text);
  if (!found) {
    co_return redis_failure();
  }
  co_return found;
}

boost::asio::awaitable<boost::system::result<std::vector<message_template>>>
template_store::list() {
  std::vector<std::string> range = {"ZRANGE", names_key(), "0", "-1"};
  auto names = co_await redis_.exec_one(std::move(range));
  if (!names) {
    co_return names.error();
  }
  if (names->kind != queue::redis_reply::kind_t::array) {
    co_return redis_failure();
  }
  std::vector<message_template> templates;
  if (names->elements.empty()) {
    co_return templates;
  }
  std::vector<std::string> mget = {"MGET"};
  for (const auto& name : names->elements) {
    mget.push_back(template_key(name.text));
  }
  auto documents = co_await redis_.exec_one(std::move(mget));
  if (!documents) {
    co_return documents.error();
  }
  if (documents->kind != queue::redis_reply::kind_t::array ||
      documents->elements.size() != names->elements.size()) {
    co_return redis_failure();
  }
  for (std::size_t i = 0; i < names->elements.size(); ++i) {
    const auto& document = documents->elements[i];
    if (document.is_nil()) {
      continue;  // deleted between the two reads
    }
    auto t = template_from(names->elements[i].text, document.text);
    if (!t) {
      co_return redis_failure();
    }
    templates.push_back(std::move(*t));
  }
  co_return templates;
}

boost::asio::awaitable<boost::system::result<bool>> template_store::remove(std::string_view name) {
  queue::redis_request request;
  request.push({"MULTI"});
  request.push({"DEL", template_key(name)});
  request.push({"ZREM", names_key(), name});
  request.push({"EXEC"});
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return failed(replies.error());
  }
  const auto done = exec_integers(*replies);
  if (!done || done->size() != 2) {
    co_return failed(redis_failure());
  }
  co_return done->front() == 1;
}

}  // namespace liaison::services
