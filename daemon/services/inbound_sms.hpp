// What an inbound SMS means for Liaison: a keyword (STOP/START/HELP in any catalog language)
// becomes opt-out changes and a reply in the guardian's language. The decision is a plain
// function; the service applies it to the directory and renders the reply.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "i18n/catalog.hpp"
#include "i18n/keywords.hpp"
#include "i18n/language.hpp"
#include "i18n/message_format.hpp"
#include "support/clock.hpp"

namespace liaison::services {

class announcement_service;
class conversation_store;
class interpretation_service;
class directory_store;
class reply_service;

struct inbound_decision {
  std::vector<config::channel> opt_out;  // channels the sender's number leaves
  std::vector<config::channel> opt_in;   // channels it rejoins
  std::optional<i18n::message_key> reply;
  // A language change ("español", "LANG so"): the guardian's new language (canonical tag).
  std::optional<std::string> new_language;
  // The language to answer in: the guardian's when the number is known, else the language of
  // the keyword used (PARAR → es), else the district's.
  std::string reply_language;
};

// STOP leaves SMS; STOPALL-like words leave SMS and voice (the number is all we know); START
// rejoins both; HELP only answers; a language name or "LANG <language>" changes the guardian's
// language and confirms in the new one; "LANG <unknown>" gets the HELP answer. Anything else
// needs no keyword action.
inbound_decision decide_inbound(const i18n::keyword_match& keyword,
                                const std::optional<std::string>& guardian_language,
                                std::string_view district_language);

class inbound_sms_service {
 public:
  inbound_sms_service(const config::district_config& district, directory_store& directory,
                      conversation_store& conversations, const clock& clock,
                      const i18n::message_catalog& catalog, i18n::keyword_parser keywords,
                      i18n::language_matcher catalog_languages);

  // Handles one inbound text from `from` (E.164); returns the reply text (empty for none).
  // The opt-out change is stored before the reply is returned. A text that is no keyword is
  // filed in the sender's family conversations (docs/api.md).
  boost::asio::awaitable<boost::system::result<std::string>> handle(std::string_view from,
                                                                    std::string_view body);

  // Where answers to announcement questions (RSVP) are counted; optional.
  void set_announcements(announcement_service& announcements) { announcements_ = &announcements; }
  // Where interpreters' answers to offers ("YES 4821") go; optional.
  void set_interpretation(interpretation_service& offers) { offers_ = &offers; }
  // What translates a filed reply and forwards it to the school; optional.
  void set_replies(reply_service& replies) { replies_ = &replies; }

 private:
  config::district_config district_;
  directory_store& directory_;
  conversation_store& conversations_;
  announcement_service* announcements_ = nullptr;
  interpretation_service* offers_ = nullptr;
  reply_service* replies_ = nullptr;
  const clock& clock_;
  i18n::message_renderer renderer_;
  i18n::keyword_parser keywords_;
  i18n::language_matcher catalog_languages_;
};

}  // namespace liaison::services
