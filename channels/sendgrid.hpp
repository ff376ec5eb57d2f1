// SendGrid v3 mail/send: one JSON POST per email, Bearer API key, 202 = accepted, the id in
// the X-Message-Id answer header (SendGrid's events carry it as sg_message_id's prefix).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "channels/email.hpp"
#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

struct sendgrid_settings {
  std::string base_url;  // https://api.sendgrid.com
  std::string api_key;
  mailbox from;
  std::string reply_to;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// personalizations[0].to, from, subject, content (text/plain then text/html), headers
// (Content-Language, List-Unsubscribe), custom_args.delivery_id (echoed in SendGrid's events).
std::string sendgrid_payload(const sendgrid_settings& settings, const rendered_delivery& delivery);
http_request build_sendgrid_request(const sendgrid_settings& settings,
                                    const rendered_delivery& delivery);

// 202/200 → sent with X-Message-Id; otherwise the generic HTTP rules (400 and 413 permanent,
// 401/403/429/5xx retry later).
delivery_outcome classify_sendgrid_answer(const http_response& response,
                                          std::chrono::system_clock::time_point now);

class sendgrid_provider final : public provider {
 public:
  // Throws std::invalid_argument when the `from` setting is not a mailbox.
  sendgrid_provider(const config::provider_config& cfg, std::shared_ptr<http_client> client,
                    liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  sendgrid_settings settings_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

}  // namespace liaison::channels
