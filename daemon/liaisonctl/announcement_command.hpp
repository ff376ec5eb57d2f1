// liaisonctl announcement ID [--watch]: where an announcement stands (fan-out, then sends), with a
// progress bar that redraws until every delivery has an outcome. The arithmetic is here, apart
// from Redis, so it is tested on its own.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace liaison::ctl {

// An announcement's figures, summed over its languages and channels.
struct announcement_summary {
  std::string state;                        // scheduled, fanning_out, fanned_out, cancelled
  long long audience = -1;                  // families in the snapshot; -1 before fan-out starts
  long long families_done = 0;              // families fanned out
  long long deliveries = 0;                 // deliveries written
  std::map<std::string, long long> phases;  // queued, deferred, sent, delivered, failed, …

  // Deliveries with an outcome: sent or beyond, failed, opted out or cancelled.
  long long finished() const;
  // Nothing more will happen: fanned out (or cancelled) and no delivery on its way.
  bool complete() const;
};

// Sums "<language>|<channel>|<phase>" counts into phases.
std::map<std::string, long long> phases_of(const std::map<std::string, long long>& tally);

// One line: "[#######.............]  35%  fanned out 1,200/1,200 families · 840/2,400
// deliveries done (sent 800, delivered 40, failed 0) · 1,560 on their way". `width` is the bar's.
std::string progress_line(const announcement_summary& summary, std::size_t width = 30);

int run_announcement(std::span<const std::string_view> args);

}  // namespace liaison::ctl
