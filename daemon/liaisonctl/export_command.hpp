// liaisonctl export: every delivery record as one JSON object per line (NDJSON), for a
// district's data warehouse or an audit. Reads Redis with SCAN, a page at a time, so memory
// stays bounded however many records there are, and liaisond keeps running meanwhile.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace liaison::ctl {

struct export_filter {
  std::string announcement;  // only this announcement's deliveries (empty: all)
  std::string since;         // only records created at or after this RFC 3339 UTC time
};

// Whether a record passes the filter. Times compare as text: records store RFC 3339 UTC with
// milliseconds ("2025-03-04T21:30:00.000Z"), and `since` is normalized to that form first.
bool passes(const std::map<std::string, std::string>& record, const export_filter& filter);

// The record as one JSON line (fields sorted by name, values as strings).
std::string ndjson_line(const std::map<std::string, std::string>& record);

int run_export(std::span<const std::string_view> args);

}  // namespace liaison::ctl
