#include "daemon/services/reply_forwarding.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "support/time_format.hpp"

namespace liaison::services {
namespace {

// The language subtag of a canonical BCP 47 tag: its first subtag.
std::string_view language_subtag(std::string_view tag) {
  return tag.substr(0, tag.find('-'));
}

// At most `max_bytes` of `text`, cut before a UTF-8 continuation byte never inside a character.
std::string cut_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end)) + "…";
}

}  // namespace

reply_destination reply_destination_for(const family& f, std::string_view announcement_school,
                                        const config::district_config& district) {
  reply_destination out;
  const auto attends = [&](std::string_view school) {
    return std::any_of(f.students.begin(), f.students.end(),
                       [&](const student& s) { return s.school == school; });
  };
  if (!announcement_school.empty() && attends(announcement_school)) {
    out.school = std::string(announcement_school);
  } else if (!f.students.empty()) {
    out.school = f.students.front().school;
  }
  out.school_name = out.school.empty() ? district.name : out.school;
  out.language = district.default_language;
  out.email = district.coordinator_email;
  if (const auto it = district.schools.find(out.school); it != district.schools.end()) {
    const auto& school = it->second;
    if (!school.name.empty()) {
      out.school_name = school.name;
    }
    if (!school.language.empty()) {
      out.language = school.language;
    }
    if (!school.reply_email.empty()) {
      out.email = school.reply_email;
    }
    out.webhook = school.reply_webhook;
  }
  return out;
}

boost::json::object reply_notice_data(const reply_to_forward& reply,
                                      const reply_destination& destination) {
  boost::json::object data = {{"school", destination.school},
                              {"family_id", reply.family_id},
                              {"guardian_id", reply.guardian_id},
                              {"guardian_name", reply.guardian_name},
                              {"from", reply.from},
                              {"channel", reply.channel},
                              {"language", reply.language},
                              {"text", reply.text},
                              {"received_at", format_rfc3339_utc(reply.at)}};
  if (reply.translation) {
    data["translation"] = {{"language", reply.translation_language},
                           {"text", *reply.translation},
                           {"provider", reply.translation_provider}};
  }
  if (!reply.announcement_id.empty()) {
    data["announcement_id"] = reply.announcement_id;
  }
  return data;
}

std::optional<std::string> reply_translation_target(std::string_view reply_language,
                                                    std::string_view school_language,
                                                    bool provider_configured) {
  if (!provider_configured || reply_language.empty() || school_language.empty() ||
      language_subtag(reply_language) == language_subtag(school_language)) {
    return std::nullopt;
  }
  return std::string(school_language);
}

direct_message reply_forward_email(const reply_to_forward& reply,
                                   const reply_destination& destination) {
  const std::string who = reply.guardian_name.empty() ? reply.guardian_id : reply.guardian_name;
  direct_message email;
  email.channel = config::channel::email;
  email.address = destination.email;
  email.language = destination.language;
  email.school = destination.school;
  email.subject = cut_utf8("Reply from " + who + " (family " + reply.family_id + ")", 240);
  std::string body = who + " (guardian " + reply.guardian_id + " of family " + reply.family_id +
                     ", " + reply.from + ") replied by " + reply.channel + " at " +
                     format_rfc3339_utc(reply.at) + ", in " + reply.language + ":\n\n" +
                     reply.text + "\n";
  if (reply.translation) {
    body += "\nMachine translation into " + reply.translation_language + " (" +
            reply.translation_provider + "; check the original before acting on it):\n\n" +
            *reply.translation + "\n";
  } else if (!reply.translation_error.empty()) {
    body += "\nNo machine translation into " + reply.translation_language + ": " +
            reply.translation_error + "\n";
  }
  if (!reply.announcement_id.empty()) {
    body += "\nThe last message the family received: " + reply.announcement_summary + " (" +
            reply.announcement_id + ")\n";
  }
  body += "\nThe conversation: GET /v1/conversations?family_id=" + reply.family_id +
          ". Answer the family with POST /v1/messages to family_id " + reply.family_id +
          ": they receive it in their language.\n";
  email.body = std::move(body);
  return email;
}

std::string announcement_summary(const announcement& a) {
  return cut_utf8(a.original.subject.empty() ? a.original.body : a.original.subject, 200);
}

std::optional<std::string> conversation_family(const announcement& a) {
  const auto& to = a.to;
  if (to.all || !to.schools.empty() || !to.grades.empty() || !to.tags.empty() ||
      to.family_ids.size() != 1) {
    return std::nullopt;
  }
  return to.family_ids.front();
}

}  // namespace liaison::services
