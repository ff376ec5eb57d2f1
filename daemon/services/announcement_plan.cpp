#include "daemon/services/announcement_plan.hpp"

#include <algorithm>

#include "i18n/quiet_hours.hpp"
#include "i18n/voice.hpp"
#include "queue/packed_record.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

bool has(const std::vector<config::channel>& channels, config::channel c) {
  return std::find(channels.begin(), channels.end(), c) != channels.end();
}

bool has_address(const guardian& g, config::channel c) {
  return c == config::channel::email ? !g.email.empty() : !g.phone.empty();
}

// Student names joined by the unit separator; the renderer formats them as a list in the
// guardian's locale ("Ana y Luis"). A school's announcement names only that school's students.
std::string student_names(const family& f, std::string_view school) {
  std::string names;
  for (const auto& s : f.students) {
    if (s.name.empty() || (!school.empty() && s.school != school)) {
      continue;
    }
    if (!names.empty()) {
      names += '\x1f';
    }
    names += s.name;
  }
  return names;
}

}  // namespace

std::string announcement_tally_suffix(std::string_view announcement_id) {
  return "ann:" + std::string(announcement_id) + ":tally";
}

std::string announcement_reach_suffix(std::string_view announcement_id, std::string_view what,
                                      std::string_view language) {
  return "ann:" + std::string(announcement_id) + ":" + std::string(what) + ":" +
         std::string(language);
}

announcement_planner::announcement_planner(const announcement& a, std::string announcement_id,
                                           std::vector<std::string> catalog_languages,
                                           std::vector<std::string> machine_languages,
                                           std::string district_default_language,
                                           const i18n::quiet_hours& quiet)
    : announcement_(a),
      id_(std::move(announcement_id)),
      tally_(announcement_tally_suffix(id_)),
      quiet_(quiet) {
  request_.district_default = std::move(district_default_language);
  request_.source_language = a.source_language;
  for (const auto& [language, text] : a.translations) {
    request_.human_languages.push_back(language);
  }
  request_.notice_languages = std::move(catalog_languages);
  request_.policy = a.machine_translation;
  request_.machine_languages = std::move(machine_languages);
}

const i18n::localization_choice* announcement_planner::localization_for(
    const std::string& guardian_language) {
  // One choice per language for the whole announcement: families of a district speak a few
  // dozen languages, so this is computed a few dozen times, not once per guardian.
  auto it = choices_.find(guardian_language);
  if (it == choices_.end()) {
    request_.guardian_language = guardian_language;
    auto chosen = i18n::choose_localization(request_);
    it = choices_.emplace(guardian_language, std::move(chosen.value)).first;
  }
  return it->second ? &*it->second : nullptr;
}

void announcement_planner::add(std::vector<planned_delivery>& out, const family& f,
                               const guardian& g, config::channel c, std::string_view student_names,
                               system_clock::time_point now) {
  planned_delivery d;
  d.channel = c;
  d.priority = announcement_.priority;
  const auto channel_name = config::to_string(c);
  d.delivery_id.reserve(id_.size() + f.id.size() + g.id.size() + channel_name.size() + 3);
  d.delivery_id.append(id_).append(":").append(f.id).append(":").append(g.id).append(":").append(
      channel_name);
  if (has(g.opted_out, c)) {
    d.start = delivery_start::opted_out;
  } else if (announcement_.priority == config::priority::normal && c != config::channel::email) {
    // Quiet hours hold back what rings or buzzes at night; email waits in the inbox anyway.
    d.due = quiet_.next_allowed(now, g.time_zone);
    d.start = d.due > now ? delivery_start::defer : delivery_start::send;
  }
  d.family_id = f.id;
  d.tally_group.append(g.language).append("|").append(channel_name);
  d.frame = frame(now);
  // The row holds what differs per delivery, in the order of row_columns (the text choice is
  // the announcement's, per language; what all share is in the frame, and the id and tally
  // group are joined from the other fields when unpacked): every byte costs Redis time and
  // memory. A delivery that does not go now gets its state from record().
  d.packed_row = writer_.add(f.id)
                     .add(g.id)
                     .add(channel_name)
                     .add(c == config::channel::email ? g.email : g.phone)
                     .add(g.language)
                     .add(g.time_zone)
                     .add(g.name)
                     .add(student_names)
                     .finish();
  out.push_back(std::move(d));
}

const std::shared_ptr<const delivery_frame>& announcement_planner::frame(
    system_clock::time_point now) {
  if (frame_ == nullptr || now != frame_at_) {
    frame_at_ = now;
    queue::packed_record_writer shared;
    shared.add("announcement", id_).add("priority", config::to_string(announcement_.priority));
    if (!announcement_.school.empty()) {
      shared.add("school", announcement_.school);
    }
    shared.add("created_at", format_rfc3339_utc(now)).add("tally", tally_).add("state", "queued");
    static constexpr std::string_view row_columns[] = {"family",        "guardian",     "channel",
                                                       "address",       "language",     "time_zone",
                                                       "guardian_name", "student_names"};
    // As delivery_id and tally_group are made above.
    const std::vector<queue::joined_field> joined = {
        {"id", ":", {"announcement", "family", "guardian", "channel"}},
        {"tally_group", "|", {"language", "channel"}}};
    frame_ = std::make_shared<const delivery_frame>(delivery_frame{
        shared.finish(), queue::pack_columns({std::begin(row_columns), std::end(row_columns)}),
        queue::pack_joined(joined)});
  }
  return frame_;
}

std::map<std::string, std::string> planned_delivery::record() const {
  std::map<std::string, std::string> fields;
  if (frame != nullptr) {
    auto unpacked = queue::unpack_records(queue::pack_records({packed_row}, frame->view()));
    if (unpacked && unpacked->size() == 1) {
      fields = std::move(unpacked->front());
    }
  }
  if (start != delivery_start::send) {
    fields["state"] = start == delivery_start::defer ? "deferred" : "opted_out";
  }
  if (start == delivery_start::defer) {
    fields["next_attempt_at"] = format_rfc3339_utc(due);
  }
  return fields;
}

std::vector<planned_delivery> announcement_planner::plan(const family& f,
                                                         system_clock::time_point now) {
  std::vector<planned_delivery> out;
  plan_into(out, f, now);
  return out;
}

void announcement_planner::plan_into(std::vector<planned_delivery>& out, const family& f,
                                     system_clock::time_point now) {
  const std::string names = student_names(f, announcement_.school);  // the same for every guardian
  const auto& only = announcement_.to.guardian_ids;
  for (const auto& g : f.guardians) {
    if (!only.empty() && std::find(only.begin(), only.end(), g.id) == only.end()) {
      continue;
    }
    const auto* choice = localization_for(g.language);
    if (choice == nullptr) {
      continue;
    }
    // The channels both the announcement and the guardian want, where the guardian has an
    // address for them.
    std::vector<config::channel> channels;
    for (auto c : announcement_.channels) {
      if (has(g.channels, c) && has_address(g, c)) {
        channels.push_back(c);
      }
    }
    if (has(channels, config::channel::voice)) {
      // A call is only placed when the text is in the guardian's language and the voice can
      // speak it (in the guardian's locale): a call in another language reaches no one.
      // Otherwise the family reads it instead, by SMS or else email.
      if (!choice->in_guardian_language || !i18n::twilio_voice_for(choice->format_locale)) {
        std::erase(channels, config::channel::voice);
        for (auto instead : {config::channel::sms, config::channel::email}) {
          if (has(g.channels, instead) && has_address(g, instead)) {
            if (!has(channels, instead)) {
              channels.push_back(instead);
            }
            break;
          }
        }
      }
    }
    for (auto c : channels) {
      add(out, f, g, c, names, now);
    }
  }
}

}  // namespace liaison::services
