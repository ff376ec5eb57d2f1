#include "channels/smtp.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "channels/detail/curl_easy.hpp"
#include "channels/detail/curl_multi.hpp"
#include "channels/outcome.hpp"
#include "support/crypto.hpp"

namespace liaison::channels {

namespace {

std::string lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

// Everything one SMTP transfer points at, alive until curl is done with it.
class smtp_transfer {
 public:
  bool prepare(const smtp_settings& settings, const rendered_delivery& delivery,
               const std::vector<std::string>& headers) {
    CURL* e = easy_.get();
    if (e == nullptr) {
      return false;
    }
    text_ = delivery.text;
    html_ = email_html(delivery);
    mail_from_ = "<" + settings.from.address + ">";
    set(CURLOPT_URL, settings.url.c_str());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, error_buffer_);
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout.count()));
    set(CURLOPT_SSL_VERIFYPEER, settings.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, settings.verify_tls ? 2L : 0L);
    const long use_ssl = settings.starttls == starttls_policy::required        ? CURLUSESSL_ALL
                         : settings.starttls == starttls_policy::opportunistic ? CURLUSESSL_TRY
                                                                               : CURLUSESSL_NONE;
    set(CURLOPT_USE_SSL, use_ssl);
    if (!settings.username.empty()) {
      set(CURLOPT_USERNAME, settings.username.c_str());
      set(CURLOPT_PASSWORD, settings.password.c_str());
    }
    set(CURLOPT_MAIL_FROM, mail_from_.c_str());
    recipients_.append("<" + delivery.address + ">");
    set(CURLOPT_MAIL_RCPT, recipients_.get());
    for (const auto& h : headers) {
      headers_.append(h);
    }
    set(CURLOPT_HTTPHEADER, headers_.get());

    // multipart/mixed (curl's top level) holding one multipart/alternative: plain, then HTML
    // (the last part is the one clients prefer).
    mime_.reset(curl_mime_init(e));
    alternative_ = curl_mime_init(e);
    if (!mime_ || alternative_ == nullptr) {
      return false;
    }
    add_text_part(alternative_, text_, "text/plain; charset=UTF-8");
    add_text_part(alternative_, html_, "text/html; charset=UTF-8");
    curl_mimepart* part = curl_mime_addpart(mime_.get());
    if (part == nullptr || curl_mime_subparts(part, alternative_) != CURLE_OK) {
      curl_mime_free(alternative_);
      return false;
    }
    alternative_ = nullptr;  // owned by `part` now
    curl_mime_type(part, "multipart/alternative");
    inline_disposition_.append("Content-Disposition: inline");
    curl_mime_headers(part, inline_disposition_.get(), 0);
    set(CURLOPT_MIMEPOST, mime_.get());
    return ok_;
  }

  CURL* easy() const noexcept { return easy_.get(); }

  delivery_outcome finish(CURLcode code) {
    long reply = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &reply);
    if (code == CURLE_OK) {
      return classify_smtp_reply(reply == 0 ? 250 : static_cast<int>(reply), {});
    }
    const std::string detail =
        error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(code);
    switch (code) {
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_BAD_FUNCTION_ARGUMENT: {
        delivery_outcome outcome;
        outcome.kind = outcome_kind::permanent_failure;
        outcome.reason = "SMTP: " + detail;
        return outcome;
      }
      case CURLE_LOGIN_DENIED:
        return classify_smtp_reply(535, detail);
      default:
        // Refused MAIL/RCPT/DATA carry the server's reply code; transport errors have none
        // (or a 2xx from an earlier step), which means retry later.
        if (reply >= 400) {
          return classify_smtp_reply(static_cast<int>(reply), detail);
        }
        return classify_smtp_reply(0, detail);
    }
  }

 private:
  template <class T>
  void set(CURLoption option, T value) {
    if (curl_easy_setopt(easy_.get(), option, value) != CURLE_OK) {
      ok_ = false;
    }
  }

  void add_text_part(curl_mime* mime, const std::string& data, const char* type) {
    curl_mimepart* part = curl_mime_addpart(mime);
    if (part == nullptr || curl_mime_data(part, data.data(), data.size()) != CURLE_OK ||
        curl_mime_type(part, type) != CURLE_OK ||
        curl_mime_encoder(part, "quoted-printable") != CURLE_OK) {
      ok_ = false;
    }
  }

  detail::easy_handle easy_ = detail::make_easy_handle();
  detail::mime_handle mime_;
  curl_mime* alternative_ = nullptr;
  detail::header_list recipients_;
  detail::header_list headers_;
  detail::header_list inline_disposition_;
  std::string text_;
  std::string html_;
  std::string mail_from_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  bool ok_ = true;
};

}  // namespace

std::vector<std::string> smtp_headers(const smtp_settings& settings,
                                      const rendered_delivery& delivery,
                                      std::string_view message_id,
                                      std::chrono::system_clock::time_point now) {
  std::vector<std::string> headers;
  headers.push_back("From: " + format_mailbox(settings.from));
  headers.push_back("To: <" + delivery.address + ">");
  headers.push_back("Subject: " + encode_header_words(delivery.subject));
  headers.push_back("Date: " + rfc5322_date(now));
  headers.push_back("Message-ID: " + std::string(message_id));
  if (!delivery.language.empty()) {
    headers.push_back("Content-Language: " + delivery.language);
  }
  if (!settings.reply_to.empty()) {
    headers.push_back("Reply-To: " + settings.reply_to);
  }
  if (!delivery.unsubscribe_url.empty()) {
    headers.push_back("List-Unsubscribe: <" + delivery.unsubscribe_url + ">");
    if (delivery.unsubscribe_url.starts_with("https://")) {
      headers.push_back("List-Unsubscribe-Post: List-Unsubscribe=One-Click");  // RFC 8058
    }
  }
  return headers;
}

smtp_provider::smtp_provider(const config::provider_config& cfg,
                             std::shared_ptr<http_client> client, liaison::clock clock)
    : name_(cfg.name),
      channels_(cfg.channels),
      client_(std::move(client)),
      clock_(std::move(clock)) {
  settings_.url = cfg.base_url;
  const auto from = parse_mailbox(lookup(cfg.settings, "from"));
  if (!from) {
    throw std::invalid_argument("provider '" + cfg.name +
                                "': from must be an address or \"Name <address>\"");
  }
  settings_.from = *from;
  settings_.reply_to = lookup(cfg.settings, "reply_to");
  settings_.username = lookup(cfg.settings, "username");
  settings_.password = lookup(cfg.secrets, "password");
  const auto starttls = lookup(cfg.settings, "starttls");
  settings_.starttls = starttls == "off"             ? starttls_policy::off
                       : starttls == "opportunistic" ? starttls_policy::opportunistic
                                                     : starttls_policy::required;
  settings_.verify_tls = client_->options().verify_tls;
  settings_.timeout = cfg.request_timeout;
}

bool smtp_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> smtp_provider::send(const rendered_delivery& delivery) {
  const auto at = settings_.from.address.rfind('@');
  const std::string message_id =
      "<" + delivery.delivery_id + "." + random_hex(4) + settings_.from.address.substr(at) + ">";
  const auto headers = smtp_headers(settings_, delivery, message_id, clock_.now_system());
  auto transfer = std::make_unique<smtp_transfer>();
  if (!transfer->prepare(settings_, delivery, headers)) {
    delivery_outcome failed;
    failed.kind = outcome_kind::permanent_failure;
    failed.reason = "SMTP: cannot prepare the message";
    co_return failed;
  }
  const CURLcode code =
      co_await client_->multi().async_perform(transfer->easy(), boost::asio::use_awaitable);
  auto outcome = transfer->finish(code);
  if (outcome.kind == outcome_kind::sent) {
    outcome.provider_message_id = message_id;
  }
  co_return outcome;
}

}  // namespace liaison::channels
