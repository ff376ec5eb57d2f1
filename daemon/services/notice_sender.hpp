// Event notices to the district's own systems ([notices], the `notice` channel): what needs a
// person (an interpreter request nobody filled, a family asking to reschedule, a late
// cancellation) and families' replies for schools with a reply_webhook. Each notice is a
// durable delivery like any other, so it is retried until the receiver takes it, and its id is
// deterministic, so an event noticed twice (a retried step, two instances) is posted once.
//
// Body: {"id", "type", "occurred_at" (RFC 3339 UTC), "data": {…}}, signed like the webhook
// provider (X-Liaison-Timestamp, X-Liaison-Signature), with Idempotency-Key = id.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <map>
#include <string>

#include "config/config.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace liaison::services {

// The JSON body of a notice (pure).
std::string notice_body(std::string_view id, std::string_view type,
                        std::chrono::system_clock::time_point at, boost::json::object data);

class notice_sender {
 public:
  notice_sender(queue::delivery_queue& queue, const config::notices_config& cfg,
                const clock& clock);

  // Whether district notices go anywhere ([notices] url and secret set).
  bool district_enabled() const noexcept { return !url_.empty() && signed_; }

  // Queues a notice to the district's url (nothing when not configured). `id` names the event
  // (e.g. "unfilled:<request id>").
  boost::asio::awaitable<boost::system::result<void>> notify_district(std::string id,
                                                                      std::string type,
                                                                      boost::json::object data);
  // Queues a notice to another address (a school's reply_webhook); nothing when no secret.
  boost::asio::awaitable<boost::system::result<void>> notify(std::string url, std::string id,
                                                             std::string type,
                                                             boost::json::object data);

 private:
  queue::delivery_queue& queue_;
  std::string url_;
  bool signed_;                                       // the district's secret is set
  std::map<std::string, std::string> secret_by_url_;  // schools with their own secret
  const clock& clock_;
};

}  // namespace liaison::services
