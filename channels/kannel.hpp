// Kannel's sendsms HTTP interface (a district's own SMSC or GSM modem behind bearerbox/smsbox):
// one GET per message; 202 (or 200) = accepted. Delivery reports come back on our dlr-url, which
// carries an HMAC of the delivery id: Kannel signs nothing, so the URL itself is the proof that
// Liaison wrote it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "channels/status_report.hpp"
#include "i18n/sms_encoding.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

struct kannel_settings {
  std::string base_url;  // smsbox's sendsms port, e.g. http://127.0.0.1:13013
  std::string username;
  std::string password;
  std::string from;        // optional sender
  std::string smsc;        // optional: route through this SMSC id
  std::string public_url;  // ours, for dlr-url
  std::string dlr_secret;  // HMAC key of the dlr-url's signature (config dlr_secret_file)
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// GET {base}/cgi-bin/sendsms (unless base_url already names a path) with username, password,
// to, from, text, charset=UTF-8, coding (0 GSM-7 / 2 UCS-2, by i18n's analysis of the text),
// dlr-mask=31 (delivered, failed, buffered, submitted, rejected) and a dlr-url carrying the
// delivery id, its signature (kannel_dlr_signature) and Kannel's %d (report type) and %A (SMSC
// answer) escapes.
http_request build_kannel_request(const kannel_settings& settings,
                                  const rendered_delivery& delivery, bool ucs2);

// 202/200 → sent (the provider id is our delivery id: Kannel has none of its own before the
// DLR); 403 (bad credentials) and 5xx/503 (queue full, SMSC down) → retry later; other 4xx
// (missing or bad receiver, text too long) → permanent.
delivery_outcome classify_kannel_answer(const http_response& response,
                                        const rendered_delivery& delivery,
                                        std::chrono::system_clock::time_point now);

// The dlr-url's `sig`: lowercase hex HMAC-SHA256(dlr_secret, delivery id). Only the id is
// signed: Kannel fills in the type and answer itself, so they cannot be.
std::string kannel_dlr_signature(std::string_view dlr_secret, std::string_view delivery_id);
// Checks a DLR's `sig` in constant time: missing, malformed (not 64 hex digits) or wrong.
callback_verdict verify_kannel_dlr(std::string_view dlr_secret, std::string_view delivery_id,
                                   std::string_view signature);

// A Kannel delivery report as the queue's state. Kannel's DLR types (the dlr-mask bits):
// 1 delivered to the phone → delivered; 2 not delivered to the phone → undelivered;
// 4 buffered (queued on the SMSC) and 8 submitted (accepted by the SMSC) → sent (progress);
// 16 rejected by the SMSC → undelivered. nullopt for any other type. `answer` is the SMSC's
// text (%A), kept as the error of a failure.
std::optional<status_report> interpret_kannel_dlr(std::string_view delivery_id,
                                                  std::string_view type, std::string_view answer);

// Mobile-originated messages: smsbox's sms-service fetches our get-url
//   {public_url}/v1/providers/kannel/mo?token=<mo_token>&from=%p&to=%P&text=%a
// Kannel signs nothing and its get-url is fixed in kannel.conf, so the URL carries a shared
// secret (config mo_token_file, at least 32 characters), compared in constant time. The verdict:
// missing (no token given, or none configured), or wrong; never valid for an empty `expected`.
callback_verdict verify_kannel_mo_token(std::string_view expected, std::string_view given);

// The MO's fields (query parameters, decoded): `from` (%p) normalized to E.164 with
// libphonenumber (an SMSC may drop the "+" or send a national number; `default_region` reads
// those), `to` (%P) as given, `text` (%a) as given. nullopt when `from` is not a phone number
// or `text` is missing (an empty text is kept: it is no keyword and files nothing harmful).
std::optional<inbound_text> parse_kannel_mo(std::string_view from, std::string_view to,
                                            std::optional<std::string_view> text,
                                            std::string_view default_region = "US");

class kannel_provider final : public provider {
 public:
  kannel_provider(const config::provider_config& cfg, std::string public_url,
                  std::shared_ptr<http_client> client, liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  kannel_settings settings_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
  i18n::sms_splitter splitter_;  // one per provider: analysis without a new ICU iterator each time
};

}  // namespace liaison::channels
