#include "channels/twilio.hpp"

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "channels/outcome.hpp"
#include "support/crypto.hpp"

namespace liaison::channels {

namespace {

std::string setting(const config::provider_config& cfg, const std::string& key) {
  const auto it = cfg.settings.find(key);
  return it == cfg.settings.end() ? std::string() : it->second;
}

std::string encode_form(const form_fields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += form_encode(key);
    out.push_back('=');
    out += form_encode(value);
  }
  return out;
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

http_request twilio_post(const twilio_settings& settings, std::string_view resource,
                         const form_fields& fields) {
  http_request req;
  req.method = "POST";
  req.url = trim_slash(settings.base_url) + "/2010-04-01/Accounts/" +
            form_encode(settings.account_sid) + "/" + std::string(resource);
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  req.headers.push_back({"Accept", "application/json"});
  req.body = encode_form(fields);
  req.basic_auth = basic_credentials{settings.account_sid, settings.auth_token};
  req.timeout = settings.timeout;
  return req;
}

// UTF-16 length is what Twilio counts; code points are close enough for the 1600 guard and
// never undercount by more than the surrogate pairs, so count code points conservatively.
std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_invalid_number_code(std::int64_t code) {
  // 21211 invalid 'To'; 21614 not a mobile number; 21217 not a valid number (voice).
  return code == 21211 || code == 21614 || code == 21217;
}

}  // namespace

std::string build_call_twiml(std::string_view text, std::string_view voice_language,
                             std::string_view prompt, std::string_view gather_action) {
  const std::string say_open = "<Say language=\"" + xml_escape(voice_language) + "\">";
  std::string twiml = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";
  twiml += R"(<Gather numDigits="1" method="POST" action=")" + xml_escape(gather_action) + "\">";
  if (!text.empty()) {
    twiml += say_open + xml_escape(text) + "</Say>";
  }
  if (!prompt.empty()) {
    twiml += say_open + xml_escape(prompt) + "</Say>";
  }
  twiml += "</Gather></Response>";
  return twiml;
}

std::string build_goodbye_twiml(std::string_view text, std::string_view voice_language) {
  std::string twiml = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";
  if (!text.empty() && !voice_language.empty()) {
    twiml += "<Say language=\"" + xml_escape(voice_language) + "\">" + xml_escape(text) + "</Say>";
  }
  twiml += "<Hangup/></Response>";
  return twiml;
}

std::string twilio_gather_action(std::string_view public_url, std::string_view delivery_id) {
  return trim_slash(std::string(public_url)) +
         "/v1/providers/twilio/voice?delivery_id=" + form_encode(delivery_id);
}

http_request build_twilio_sms_request(const twilio_settings& settings,
                                      const rendered_delivery& delivery) {
  form_fields fields;
  fields.emplace_back("To", delivery.address);
  if (!settings.messaging_service_sid.empty()) {
    fields.emplace_back("MessagingServiceSid", settings.messaging_service_sid);
  } else {
    fields.emplace_back("From", settings.from);
  }
  fields.emplace_back("Body", delivery.text);
  // The delivery id rides in the callback URL (signed by Twilio with the rest), so a status
  // finds its delivery without an index of Twilio's message ids.
  fields.emplace_back("StatusCallback", trim_slash(settings.public_url) +
                                            "/v1/providers/twilio/status?delivery_id=" +
                                            form_encode(delivery.delivery_id));
  return twilio_post(settings, "Messages.json", fields);
}

std::optional<http_request> build_twilio_call_request(const twilio_settings& settings,
                                                      const rendered_delivery& delivery) {
  const std::string base = trim_slash(settings.public_url);
  const std::string action = twilio_gather_action(settings.public_url, delivery.delivery_id);
  auto twiml =
      build_call_twiml(delivery.text, delivery.voice_language, delivery.voice_prompt, action);
  if (code_points(twiml) > twilio_max_twiml_chars) {
    return std::nullopt;
  }
  form_fields fields;
  fields.emplace_back("To", delivery.address);
  fields.emplace_back("From", settings.from);
  fields.emplace_back("Twiml", std::move(twiml));
  fields.emplace_back("StatusCallback", base + "/v1/providers/twilio/status?delivery_id=" +
                                            form_encode(delivery.delivery_id));
  return twilio_post(settings, "Calls.json", fields);
}

twilio_status_report interpret_twilio_status(const form_fields& fields) {
  twilio_status_report report;
  for (const auto& [key, value] : fields) {
    if (key == "MessageStatus" || key == "CallStatus") {
      report.status = value;
    } else if (key == "ErrorCode") {
      report.error_code = value;
    }
  }
  const auto& s = report.status;
  if (s == "delivered" || s == "read" || s == "completed") {
    report.final_state = "delivered";
  } else if (s == "undelivered" || s == "failed" || s == "busy" || s == "no-answer" ||
             s == "canceled") {
    report.final_state = "undelivered";
  }
  report.recipient_opted_out = report.error_code == "21610";
  return report;
}

delivery_outcome classify_twilio_answer(const http_response& response,
                                        std::chrono::system_clock::time_point now) {
  delivery_outcome outcome = classify_http_answer(response, now);
  boost::system::error_code ec;
  const auto json = boost::json::parse(response.body, ec);
  const auto* object = ec ? nullptr : json.if_object();

  if (outcome.kind == outcome_kind::sent) {
    if (object != nullptr) {
      if (const auto* sid = object->if_contains("sid"); sid != nullptr && sid->is_string()) {
        outcome.provider_message_id = std::string(sid->as_string());
      }
    }
    return outcome;
  }
  if (object == nullptr) {
    return outcome;
  }
  std::int64_t code = 0;
  if (const auto* c = object->if_contains("code")) {
    if (c->is_int64()) {
      code = c->as_int64();
    } else if (c->is_uint64()) {
      code = static_cast<std::int64_t>(c->as_uint64());
    }
  }
  std::string message;
  if (const auto* m = object->if_contains("message"); m != nullptr && m->is_string()) {
    message = std::string(m->as_string());
  }
  if (code != 0) {
    outcome.provider_code = std::to_string(code);
    outcome.reason = "Twilio error " + outcome.provider_code +
                     (message.empty() ? "" : ": " + body_excerpt(message)) + " (HTTP " +
                     std::to_string(response.status) + ")";
  }
  if (code == 20429) {
    outcome.kind = outcome_kind::retry_later;  // "Too Many Requests", whatever the status
  } else if (code == 21610) {
    outcome.kind = outcome_kind::permanent_failure;
    outcome.recipient_opted_out = true;
    outcome.retry_after.reset();
  } else if (is_invalid_number_code(code)) {
    outcome.kind = outcome_kind::permanent_failure;
    outcome.invalid_address = true;
    outcome.retry_after.reset();
  }
  return outcome;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& post_fields) {
  form_fields sorted = post_fields;
  std::sort(sorted.begin(), sorted.end());
  std::string data(url);
  for (const auto& [key, value] : sorted) {
    data += key;
    data += value;
  }
  return base64_encode(hmac_sha1(auth_token, data));
}

bool verify_twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& post_fields, std::string_view signature) {
  if (signature.empty() || auth_token.empty()) {
    return false;
  }
  bool valid = constant_time_equal(twilio_signature(auth_token, url, post_fields), signature);
  // The same URL with the default port made explicit, or dropped.
  auto parsed = boost::urls::parse_uri(url);
  if (parsed) {
    boost::urls::url other(*parsed);
    const auto scheme = other.scheme();
    const std::string_view default_port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
    if (!default_port.empty()) {
      if (other.has_port()) {
        if (other.port() == default_port) {
          other.remove_port();
        } else {
          return valid;
        }
      } else {
        other.set_port(default_port);
      }
      valid = constant_time_equal(twilio_signature(auth_token, other.buffer(), post_fields),
                                  signature) ||
              valid;
    }
  }
  return valid;
}

twilio_provider::twilio_provider(const config::provider_config& cfg, std::string public_url,
                                 std::shared_ptr<http_client> client, liaison::clock clock)
    : name_(cfg.name),
      channels_(cfg.channels),
      client_(std::move(client)),
      clock_(std::move(clock)) {
  settings_.base_url = cfg.base_url;
  settings_.account_sid = setting(cfg, "account_sid");
  settings_.from = setting(cfg, "from");
  settings_.messaging_service_sid = setting(cfg, "messaging_service_sid");
  const auto token = cfg.secrets.find("auth_token");
  settings_.auth_token = token == cfg.secrets.end() ? std::string() : token->second;
  settings_.public_url = std::move(public_url);
  settings_.timeout = cfg.request_timeout;
}

bool twilio_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> twilio_provider::send(const rendered_delivery& delivery) {
  delivery_outcome refused;
  refused.kind = outcome_kind::permanent_failure;
  std::optional<http_request> req;
  if (delivery.channel == config::channel::voice) {
    if (delivery.voice_language.empty()) {
      refused.reason = "Twilio cannot speak " + delivery.language + " (no voice language)";
      co_return refused;
    }
    req = build_twilio_call_request(settings_, delivery);
    if (!req) {
      refused.reason = "the call's TwiML is longer than Twilio's 4000 characters";
      co_return refused;
    }
  } else if (delivery.channel == config::channel::sms) {
    if (code_points(delivery.text) > twilio_max_body_chars) {
      refused.reason = "the SMS body is longer than Twilio's 1600 characters";
      co_return refused;
    }
    req = build_twilio_sms_request(settings_, delivery);
  } else {
    refused.reason = "Twilio does not send " + std::string(config::to_string(delivery.channel));
    co_return refused;
  }
  const auto answer = co_await client_->request(std::move(*req));
  if (!answer) {
    co_return classify_transport_error(answer.error());
  }
  co_return classify_twilio_answer(*answer, clock_.now_system());
}

}  // namespace liaison::channels
