#include "channels/sendgrid.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "channels/outcome.hpp"
#include "support/crypto.hpp"

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

namespace {

// The key's DER bytes: SendGrid shows bare Base64; an operator may paste a PEM block instead.
std::optional<std::string> public_key_der(std::string_view text) {
  std::string base64;
  std::string_view rest = text;
  const bool pem = text.find("-----BEGIN") != std::string_view::npos;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (pem && line.starts_with("-----")) {
      continue;
    }
    base64.append(line);
  }
  return base64_decode(base64);
}

}  // namespace

sendgrid_event_verifier::sendgrid_event_verifier(std::string_view public_key) {
  const auto der = public_key_der(public_key);
  if (!der || der->empty()) {
    throw std::invalid_argument("the SendGrid event webhook key is not Base64");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(der->data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &bytes, static_cast<long>(der->size()));
  if (key == nullptr) {
    throw std::invalid_argument("the SendGrid event webhook key is not a public key (DER)");
  }
  key_.reset(key, EVP_PKEY_free);
  char group[64] = {};
  std::size_t group_len = 0;
  if (!EVP_PKEY_is_a(key, "EC") ||
      EVP_PKEY_get_group_name(key, group, sizeof group, &group_len) != 1 ||
      std::string_view(group, group_len) != "prime256v1") {
    throw std::invalid_argument("the SendGrid event webhook key is not a P-256 (ECDSA) key");
  }
}

callback_verdict sendgrid_event_verifier::verify(std::string_view timestamp, std::string_view body,
                                                 std::string_view signature,
                                                 std::chrono::system_clock::time_point now,
                                                 std::chrono::seconds tolerance) const {
  if (timestamp.empty() || signature.empty()) {
    return callback_verdict::missing;
  }
  const auto sent = parse_unix_seconds(timestamp);
  const auto der_signature = base64_decode(signature);
  if (!sent || !der_signature || der_signature->empty()) {
    return callback_verdict::malformed;
  }
  std::string signed_text(timestamp);
  signed_text.append(body);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    throw std::runtime_error("EVP_DigestVerifyInit failed");
  }
  // 1 = valid; 0 = a wrong signature; < 0 = not even a DER signature. Neither of the last two
  // tells a forger anything the answer 403 does not.
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(der_signature->data()),
      der_signature->size(), reinterpret_cast<const unsigned char*>(signed_text.data()),
      signed_text.size());
  if (verified != 1) {
    return callback_verdict::wrong_signature;
  }
  if (!within_tolerance(*sent, now, tolerance)) {
    return callback_verdict::stale;
  }
  return callback_verdict::valid;
}

std::optional<std::vector<status_report>> interpret_sendgrid_events(std::string_view body) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  const auto* events = ec ? nullptr : json.if_array();
  if (events == nullptr) {
    return std::nullopt;
  }
  std::vector<status_report> reports;
  for (const auto& value : *events) {
    const auto* event = value.if_object();
    if (event == nullptr) {
      return std::nullopt;
    }
    const auto text = [event](std::string_view key) {
      const auto* v = event->if_contains(key);
      if (v == nullptr) {
        return std::string();
      }
      if (v->is_string()) {
        return std::string(v->as_string());
      }
      // SendGrid sends some codes as numbers (a bounce's "status" may be "5.1.1" or 550).
      return v->is_number() ? boost::json::serialize(*v) : std::string();
    };
    status_report report;
    report.delivery_id = text("delivery_id");
    report.provider_status = text("event");
    if (report.delivery_id.empty()) {
      continue;  // not one of ours (sent by another system on the same account)
    }
    const auto& kind = report.provider_status;
    if (kind == "delivered") {
      report.state = "delivered";
    } else if (kind == "bounce" || kind == "dropped") {
      report.state = "undelivered";
      const auto status = text("status");
      const auto reason = text("reason");
      report.error = status.empty() ? reason : reason.empty() ? status : status + " " + reason;
    } else if (kind == "deferred" || kind == "processed") {
      report.state = "sent";
    } else {
      continue;  // engagement (open, click…) says nothing about delivery
    }
    reports.push_back(std::move(report));
  }
  return reports;
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
