#include "daemon/services/conversation_store.hpp"

#include <algorithm>

#include "daemon/services/directory_store.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

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

}  // namespace

conversation_store::conversation_store(queue::redis_connection& redis, directory_store& directory,
                                       std::string key_prefix)
    : redis_(redis), directory_(directory), prefix_(std::move(key_prefix)) {}

std::string conversation_store::conversation_key(std::string_view family_id) const {
  return prefix_ + ":{d}:conversation:" + std::string(family_id);
}

boost::asio::awaitable<boost::system::result<std::size_t>> conversation_store::record_inbound_sms(
    std::string_view phone, std::string_view text, std::chrono::system_clock::time_point at) {
  auto families = co_await directory_.families_with_phone(phone);
  if (!families) {
    co_return families.error();
  }
  queue::redis_request request;
  const auto when = format_rfc3339_utc(at);
  for (const auto& f : *families) {
    const auto g = std::find_if(f.guardians.begin(), f.guardians.end(),
                                [&](const guardian& x) { return x.phone == phone; });
    if (g == f.guardians.end()) {
      continue;
    }
    request.push({"XADD",
                  conversation_key(f.id),
                  "MAXLEN",
                  "~",
                  std::to_string(max_conversation_entries),
                  "*",
                  "direction",
                  "in",
                  "channel",
                  "sms",
                  "guardian",
                  g->id,
                  "from",
                  phone,
                  "language",
                  g->language,
                  "text",
                  text,
                  "at",
                  when});
  }
  if (request.empty()) {
    co_return std::size_t{0};
  }
  auto replies = co_await redis_.exec(request);
  if (!replies) {
    co_return replies.error();
  }
  for (const auto& r : *replies) {
    if (r.is_error()) {
      co_return redis_failure();
    }
  }
  co_return replies->size();
}

boost::asio::awaitable<boost::system::result<std::vector<conversation_entry>>>
conversation_store::recent(std::string_view family_id, std::size_t count) {
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
  for (auto it = reply->elements.rbegin(); it != reply->elements.rend(); ++it) {
    if (it->elements.size() != 2) {
      co_return redis_failure();
    }
    const auto& fields = it->elements[1];
    entries.push_back({it->elements[0].text, reply_field(fields, "direction"),
                       reply_field(fields, "channel"), reply_field(fields, "guardian"),
                       reply_field(fields, "from"), reply_field(fields, "language"),
                       reply_field(fields, "text"), reply_field(fields, "at")});
  }
  co_return entries;
}

}  // namespace liaison::services
