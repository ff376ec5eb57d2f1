#include "channels/sendgrid.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "channels/outcome.hpp"

namespace liaison::channels {

namespace {

std::string lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

boost::json::object address_object(const mailbox& m) {
  boost::json::object o;
  o["email"] = m.address;
  if (!m.display_name.empty()) {
    o["name"] = m.display_name;
  }
  return o;
}

}  // namespace

std::string sendgrid_payload(const sendgrid_settings& settings, const rendered_delivery& delivery) {
  boost::json::object to;
  to["email"] = delivery.address;
  boost::json::object personalization;
  personalization["to"] = boost::json::array{to};
  boost::json::object custom_args;
  custom_args["delivery_id"] = delivery.delivery_id;
  personalization["custom_args"] = custom_args;

  boost::json::object body;
  body["personalizations"] = boost::json::array{personalization};
  body["from"] = address_object(settings.from);
  if (const auto reply_to = parse_mailbox(settings.reply_to)) {
    body["reply_to"] = address_object(*reply_to);
  }
  body["subject"] = delivery.subject;
  boost::json::object plain;
  plain["type"] = "text/plain";
  plain["value"] = delivery.text;
  boost::json::object html;
  html["type"] = "text/html";
  html["value"] = email_html(delivery);
  body["content"] = boost::json::array{plain, html};
  boost::json::object headers;
  if (!delivery.language.empty()) {
    headers["Content-Language"] = delivery.language;
  }
  if (!delivery.unsubscribe_url.empty()) {
    headers["List-Unsubscribe"] = "<" + delivery.unsubscribe_url + ">";
  }
  if (!headers.empty()) {
    body["headers"] = headers;
  }
  return boost::json::serialize(body);
}

http_request build_sendgrid_request(const sendgrid_settings& settings,
                                    const rendered_delivery& delivery) {
  std::string base = settings.base_url;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  http_request req;
  req.method = "POST";
  req.url = base + "/v3/mail/send";
  req.headers.push_back({"Authorization", "Bearer " + settings.api_key});
  req.headers.push_back({"Content-Type", "application/json"});
  req.body = sendgrid_payload(settings, delivery);
  req.timeout = settings.timeout;
  return req;
}

delivery_outcome classify_sendgrid_answer(const http_response& response,
                                          std::chrono::system_clock::time_point now) {
  delivery_outcome outcome = classify_http_answer(response, now);
  if (outcome.kind == outcome_kind::sent) {
    if (const auto id = response.header("x-message-id")) {
      outcome.provider_message_id = std::string(*id);
    }
  } else {
    outcome.reason = "SendGrid: " + outcome.reason;
  }
  return outcome;
}

sendgrid_provider::sendgrid_provider(const config::provider_config& cfg,
                                     std::shared_ptr<http_client> client, liaison::clock clock)
    : name_(cfg.name),
      channels_(cfg.channels),
      client_(std::move(client)),
      clock_(std::move(clock)) {
  settings_.base_url = cfg.base_url;
  settings_.api_key = lookup(cfg.secrets, "api_key");
  const auto from = parse_mailbox(lookup(cfg.settings, "from"));
  if (!from) {
    throw std::invalid_argument("provider '" + cfg.name +
                                "': from must be an address or \"Name <address>\"");
  }
  settings_.from = *from;
  settings_.reply_to = lookup(cfg.settings, "reply_to");
  settings_.timeout = cfg.request_timeout;
}

bool sendgrid_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> sendgrid_provider::send(
    const rendered_delivery& delivery) {
  auto req = build_sendgrid_request(settings_, delivery);
  const auto answer = co_await client_->request(std::move(req));
  if (!answer) {
    co_return classify_transport_error(answer.error());
  }
  co_return classify_sendgrid_answer(*answer, clock_.now_system());
}

}  // namespace liaison::channels
