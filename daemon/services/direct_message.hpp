// A direct message (POST /v1/messages): one text to one guardian or address, e.g. an
// attendance notice. Validation and the delivery record it becomes, as plain functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "channels/address.hpp"
#include "config/config.hpp"
#include "i18n/result.hpp"
#include "support/bounded_memo.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

struct direct_message {
  config::channel channel = config::channel::sms;
  std::string address;   // E.164 phone or email address, normalized
  std::string language;  // canonical BCP 47
  std::string subject;   // email only
  std::string body;
  std::string school;  // the school it is sent for; required for school keys
};

struct direct_message_validation {
  std::optional<direct_message> message;
  std::vector<field_error> errors;  // every problem found, not just the first
};

// Limits that keep one request from becoming an unbounded delivery.
inline constexpr std::size_t max_sms_body_chars = 1600;  // Twilio's limit for one message
inline constexpr std::size_t max_email_body_bytes = 256 * 1024;
inline constexpr std::size_t max_subject_chars = 250;

// What validation remembers between messages, because a district writes to the same numbers in
// the same few languages again and again: libphonenumber's parse and validation (ICU regular
// expressions) and ICU's language-tag canonicalization were a sixth of liaisond's CPU per message.
// Bounded; one per event loop.
struct direct_message_memo {
  bounded_memo<channels::address_result> phones{100'000};  // "<region>|<text>" -> result
  bounded_memo<i18n::result<std::string>> languages{1'000};
};

// `memo` may be null (nothing remembered): the answer is the same either way.
direct_message_validation validate_direct_message(const boost::json::value& input,
                                                  std::string_view default_phone_region = "US",
                                                  direct_message_memo* memo = nullptr);

// The fields of the queued delivery record but its id, which the queue gives the message
// (queue::message_id_for); queue/ stores them as given.
std::map<std::string, std::string> to_delivery_record(const direct_message& message,
                                                      std::string_view created_at);

}  // namespace liaison::services
