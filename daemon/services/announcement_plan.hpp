// Fan-out's decisions for one family, as a pure function of the announcement, the family, the
// catalog and the clock: which guardians get it on which channels, in which language, and
// whether each delivery goes now, waits for the end of quiet hours, or is skipped because the
// address opted out. The store (announcement_store) writes what this decides.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/services/announcement.hpp"
#include "daemon/services/family.hpp"
#include "queue/packed_record.hpp"

namespace liaison::i18n {
class quiet_hours;
}

namespace liaison::services {

enum class delivery_start {
  send,       // into the channel's stream now
  defer,      // into the delayed set until `due` (quiet hours)
  opted_out,  // recorded (so it is counted and explained) but never sent
};

// What the deliveries planned at one time have in common (queue/packed_record.hpp): the fields
// whose values they share, packed, the names of the columns of their rows, and the fields made
// of others (the delivery id, the tally group). A stream entry carries them once for all its
// records.
struct delivery_frame {
  std::string shared;
  std::string columns;
  std::string joined;
  queue::entry_frame view() const noexcept { return {shared, columns, joined}; }
};

struct planned_delivery {
  std::string delivery_id;  // deterministic: the same family planned twice gives the same ids
  config::channel channel = config::channel::sms;
  config::priority priority = config::priority::normal;
  delivery_start start = delivery_start::send;
  std::chrono::system_clock::time_point due;  // when start == defer
  std::string family_id;                      // for the reach counts
  std::string tally_group;                    // "<language>|<channel>": its progress counters
  // The delivery record's own values, packed as a row under frame->columns: fan-out writes
  // hundreds of thousands of them, so they go straight into the form the queue stores.
  std::string packed_row;
  // What it shares with the announcement's other deliveries planned at the same time.
  std::shared_ptr<const delivery_frame> frame;
  // All its fields unpacked (with its state and next attempt when it does not go now): for
  // previews, and the deliveries stored as a hash at once.
  std::map<std::string, std::string> record() const;
};

// The progress counters of an announcement: one hash field per (guardian language, channel,
// phase), e.g. "es-MX|sms|sent". Kept in the queue's key space, next to the deliveries.
std::string announcement_tally_suffix(std::string_view announcement_id);
// Its reach HyperLogLogs (docs/reports.md): "ann:<id>:<what>:<language>", `what` one of
// families (addressed), reached (handed to a provider on some channel), replied.
std::string announcement_reach_suffix(std::string_view announcement_id, std::string_view what,
                                      std::string_view language);

class announcement_planner {
 public:
  // `catalog_languages`: the languages notices can be written in. `machine_languages`: the
  // languages the configured translation provider reaches from the source (empty: none).
  announcement_planner(const announcement& a, std::string announcement_id,
                       std::vector<std::string> catalog_languages,
                       std::vector<std::string> machine_languages,
                       std::string district_default_language, const i18n::quiet_hours& quiet);

  // The deliveries for one family. Guardians whose language cannot be localized at all (which
  // validation prevents) are left out.
  std::vector<planned_delivery> plan(const family& f, std::chrono::system_clock::time_point now);
  // The same, appended to `out` (fan-out plans a page of families into one vector).
  void plan_into(std::vector<planned_delivery>& out, const family& f,
                 std::chrono::system_clock::time_point now);

  // The text a guardian of this language gets (computed once per language, then remembered);
  // nullptr when none can be chosen. Not stored in each delivery: the worker that renders it
  // asks a planner of the same announcement, which decides the same.
  const i18n::localization_choice* localization_for(const std::string& guardian_language);

  // What every delivery planned at `now` shares: the fields (the announcement, its priority and
  // school, the tally, the creation time, and the state "queued", which a delivery held back
  // or opted out overrides) and the names of its row's columns; plan() gives each delivery the
  // same pointer.
  const std::shared_ptr<const delivery_frame>& frame(std::chrono::system_clock::time_point now);

 private:
  void add(std::vector<planned_delivery>& out, const family& f, const guardian& g,
           config::channel c, std::string_view student_names,
           std::chrono::system_clock::time_point now);

  const announcement& announcement_;
  std::string id_;
  std::string tally_;
  i18n::localization_request request_;  // the announcement's part; the guardian's is filled in
  const i18n::quiet_hours& quiet_;
  std::map<std::string, std::optional<i18n::localization_choice>, std::less<>> choices_;
  // Kept from one delivery to the next: a page plans hundreds at the same `now`.
  queue::packed_row_writer writer_;
  std::chrono::system_clock::time_point frame_at_{};
  std::shared_ptr<const delivery_frame> frame_;
};

}  // namespace liaison::services
