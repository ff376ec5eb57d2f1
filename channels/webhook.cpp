#include "channels/webhook.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "channels/address.hpp"
#include "channels/outcome.hpp"
#include "support/crypto.hpp"

namespace liaison::channels {

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
  std::string data(timestamp);
  data.push_back('.');
  data.append(body);
  return "sha256=" + hex_encode(hmac_sha256(secret, data));
}

webhook_verdict verify_webhook_signature(std::string_view secret, std::string_view timestamp,
                                         std::string_view body, std::string_view signature,
                                         std::chrono::system_clock::time_point now,
                                         std::chrono::seconds tolerance) {
  if (timestamp.empty() || signature.empty()) {
    return webhook_verdict::missing;
  }
  const auto sent = parse_unix_seconds(timestamp);
  if (!sent || !signature.starts_with("sha256=")) {
    return webhook_verdict::malformed;
  }
  // Checked before the timestamp: a stale but forged request is reported as forged.
  if (!constant_time_equal(webhook_signature(secret, timestamp, body), signature)) {
    return webhook_verdict::wrong_signature;
  }
  if (!within_tolerance(*sent, now, tolerance)) {
    return webhook_verdict::stale;
  }
  return webhook_verdict::valid;
}

std::optional<status_report> interpret_webhook_status(std::string_view body) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  const auto text = [object](std::string_view key) -> std::optional<std::string> {
    const auto* value = object->if_contains(key);
    if (value == nullptr || !value->is_string()) {
      return std::nullopt;
    }
    return std::string(value->as_string());
  };
  const auto id = text("delivery_id");
  const auto status = text("status");
  if (!id || id->empty() || !status) {
    return std::nullopt;
  }
  status_report report;
  report.delivery_id = *id;
  report.provider_status = *status;
  report.error = text("error").value_or("");
  const auto& s = *status;
  if (s == "delivered") {
    report.state = "delivered";
  } else if (s == "undelivered" || s == "failed" || s == "rejected" || s == "expired") {
    report.state = "undelivered";
  } else if (s == "sent" || s == "queued" || s == "accepted" || s == "buffered" ||
             s == "submitted") {
    report.state = "sent";
  } else {
    return std::nullopt;
  }
  return report;
}

std::optional<inbound_text> interpret_webhook_inbound(std::string_view body,
                                                      std::string_view default_region) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  const auto text = [object](std::string_view key) -> std::optional<std::string_view> {
    const auto* value = object->if_contains(key);
    if (value == nullptr || !value->is_string()) {
      return std::nullopt;
    }
    return std::string_view(value->as_string());
  };
  const auto from = text("from");
  const auto said = text("text");
  if (!from || !said) {
    return std::nullopt;
  }
  auto sender = normalize_phone(*from, default_region);
  if (!sender.normalized) {
    return std::nullopt;
  }
  return inbound_text{std::move(*sender.normalized), std::string(text("to").value_or("")),
                      std::string(*said)};
}

std::string webhook_payload(const rendered_delivery& delivery) {
  boost::json::object body;
  body["delivery_id"] = delivery.delivery_id;
  body["message_id"] = delivery.message_id;
  body["channel"] = config::to_string(delivery.channel);
  body["to"] = delivery.address;
  body["language"] = delivery.language;
  body["text"] = delivery.text;
  if (!delivery.subject.empty()) {
    body["subject"] = delivery.subject;
  }
  if (!delivery.voice_language.empty()) {
    body["voice_language"] = delivery.voice_language;
  }
  if (!delivery.voice_prompt.empty()) {
    body["voice_prompt"] = delivery.voice_prompt;
  }
  return boost::json::serialize(body);
}

http_request signed_json_post(std::string_view url, std::string_view secret, std::string body,
                              std::string_view idempotency_key,
                              std::chrono::system_clock::time_point now,
                              std::chrono::milliseconds timeout) {
  const auto timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  http_request req;
  req.method = "POST";
  req.url = std::string(url);
  req.body = std::move(body);
  req.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  req.headers.push_back({std::string(webhook_timestamp_header), timestamp});
  req.headers.push_back(
      {std::string(webhook_signature_header), webhook_signature(secret, timestamp, req.body)});
  // Lets the receiver drop a retry of a post it already took.
  req.headers.push_back({"Idempotency-Key", std::string(idempotency_key)});
  req.timeout = timeout;
  return req;
}

http_request build_webhook_request(std::string_view url, std::string_view secret,
                                   const rendered_delivery& delivery,
                                   std::chrono::system_clock::time_point now,
                                   std::chrono::milliseconds timeout) {
  return signed_json_post(url, secret, webhook_payload(delivery), delivery.delivery_id, now,
                          timeout);
}

delivery_outcome classify_webhook_answer(const http_response& response,
                                         const rendered_delivery& delivery,
                                         std::chrono::system_clock::time_point now) {
  delivery_outcome outcome = classify_http_answer(response, now);
  boost::system::error_code ec;
  const auto json = boost::json::parse(response.body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  if (outcome.kind == outcome_kind::sent) {
    outcome.provider_message_id = delivery.delivery_id;
    if (object != nullptr) {
      if (const auto* id = object->if_contains("id"); id != nullptr && id->is_string()) {
        outcome.provider_message_id = std::string(id->as_string());
      }
    }
    return outcome;
  }
  if (object != nullptr) {
    if (const auto* opted = object->if_contains("opted_out");
        opted != nullptr && opted->is_bool() && opted->as_bool()) {
      outcome.kind = outcome_kind::permanent_failure;
      outcome.recipient_opted_out = true;
      outcome.retry_after.reset();
    }
  }
  return outcome;
}

webhook_provider::webhook_provider(const config::provider_config& cfg,
                                   std::shared_ptr<http_client> client, liaison::clock clock)
    : name_(cfg.name),
      channels_(cfg.channels),
      url_(cfg.base_url),
      timeout_(cfg.request_timeout),
      client_(std::move(client)),
      clock_(std::move(clock)) {
  const auto it = cfg.secrets.find("secret");
  secret_ = it == cfg.secrets.end() ? std::string() : it->second;
}

bool webhook_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> webhook_provider::send(const rendered_delivery& delivery) {
  auto req = build_webhook_request(url_, secret_, delivery, clock_.now_system(), timeout_);
  const auto answer = co_await client_->request(std::move(req));
  if (!answer) {
    co_return classify_transport_error(answer.error());
  }
  co_return classify_webhook_answer(*answer, delivery, clock_.now_system());
}

notice_provider::notice_provider(std::string secret, std::chrono::milliseconds timeout,
                                 std::shared_ptr<http_client> client, liaison::clock clock,
                                 std::map<std::string, std::string> secret_by_url)
    : secret_(std::move(secret)),
      secret_by_url_(std::move(secret_by_url)),
      timeout_(timeout),
      client_(std::move(client)),
      clock_(std::move(clock)) {}

boost::asio::awaitable<delivery_outcome> notice_provider::send(const rendered_delivery& delivery) {
  const auto own = secret_by_url_.find(delivery.address);
  const std::string& secret = own == secret_by_url_.end() ? secret_ : own->second;
  auto req = signed_json_post(delivery.address, secret, delivery.text, delivery.delivery_id,
                              clock_.now_system(), timeout_);
  const auto answer = co_await client_->request(std::move(req));
  if (!answer) {
    co_return classify_transport_error(answer.error());
  }
  auto outcome = classify_http_answer(*answer, clock_.now_system());
  if (outcome.kind == outcome_kind::sent) {
    outcome.provider_message_id = delivery.delivery_id;
  }
  co_return outcome;
}

}  // namespace liaison::channels
