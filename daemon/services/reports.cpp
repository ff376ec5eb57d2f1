#include "daemon/services/reports.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

constexpr const char* phases[] = {"queued", "deferred",  "sent",     "delivered",
                                  "failed", "opted_out", "cancelled"};

std::optional<system_clock::time_point> parse_bound(std::string_view text, bool end_of_day) {
  if (text.size() == 10) {  // YYYY-MM-DD
    auto midnight = parse_rfc3339(std::string(text) + "T00:00:00Z");
    if (midnight && end_of_day) {
      *midnight += std::chrono::days(1);
    }
    return midnight;
  }
  return parse_rfc3339(text);
}

double rate(long long part, long long whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

std::optional<system_clock::time_point> time_of(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339);
}

}  // namespace

std::optional<report_period> parse_report_period(std::optional<std::string_view> from,
                                                 std::optional<std::string_view> to,
                                                 system_clock::time_point now) {
  report_period period{now - std::chrono::days(30), now};
  if (from) {
    auto parsed = parse_bound(*from, false);
    if (!parsed) {
      return std::nullopt;
    }
    period.from = *parsed;
  }
  if (to) {
    auto parsed = parse_bound(*to, true);
    if (!parsed) {
      return std::nullopt;
    }
    period.to = *parsed;
  }
  if (period.from > period.to) {
    return std::nullopt;
  }
  return period;
}

std::vector<reach_row> reach_rows(const reach_figures& figures) {
  std::map<std::string, reach_row> rows;
  for (const auto& [language, families] : figures.by_language) {
    auto& row = rows[language];
    row.language = language;
    row.families = families.addressed;
    row.reached = families.reached;
    row.replied = families.replied;
  }
  for (const auto& [field, count] : figures.tallies) {
    // "<language>|<channel>|<phase>"
    const auto first = field.find('|');
    const auto second = field.find('|', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      continue;
    }
    auto& row = rows[field.substr(0, first)];
    row.language = field.substr(0, first);
    row.channels[field.substr(first + 1, second - first - 1)][field.substr(second + 1)] += count;
  }
  std::vector<reach_row> out;
  for (auto& [language, row] : rows) {
    out.push_back(std::move(row));
  }
  return out;
}

boost::json::object reach_json(const std::vector<reach_row>& rows, const report_period& period,
                               std::size_t announcements) {
  boost::json::array languages;
  for (const auto& row : rows) {
    boost::json::object channels;
    for (const auto& [channel, counts] : row.channels) {
      boost::json::object c;
      long long total = 0;
      for (const char* phase : phases) {
        const auto it = counts.find(phase);
        const long long n = it == counts.end() ? 0 : it->second;
        c[phase] = n;
        total += n;
      }
      c["deliveries"] = total;
      channels[channel] = std::move(c);
    }
    languages.push_back({{"language", row.language},
                         {"families", row.families},
                         {"reached", row.reached},
                         {"reach_rate", rate(row.reached, row.families)},
                         {"replied", row.replied},
                         {"channels", std::move(channels)}});
  }
  return {{"from", format_rfc3339_utc(period.from)},
          {"to", format_rfc3339_utc(period.to)},
          {"announcements", announcements},
          {"languages", std::move(languages)}};
}

std::string reach_csv(const std::vector<reach_row>& rows) {
  std::string csv = "language,families,reached,replied,channel";
  for (const char* phase : phases) {
    csv += ",";
    csv += phase;
  }
  csv += "\r\n";
  for (const auto& row : rows) {
    for (const auto& [channel, counts] : row.channels) {
      csv += row.language + "," + std::to_string(row.families) + "," + std::to_string(row.reached) +
             "," + std::to_string(row.replied) + "," + channel;
      for (const char* phase : phases) {
        const auto it = counts.find(phase);
        csv += "," + std::to_string(it == counts.end() ? 0 : it->second);
      }
      csv += "\r\n";
    }
  }
  return csv;
}

std::vector<interpretation_row> interpretation_rows(const std::vector<stored_request>& requests) {
  std::map<std::string, interpretation_row> rows;
  std::map<std::string, std::vector<double>> minutes_to_fill;
  for (const auto& r : requests) {
    auto& row = rows[r.value.language];
    row.language = r.value.language;
    ++row.requests;
    const auto created = time_of(r.created_at);
    bool filled = false;
    bool confirmed = false;
    for (const auto& t : r.history) {
      if (t.event == "assign" && !filled) {
        filled = true;
        const auto at = time_of(t.at);
        if (created && at) {
          minutes_to_fill[row.language].push_back(
              std::chrono::duration<double, std::ratio<60>>(*at - *created).count());
        }
      } else if (t.event == "confirm" && t.by == "family") {
        confirmed = true;
      }
    }
    row.filled += filled ? 1 : 0;
    row.family_confirmed += confirmed ? 1 : 0;
    row.unfilled += r.state == request_state::unfilled ? 1 : 0;
    row.cancelled += r.state == request_state::cancelled ? 1 : 0;
    row.late_cancellations += r.late_cancellation ? 1 : 0;
  }
  std::vector<interpretation_row> out;
  for (auto& [language, row] : rows) {
    auto& minutes = minutes_to_fill[language];
    if (!minutes.empty()) {
      std::sort(minutes.begin(), minutes.end());
      const auto n = minutes.size();
      row.median_minutes_to_fill =
          n % 2 == 1 ? minutes[n / 2] : (minutes[n / 2 - 1] + minutes[n / 2]) / 2;
    }
    out.push_back(std::move(row));
  }
  return out;
}

boost::json::object interpretation_json(const std::vector<interpretation_row>& rows,
                                        const report_period& period) {
  boost::json::array languages;
  for (const auto& row : rows) {
    boost::json::object o{{"language", row.language},
                          {"requests", row.requests},
                          {"filled", row.filled},
                          {"fill_rate", rate(row.filled, row.requests)},
                          {"unfilled", row.unfilled},
                          {"cancelled", row.cancelled},
                          {"late_cancellations", row.late_cancellations},
                          {"family_confirmed", row.family_confirmed},
                          {"family_confirmation_rate", rate(row.family_confirmed, row.filled)}};
    o["median_minutes_to_fill"] = row.median_minutes_to_fill
                                      ? boost::json::value(*row.median_minutes_to_fill)
                                      : boost::json::value(nullptr);
    languages.push_back(std::move(o));
  }
  return {{"from", format_rfc3339_utc(period.from)},
          {"to", format_rfc3339_utc(period.to)},
          {"languages", std::move(languages)}};
}

std::string interpretation_csv(const std::vector<interpretation_row>& rows) {
  std::string csv =
      "language,requests,filled,fill_rate,median_minutes_to_fill,unfilled,cancelled,"
      "late_cancellations,family_confirmed,family_confirmation_rate\r\n";
  for (const auto& row : rows) {
    csv += row.language + "," + std::to_string(row.requests) + "," + std::to_string(row.filled) +
           "," + number(rate(row.filled, row.requests)) + "," +
           (row.median_minutes_to_fill ? number(*row.median_minutes_to_fill) : std::string()) +
           "," + std::to_string(row.unfilled) + "," + std::to_string(row.cancelled) + "," +
           std::to_string(row.late_cancellations) + "," + std::to_string(row.family_confirmed) +
           "," + number(rate(row.family_confirmed, row.filled)) + "\r\n";
  }
  return csv;
}

}  // namespace liaison::services
