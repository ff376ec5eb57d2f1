// Families' replies and staff answers, the decisions as plain functions: which school a reply
// concerns and where it is forwarded, whether it is translated and into which language, the
// email the school receives, and which messages are filed in a family's conversation. The
// services (reply_service, announcement_service) carry them out. docs/api.md, "Conversations".
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "daemon/services/announcement.hpp"
#include "daemon/services/direct_message.hpp"
#include "daemon/services/family.hpp"

namespace liaison::services {

// The school a reply is for and how it reads and receives replies.
struct reply_destination {
  std::string school;       // school id; empty = the district (no school known)
  std::string school_name;  // the name families know it by, else its id, else the district's
  std::string language;     // the language its staff read: the school's, else the district's
  std::string email;        // where the reply is forwarded; empty = kept in the conversation only
  std::string webhook;      // where it is also posted as a notice (the school's reply_webhook)
};

// The school of the announcement the guardian last received when the family has a student
// there (the reply most likely answers it), else the school of the family's first student,
// else the district. Its reply_email, else the district's coordinator_email.
reply_destination reply_destination_for(const family& f, std::string_view announcement_school,
                                        const config::district_config& district);

// Whether text written in `reply_language` needs a machine translation for staff reading
// `school_language` (canonical tags): the language to ask for, or nullopt when both are the
// same language (es-MX and es are) or no provider is configured.
std::optional<std::string> reply_translation_target(std::string_view reply_language,
                                                    std::string_view school_language,
                                                    bool provider_configured);

// What the school's email shows about one reply.
struct reply_to_forward {
  std::string family_id;
  std::string guardian_id;
  std::string guardian_name;
  std::string from;  // the guardian's number
  std::string channel = "sms";
  std::string language;  // what the reply is written in
  std::string text;      // as written
  std::chrono::system_clock::time_point at;
  std::optional<std::string> translation;  // into translation_language
  std::string translation_language;
  std::string translation_provider;
  std::string translation_error;  // why there is no translation, when one was wanted
  // The announcement the guardian last received, when known.
  std::string announcement_id;
  std::string announcement_summary;  // its subject, else the start of its text
};

// The `data` of the "reply.received" notice posted to a school's reply_webhook.
boost::json::object reply_notice_data(const reply_to_forward& reply,
                                      const reply_destination& destination);

// The email to the school: one direct message through the queue and the email channel, so it
// is retried like any delivery. The labels are English (the catalog has no staff strings yet);
// the texts are the family's and the machine's.
direct_message reply_forward_email(const reply_to_forward& reply,
                                   const reply_destination& destination);

// What an email shows of an announcement: its subject, else its text cut at about 200
// characters (whole code points).
std::string announcement_summary(const announcement& a);

// The family whose conversation an announcement is filed in: a message whose audience is
// exactly one family (POST /v1/messages with to.family_id), else nullopt.
std::optional<std::string> conversation_family(const announcement& a);

}  // namespace liaison::services
