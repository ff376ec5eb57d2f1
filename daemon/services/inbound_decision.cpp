// decide_inbound (inbound_sms.hpp): a plain function with a translation unit of its own, so the
// keyword fuzz target (fuzz/keywords.cpp) links it without the service and its stores.
#include "daemon/services/inbound_sms.hpp"

namespace liaison::services {

inbound_decision decide_inbound(const i18n::keyword_match& keyword,
                                const std::optional<std::string>& guardian_language,
                                std::string_view district_language) {
  inbound_decision decision;
  decision.reply_language = guardian_language           ? *guardian_language
                            : !keyword.language.empty() ? keyword.language
                                                        : std::string(district_language);
  switch (keyword.kind) {
    case i18n::keyword_kind::stop:
      decision.opt_out = {config::channel::sms};
      decision.reply = i18n::message_key::opt_out_confirmation;
      break;
    case i18n::keyword_kind::stop_all:
      decision.opt_out = {config::channel::sms, config::channel::voice};
      decision.reply = i18n::message_key::opt_out_confirmation;
      break;
    case i18n::keyword_kind::start:
      decision.opt_in = {config::channel::sms, config::channel::voice};
      decision.reply = i18n::message_key::opt_in_confirmation;
      break;
    case i18n::keyword_kind::help:
    case i18n::keyword_kind::unknown_language:
      decision.reply = i18n::message_key::help_reply;
      break;
    case i18n::keyword_kind::language_change:
      decision.new_language = keyword.language;
      decision.reply = i18n::message_key::language_changed;
      decision.reply_language = keyword.language;  // confirmed in the language chosen
      break;
    default:
      break;
  }
  return decision;
}

}  // namespace liaison::services
