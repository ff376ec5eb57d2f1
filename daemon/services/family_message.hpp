// A direct message to a family or one of its guardians (POST /v1/messages with
// `to.family_id`): an attendance notice or a teacher's note, written once and read by each
// guardian in their own language on their own channels. It is an announcement whose audience is
// one family (and optionally some of its guardians), so it shares validation, localization,
// quiet hours, progress and cancel with announcements.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <vector>

#include "daemon/services/announcement.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

// Whether a POST /v1/messages body addresses a family (rather than a phone or email address).
bool is_family_message(const boost::json::value& input);

// The announcement a family message is: `to: {family_id, guardian_id?}`, `channels`, `priority`,
// `school`, `source_language`, `subject`, `body`, `translations`, `machine_translation`,
// `arguments`, `send_at`. Errors use the message's own field names ("to.family_id").
// Unlike an announcement, it is staff writing to one family (often answering a reply), so
// `source_language` defaults to the district's language and `machine_translation` to
// `if_no_human_translation`: each guardian reads it in their language when a provider can
// translate it, and gets the original with the fallback notice when not.
announcement_validation validate_family_message(
    const boost::json::value& input, std::optional<std::chrono::system_clock::time_point> now,
    std::string_view district_language);

// An announcement error's field, in the message's terms ("audience.family_ids[0]" →
// "to.family_id").
std::string family_message_field(const std::string& announcement_field);

}  // namespace liaison::services
