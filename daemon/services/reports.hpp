// Equity reports for family-engagement offices, as plain functions over figures read from
// Redis (docs/reports.md): reach by language and channel, and interpreter requests by
// language (fill rate, time to fill, family confirmations, late cancellations). JSON and CSV.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/services/announcement_store.hpp"
#include "daemon/services/interpretation_store.hpp"

namespace liaison::services {

struct report_period {
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;
};

// `from` / `to` query values: RFC 3339 times or dates (YYYY-MM-DD, midnight UTC; `to` is then
// the end of that day). Defaults: the 30 days before `now`. nullopt when malformed or from > to.
std::optional<report_period> parse_report_period(std::optional<std::string_view> from,
                                                 std::optional<std::string_view> to,
                                                 std::chrono::system_clock::time_point now);

struct reach_row {
  std::string language;
  long long families = 0;  // distinct families addressed
  long long reached = 0;   // … reached on at least one channel
  long long replied = 0;
  // channel -> phase (queued, deferred, sent, delivered, failed, opted_out, cancelled) -> count
  std::map<std::string, std::map<std::string, long long>> channels;
};
std::vector<reach_row> reach_rows(const reach_figures& figures);
boost::json::object reach_json(const std::vector<reach_row>& rows, const report_period& period,
                               std::size_t announcements);
// One line per language and channel; the family counts repeat on each of a language's lines.
std::string reach_csv(const std::vector<reach_row>& rows);

struct interpretation_row {
  std::string language;
  long long requests = 0;
  long long filled = 0;  // an interpreter accepted (whatever happened after)
  long long unfilled = 0;
  long long cancelled = 0;
  long long late_cancellations = 0;
  long long family_confirmed = 0;  // the family answered 1 to a reminder
  std::optional<double> median_minutes_to_fill;
};
std::vector<interpretation_row> interpretation_rows(const std::vector<stored_request>& requests);
boost::json::object interpretation_json(const std::vector<interpretation_row>& rows,
                                        const report_period& period);
std::string interpretation_csv(const std::vector<interpretation_row>& rows);

}  // namespace liaison::services
