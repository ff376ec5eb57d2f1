#include "config/config.hpp"

namespace liaison::config {

std::string_view to_string(channel c) noexcept {
  switch (c) {
    case channel::sms:
      return "sms";
    case channel::email:
      return "email";
    case channel::voice:
      return "voice";
    case channel::notice:
      return "notice";
  }
  return "unknown";
}

std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::school:
      return "school";
    case role::coordinator:
      return "coordinator";
    case role::admin:
      return "admin";
  }
  return "unknown";
}

std::string_view to_string(provider_kind k) noexcept {
  switch (k) {
    case provider_kind::outbox:
      return "outbox";
    case provider_kind::twilio:
      return "twilio";
    case provider_kind::kannel:
      return "kannel";
    case provider_kind::smtp:
      return "smtp";
    case provider_kind::sendgrid:
      return "sendgrid";
    case provider_kind::webhook:
      return "webhook";
  }
  return "unknown";
}

std::string_view to_string(priority p) noexcept {
  return p == priority::urgent ? "urgent" : "normal";
}

std::string_view to_string(translation_kind k) noexcept {
  switch (k) {
    case translation_kind::none:
      return "none";
    case translation_kind::apertium:
      return "apertium";
    case translation_kind::libretranslate:
      return "libretranslate";
    case translation_kind::google:
      return "google";
  }
  return "none";
}

const retry_rule& retry_config::rule(channel c, priority p) const noexcept {
  const retry_channel_config& per_channel = c == channel::sms     ? sms
                                            : c == channel::email ? email
                                            : c == channel::voice ? voice
                                                                  : notice;
  return p == priority::urgent ? per_channel.urgent : per_channel.normal;
}

}  // namespace liaison::config
