#include "channels/kannel.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "channels/address.hpp"
#include "channels/outcome.hpp"
#include "i18n/utf8.hpp"
#include "support/crypto.hpp"

namespace liaison::channels {

namespace {

std::string lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

}  // namespace

http_request build_kannel_request(const kannel_settings& settings,
                                  const rendered_delivery& delivery, bool ucs2) {
  std::string url = trim_slash(settings.base_url);
  const auto parsed = boost::urls::parse_uri(url);
  if (parsed && (parsed->encoded_path().empty() || parsed->encoded_path() == "/")) {
    url += "/cgi-bin/sendsms";
  }
  const std::string dlr_url =
      trim_slash(settings.public_url) +
      "/v1/providers/kannel/dlr?delivery_id=" + form_encode(delivery.delivery_id) +
      "&sig=" + kannel_dlr_signature(settings.dlr_secret, delivery.delivery_id) +
      "&type=%d&answer=%A";
  std::string query = "username=" + form_encode(settings.username) +
                      "&password=" + form_encode(settings.password) +
                      "&to=" + form_encode(delivery.address);
  if (!settings.from.empty()) {
    query += "&from=" + form_encode(settings.from);
  }
  if (!settings.smsc.empty()) {
    query += "&smsc=" + form_encode(settings.smsc);
  }
  query += "&text=" + form_encode(delivery.text);
  query += "&charset=UTF-8&coding=";
  query += ucs2 ? "2" : "0";
  query += "&dlr-mask=31&dlr-url=" + form_encode(dlr_url);

  http_request req;
  req.method = "GET";
  req.url = url + (url.find('?') == std::string::npos ? "?" : "&") + query;
  req.timeout = settings.timeout;
  return req;
}

std::string kannel_dlr_signature(std::string_view dlr_secret, std::string_view delivery_id) {
  return hex_encode(hmac_sha256(dlr_secret, delivery_id));
}

callback_verdict verify_kannel_dlr(std::string_view dlr_secret, std::string_view delivery_id,
                                   std::string_view signature) {
  if (signature.empty() || delivery_id.empty()) {
    return callback_verdict::missing;
  }
  constexpr std::size_t sha256_hex_digits = 64;
  if (signature.size() != sha256_hex_digits ||
      signature.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return callback_verdict::malformed;
  }
  return constant_time_equal(kannel_dlr_signature(dlr_secret, delivery_id), signature)
             ? callback_verdict::valid
             : callback_verdict::wrong_signature;
}

callback_verdict verify_kannel_mo_token(std::string_view expected, std::string_view given) {
  if (expected.empty() || given.empty()) {
    return callback_verdict::missing;
  }
  return constant_time_equal(expected, given) ? callback_verdict::valid
                                              : callback_verdict::wrong_signature;
}

std::optional<inbound_text> parse_kannel_mo(std::string_view from, std::string_view to,
                                            std::optional<std::string_view> text,
                                            std::string_view default_region) {
  if (!text) {
    return std::nullopt;
  }
  auto sender = normalize_phone(from, default_region);
  if (!sender.normalized) {
    return std::nullopt;
  }
  return inbound_text{std::move(*sender.normalized), std::string(to), std::string(*text)};
}

std::optional<status_report> interpret_kannel_dlr(std::string_view delivery_id,
                                                  std::string_view type, std::string_view answer) {
  status_report report;
  report.delivery_id = std::string(delivery_id);
  if (type == "1") {
    report.state = "delivered";
    report.provider_status = "delivered";
  } else if (type == "2") {
    report.state = "undelivered";
    report.provider_status = "failed";
  } else if (type == "4") {
    report.state = "sent";
    report.provider_status = "buffered";
  } else if (type == "8") {
    report.state = "sent";
    report.provider_status = "submitted";
  } else if (type == "16") {
    report.state = "undelivered";
    report.provider_status = "rejected";
  } else {
    return std::nullopt;
  }
  if (report.state == "undelivered") {
    // The SMSC's own words ("NACK/0x0000000b/Invalid Destination Address"), bounded: it is
    // stored with the record.
    constexpr std::size_t max_answer = 200;
    std::size_t end = std::min(answer.size(), max_answer);
    // Never cut a UTF-8 character in two: back up over continuation bytes (10xxxxxx).
    while (end < answer.size() && end > 0 &&
           (static_cast<unsigned char>(answer[end]) & 0xC0) == 0x80) {
      --end;
    }
    // The answer is not covered by the dlr-url's signature and an SMSC may use any charset:
    // kept, with ill-formed UTF-8 replaced, so the record stays valid JSON when shown.
    report.error = i18n::repair_utf8(answer.substr(0, end));
  }
  return report;
}

delivery_outcome classify_kannel_answer(const http_response& response,
                                        const rendered_delivery& delivery,
                                        std::chrono::system_clock::time_point now) {
  delivery_outcome outcome = classify_http_answer(response, now);
  if (outcome.kind == outcome_kind::sent) {
    outcome.provider_message_id = delivery.delivery_id;
  } else {
    outcome.reason = "Kannel: " + outcome.reason;
  }
  return outcome;
}

kannel_provider::kannel_provider(const config::provider_config& cfg, std::string public_url,
                                 std::shared_ptr<http_client> client, liaison::clock clock)
    : name_(cfg.name),
      channels_(cfg.channels),
      client_(std::move(client)),
      clock_(std::move(clock)) {
  settings_.base_url = cfg.base_url;
  settings_.username = lookup(cfg.settings, "username");
  settings_.from = lookup(cfg.settings, "from");
  settings_.smsc = lookup(cfg.settings, "smsc");
  settings_.password = lookup(cfg.secrets, "password");
  settings_.dlr_secret = lookup(cfg.secrets, "dlr_secret");
  settings_.public_url = std::move(public_url);
  settings_.timeout = cfg.request_timeout;
}

bool kannel_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> kannel_provider::send(const rendered_delivery& delivery) {
  const auto analysis = splitter_.analyze(delivery.text);
  const bool ucs2 = !analysis || analysis.value->encoding == i18n::sms_encoding::ucs2;
  auto req = build_kannel_request(settings_, delivery, ucs2);
  const auto answer = co_await client_->request(std::move(req));
  if (!answer) {
    co_return classify_transport_error(answer.error());
  }
  co_return classify_kannel_answer(*answer, delivery, clock_.now_system());
}

}  // namespace liaison::channels
