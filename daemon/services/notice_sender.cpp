#include "daemon/services/notice_sender.hpp"

#include <boost/json.hpp>

#include "support/time_format.hpp"

namespace liaison::services {

std::string notice_body(std::string_view id, std::string_view type,
                        std::chrono::system_clock::time_point at, boost::json::object data) {
  boost::json::object body;
  body["id"] = id;
  body["type"] = type;
  body["occurred_at"] = format_rfc3339_utc(at);
  body["data"] = std::move(data);
  return boost::json::serialize(body);
}

notice_sender::notice_sender(queue::delivery_queue& queue, const config::notices_config& cfg,
                             const clock& clock)
    : queue_(queue),
      url_(cfg.url),
      signed_(!cfg.secret.empty()),
      secret_by_url_(cfg.secret_by_url),
      clock_(clock) {}

boost::asio::awaitable<boost::system::result<void>> notice_sender::notify_district(
    std::string id, std::string type, boost::json::object data) {
  if (!district_enabled()) {
    co_return boost::system::result<void>{};
  }
  co_return co_await notify(url_, std::move(id), std::move(type), std::move(data));
}

boost::asio::awaitable<boost::system::result<void>> notice_sender::notify(
    std::string url, std::string id, std::string type, boost::json::object data) {
  if (url.empty() || (!signed_ && !secret_by_url_.contains(url))) {
    co_return boost::system::result<void>{};
  }
  const auto now = clock_.now_system();
  const auto at = format_rfc3339_utc(now);
  const std::string delivery_id = "notice:" + id;
  const std::string channel(config::to_string(config::channel::notice));
  const queue::record_fields record = {
      {"id", delivery_id},       {"channel", channel},
      {"priority", "urgent"},    {"address", url},
      {"language", "en"},        {"body", notice_body(id, type, now, std::move(data))},
      {"notice_type", type},     {"state", "queued"},
      {"attempts", "0"},         {"created_at", at},
      {"retry_window_start", at}};
  auto queued = co_await queue_.enqueue_once(channel, delivery_id, record);
  if (!queued) {
    co_return queued.error();
  }
  co_return boost::system::result<void>{};
}

}  // namespace liaison::services
