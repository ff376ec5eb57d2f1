#include "daemon/liaisonctl/export_command.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <optional>
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
    "liaisond runs; one that changes meanwhile is written as it was when read, and a delivery\n"
    "still queued when the export starts may be written twice, queued and as it was later.\n"
    "FILE is liaisond's configuration (default /etc/liaison/liaison.toml).\n";

// Keys per SCAN page, and records fetched per pipeline.
constexpr std::string_view scan_count = "1000";
// Stream entries read at once (a fan-out entry carries up to 16 deliveries).
constexpr std::size_t entries_per_page = 200;

std::map<std::string, std::string> fields_of(const queue::redis_reply& reply) {
  std::map<std::string, std::string> record;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    record.emplace(reply.elements[i].text, reply.elements[i + 1].text);
  }
  return record;
}

// One page of SCAN: the keys matching `pattern` of `type`, and the cursor to go on from ("0":
// done); nullopt when Redis fails.
struct scan_page {
  std::string cursor;
  std::vector<std::string> keys;
};
asio::awaitable<std::optional<scan_page>> scan_once(queue::redis_connection& redis,
                                                    std::string cursor, std::string pattern,
                                                    std::string type) {
  std::vector<std::string> scan = {"SCAN",  std::move(cursor),       "MATCH", std::move(pattern),
                                   "COUNT", std::string(scan_count), "TYPE",  std::move(type)};
  auto reply = co_await redis.exec_one(std::move(scan));
  if (!reply || reply->kind != queue::redis_reply::kind_t::array || reply->elements.size() != 2) {
    co_return std::nullopt;
  }
  scan_page page{reply->elements[0].text, {}};
  for (const auto& key : reply->elements[1].elements) {
    page.keys.push_back(key.text);
  }
  co_return page;
}

asio::awaitable<std::optional<std::vector<std::string>>> scan_all(queue::redis_connection& redis,
                                                                  std::string pattern,
                                                                  std::string type) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto page = co_await scan_once(redis, cursor, pattern, type);
    if (!page) {
      co_return std::nullopt;
    }
    cursor = std::move(page->cursor);
    keys.insert(keys.end(), page->keys.begin(), page->keys.end());
  } while (cursor != "0");
  co_return keys;
}

// The deliveries no worker has taken yet carry their records in their stream entries and have no
// hash (docs/queue.md): read from each stream, a page at a time, those without a hash. Read
// before the hashes, so one a worker takes meanwhile is written twice rather than not at all.
asio::awaitable<bool> export_queued(queue::redis_connection& redis, queue::delivery_queue& q,
                                    const export_filter& filter, std::size_t& written) {
  auto streams = co_await scan_all(redis, q.key("stream:*"), "stream");
  if (!streams) {
    std::cerr << "liaisonctl: cannot scan the delivery streams\n";
    co_return false;
  }
  for (const auto& stream : *streams) {
    std::string after = "-";
    for (;;) {
      auto jobs = co_await q.peek(stream, after, entries_per_page);
      if (!jobs) {
        std::cerr << "liaisonctl: cannot read " << stream << ": " << jobs.error().message() << '\n';
        co_return false;
      }
      if (jobs->empty()) {
        break;
      }
      after = jobs->back().entry_id;
      queue::redis_request hashed;
      std::vector<const queue::queued_job*> carried;
      for (const auto& job : *jobs) {
        if (!job.carried_record.empty()) {
          hashed.push({"EXISTS", q.delivery_key(job.delivery_id)});
          carried.push_back(&job);
        }
      }
      if (carried.empty()) {
        continue;
      }
      auto exists = co_await redis.exec(hashed);
      if (!exists) {
        std::cerr << "liaisonctl: cannot read delivery records: " << exists.error().message()
                  << '\n';
        co_return false;
      }
      for (std::size_t i = 0; i < carried.size() && i < exists->size(); ++i) {
        const auto& record = carried[i]->carried_record;
        if ((*exists)[i].integer == 0 && passes(record, filter)) {  // else the hash is the truth
          std::cout << ndjson_line(record) << '\n';
          ++written;
        }
      }
    }
  }
  co_return true;
}

asio::awaitable<int> export_records(queue::redis_connection& redis,
                                    const config::liaison_config& cfg, export_filter filter) {
  queue::delivery_queue q(redis, cfg.redis.key_prefix);
  std::size_t written = 0;
  if (!co_await export_queued(redis, q, filter, written)) {
    co_return exit_failed;
  }
  // The hashes a page at a time: there may be millions.
  const std::string pattern = q.delivery_key("*");
  std::string cursor = "0";
  do {
    auto page = co_await scan_once(redis, cursor, pattern, "hash");
    if (!page) {
      std::cerr << "liaisonctl: cannot scan the delivery records\n";
      co_return exit_failed;
    }
    cursor = std::move(page->cursor);
    queue::redis_request fetch;
    for (const auto& key : page->keys) {
      fetch.push({"HGETALL", key});
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
