#include "channels/kannel.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "channels/outcome.hpp"

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
