// Email through an SMTP server with libcurl (smtp:// with STARTTLS, or smtps://): one
// multipart/alternative message (text/plain + text/html, UTF-8, quoted-printable) per delivery,
// built by curl_mime; headers curl cannot encode (Subject, From's name) as RFC 2047 words.
// Runs on the shared curl multi handle of an http_client, so no thread per message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "channels/email.hpp"
#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

enum class starttls_policy { required, opportunistic, off };

struct smtp_settings {
  std::string url;  // smtp://host:587 or smtps://host:465
  mailbox from;
  std::string reply_to;  // optional header value
  std::string username;  // optional: AUTH when set
  std::string password;
  starttls_policy starttls = starttls_policy::required;  // smtp:// only
  bool verify_tls = true;
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

// The message headers other than the MIME ones curl writes: From, To, Subject, Date,
// Message-ID, Content-Language, Reply-To, List-Unsubscribe (+ List-Unsubscribe-Post for
// https one-click links). Each is "Name: value".
std::vector<std::string> smtp_headers(const smtp_settings& settings,
                                      const rendered_delivery& delivery,
                                      std::string_view message_id,
                                      std::chrono::system_clock::time_point now);

class smtp_provider final : public provider {
 public:
  // Throws std::invalid_argument when the `from` setting is not a mailbox.
  smtp_provider(const config::provider_config& cfg, std::shared_ptr<http_client> client,
                liaison::clock clock = {});

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

  const smtp_settings& settings() const noexcept { return settings_; }

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  smtp_settings settings_;
  std::shared_ptr<http_client> client_;
  liaison::clock clock_;
};

}  // namespace liaison::channels
