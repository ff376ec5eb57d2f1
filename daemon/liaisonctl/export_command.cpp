#include "daemon/liaisonctl/export_command.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <vector>

#include "daemon/liaisonctl/redis_session.hpp"
#include "queue/delivery_queue.hpp"
#include "support/time_format.hpp"

namespace liaison::ctl {
namespace {

namespace asio = boost::asio;

constexpr std::string_view export_usage =
    "usage: liaisonctl export [--announcement ID] [--since TIME] [--config FILE]\n"
    "\n"
    "Writes every delivery record (direct messages and announcement deliveries, with their\n"
    "state, attempts, provider ids and errors) to stdout as NDJSON, one object per line.\n"
    "--announcement keeps one announcement's deliveries; --since keeps records created at or\n"
    "after TIME (RFC 3339, e.g. 2026-12-01T00:00:00Z). Records are read a page at a time while\n"
    "liaisond runs; one that changes meanwhile is written as it was when read. FILE is\n"
    "liaisond's configuration (default /etc/liaison/liaison.toml).\n";

// Keys per SCAN page, and records fetched per pipeline.
constexpr std::string_view scan_count = "1000";

std::map<std::string, std::string> fields_of(const queue::redis_reply& reply) {
  std::map<std::string, std::string> record;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    record.emplace(reply.elements[i].text, reply.elements[i + 1].text);
  }
  return record;
}

asio::awaitable<int> export_records(queue::redis_connection& redis,
                                    const config::liaison_config& cfg, export_filter filter) {
  queue::delivery_queue q(redis, cfg.redis.key_prefix);
  const std::string pattern = q.delivery_key("*");
  std::string cursor = "0";
  std::size_t written = 0;
  do {
    std::vector<std::string> scan = {
        "SCAN", cursor, "MATCH", pattern, "COUNT", std::string(scan_count), "TYPE", "hash"};
    auto page = co_await redis.exec_one(std::move(scan));
    if (!page || page->kind != queue::redis_reply::kind_t::array || page->elements.size() != 2) {
      std::cerr << "liaisonctl: cannot scan the delivery records\n";
      co_return exit_failed;
    }
    cursor = page->elements[0].text;
    queue::redis_request fetch;
    for (const auto& key : page->elements[1].elements) {
      fetch.push({"HGETALL", key.text});
    }
    if (fetch.empty()) {
      continue;
    }
    auto records = co_await redis.exec(fetch);
    if (!records) {
      std::cerr << "liaisonctl: cannot read delivery records: " << records.error().message()
                << '\n';
      co_return exit_failed;
    }
    for (const auto& reply : *records) {
      auto record = fields_of(reply);
      if (!record.empty() && passes(record, filter)) {  // empty: deleted since the scan
        std::cout << ndjson_line(record) << '\n';
        ++written;
      }
    }
  } while (cursor != "0");
  std::cout.flush();
  std::cerr << "liaisonctl: " << written << " records\n";
  co_return exit_ok;
}

std::string field(const std::map<std::string, std::string>& record, const char* name) {
  const auto it = record.find(name);
  return it == record.end() ? std::string() : it->second;
}

}  // namespace

bool passes(const std::map<std::string, std::string>& record, const export_filter& filter) {
  if (!filter.announcement.empty() && field(record, "announcement") != filter.announcement) {
    return false;
  }
  return filter.since.empty() || field(record, "created_at") >= filter.since;
}

std::string ndjson_line(const std::map<std::string, std::string>& record) {
  boost::json::object object;
  for (const auto& [name, value] : record) {
    object[name] = value;
  }
  return boost::json::serialize(object);
}

int run_export(std::span<const std::string_view> args) {
  std::string config_path(default_config_path);
  export_filter filter;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << export_usage;
      return exit_ok;
    }
    if (arg == "--config" && i + 1 < args.size()) {
      config_path = std::string(args[++i]);
    } else if (arg == "--announcement" && i + 1 < args.size()) {
      filter.announcement = std::string(args[++i]);
    } else if (arg == "--since" && i + 1 < args.size()) {
      const auto since = parse_rfc3339(args[++i]);
      if (!since) {
        std::cerr << "liaisonctl: --since takes an RFC 3339 time, e.g. 2026-12-01T00:00:00Z\n";
        return exit_usage;
      }
      filter.since = format_rfc3339_utc(*since);
    } else {
      std::cerr << "liaisonctl: unexpected argument \"" << arg << "\"\n\n" << export_usage;
      return exit_usage;
    }
  }
  return with_redis(config_path,
                    [filter](queue::redis_connection& redis, const config::liaison_config& cfg) {
                      return export_records(redis, cfg, filter);
                    });
}

}  // namespace liaison::ctl
