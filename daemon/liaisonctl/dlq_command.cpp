#include "daemon/liaisonctl/dlq_command.hpp"

#include <boost/asio/awaitable.hpp>
#include <charconv>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "daemon/liaisonctl/redis_session.hpp"
#include "queue/delivery_queue.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::ctl {
namespace {

namespace asio = boost::asio;

constexpr std::string_view dlq_usage =
    "usage: liaisonctl dlq [--config FILE] list [--count N] [--after ENTRY_ID]\n"
    "       liaisonctl dlq [--config FILE] show ENTRY_ID\n"
    "       liaisonctl dlq [--config FILE] replay (ENTRY_ID... | --all)\n"
    "       liaisonctl dlq [--config FILE] purge (ENTRY_ID... | --all)\n"
    "\n"
    "Dead letters are deliveries that used up their retries or were taken too often without an\n"
    "outcome (poison). `list` prints one per line: ENTRY_ID, delivery id, channel, when it\n"
    "failed and why. `show` prints a dead letter and its delivery record. `replay` queues the\n"
    "delivery again with a fresh retry budget and removes the dead letter. `purge` removes dead\n"
    "letters (the delivery records stay, in state \"dead\"). `list` shows --count N entries\n"
    "(default 100) from the oldest, or from after --after ENTRY_ID (the last one of the previous\n"
    "page). --all replays or purges every dead letter.\n"
    "\n"
    "FILE is liaisond's configuration (default /etc/liaison/liaison.toml); its [redis] table\n"
    "says where Redis is.\n";

struct dlq_request {
  std::string config_path = std::string(default_config_path);
  std::string action;
  std::vector<std::string> operands;
  bool all = false;
  std::size_t count = 100;
  std::string after = "-";
};

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

// The request, or an error message for the usage text.
std::optional<dlq_request> parse(std::span<const std::string_view> args, std::string& problem) {
  dlq_request request;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--config" || arg == "--count" || arg == "--after") {
      if (!has_value) {
        problem = std::string(arg) + " needs a value";
        return std::nullopt;
      }
      const auto value = args[++i];
      if (arg == "--config") {
        request.config_path = std::string(value);
      } else if (arg == "--after") {
        request.after = std::string(value);
      } else {
        const auto [end, ec] =
            std::from_chars(value.data(), value.data() + value.size(), request.count);
        if (ec != std::errc() || end != value.data() + value.size() || request.count == 0) {
          problem = "--count takes a positive number";
          return std::nullopt;
        }
      }
    } else if (arg == "--all") {
      request.all = true;
    } else if (arg.starts_with("--")) {
      problem = "unknown option " + std::string(arg);
      return std::nullopt;
    } else if (request.action.empty()) {
      request.action = std::string(arg);
    } else {
      request.operands.emplace_back(arg);
    }
  }
  const auto& a = request.action;
  if (a != "list" && a != "show" && a != "replay" && a != "purge") {
    problem =
        a.empty() ? "missing action (list, show, replay or purge)" : "unknown action \"" + a + "\"";
    return std::nullopt;
  }
  if (a == "show" && request.operands.size() != 1) {
    problem = "show takes exactly one ENTRY_ID";
    return std::nullopt;
  }
  if ((a == "replay" || a == "purge") && request.operands.empty() == !request.all) {
    problem = a + " takes ENTRY_IDs or --all";
    return std::nullopt;
  }
  if (a == "list" && !request.operands.empty()) {
    problem = "list takes no ENTRY_ID (use --after to page)";
    return std::nullopt;
  }
  return request;
}

std::string field(const queue::record_fields& fields, const char* key) {
  const auto it = fields.find(key);
  return it == fields.end() ? std::string("-") : it->second;
}

void print_line(const queue::dead_letter& letter) {
  std::cout << letter.entry_id << '\t' << field(letter.fields, "delivery") << '\t'
            << field(letter.fields, "channel") << '\t' << field(letter.fields, "failed_at") << '\t'
            << field(letter.fields, "reason") << '\n';
}

void print_fields(const queue::record_fields& fields) {
  for (const auto& [key, value] : fields) {
    std::cout << "  " << key << ": " << value << '\n';
  }
}

asio::awaitable<int> list(queue::delivery_queue& q, const dlq_request& request) {
  auto letters = co_await q.list_dead(request.after, request.count);
  if (!letters) {
    std::cerr << "liaisonctl: cannot read the dead letters: " << letters.error().message() << '\n';
    co_return exit_failed;
  }
  for (const auto& letter : *letters) {
    print_line(letter);
  }
  if (letters->size() == request.count) {
    std::cerr << "(more: --after " << letters->back().entry_id << ")\n";
  }
  co_return exit_ok;
}

asio::awaitable<int> show(queue::delivery_queue& q, const std::string& entry_id) {
  auto letter = co_await q.find_dead(entry_id);
  if (!letter) {
    std::cerr << "liaisonctl: cannot read the dead letters: " << letter.error().message() << '\n';
    co_return exit_failed;
  }
  if (!*letter) {
    std::cerr << "liaisonctl: no dead letter " << entry_id << '\n';
    co_return exit_failed;
  }
  std::cout << "dead letter " << (*letter)->entry_id << '\n';
  print_fields((*letter)->fields);
  const auto delivery_id = field((*letter)->fields, "delivery");
  auto record = co_await q.load(delivery_id);
  if (record && *record) {
    std::cout << "delivery " << delivery_id << '\n';
    print_fields(**record);
  } else {
    std::cout << "delivery " << delivery_id << ": no record\n";
  }
  co_return exit_ok;
}

// The entry ids named on the command line, or every dead letter's with --all.
asio::awaitable<std::optional<std::vector<std::string>>> targets(queue::delivery_queue& q,
                                                                 const dlq_request& request) {
  if (!request.all) {
    co_return request.operands;
  }
  std::vector<std::string> ids;
  std::string after = "-";
  for (;;) {
    auto page = co_await q.list_dead(after, 1000);
    if (!page) {
      std::cerr << "liaisonctl: cannot read the dead letters: " << page.error().message() << '\n';
      co_return std::nullopt;
    }
    for (const auto& letter : *page) {
      ids.push_back(letter.entry_id);
    }
    if (page->size() < 1000) {
      co_return ids;
    }
    after = page->back().entry_id;
  }
}

asio::awaitable<int> replay(queue::delivery_queue& q, const dlq_request& request) {
  auto ids = co_await targets(q, request);
  if (!ids) {
    co_return exit_failed;
  }
  int failures = 0;
  for (const auto& id : *ids) {
    auto replayed = co_await q.replay_dead(id, std::chrono::system_clock::now());
    if (replayed) {
      std::cout << "replayed " << id << " (delivery " << *replayed << ")\n";
    } else {
      ++failures;
      std::cerr << "liaisonctl: " << id << ": "
                << (replayed.error() == queue::make_error_code(queue::queue_errc::not_found)
                        ? std::string("no such dead letter, or its delivery record is gone")
                        : replayed.error().message())
                << '\n';
    }
  }
  std::cout << (ids->size() - static_cast<std::size_t>(failures)) << " replayed\n";
  co_return failures == 0 ? exit_ok : exit_failed;
}

asio::awaitable<int> purge(queue::delivery_queue& q, const dlq_request& request) {
  boost::system::result<std::size_t> removed = std::size_t{0};
  if (request.all) {
    removed = co_await q.purge_all_dead();
  } else {
    removed = co_await q.purge_dead(request.operands);
  }
  if (!removed) {
    std::cerr << "liaisonctl: cannot purge: " << removed.error().message() << '\n';
    co_return exit_failed;
  }
  std::cout << *removed << " purged\n";
  co_return !request.all && *removed < request.operands.size() ? exit_failed : exit_ok;
}

asio::awaitable<int> perform(queue::redis_connection& redis, const config::redis_config& cfg,
                             const dlq_request& request) {
  queue::delivery_queue q(redis, cfg.key_prefix);
  if (request.action == "list") {
    co_return co_await list(q, request);
  }
  if (request.action == "show") {
    co_return co_await show(q, request.operands.front());
  }
  if (request.action == "replay") {
    co_return co_await replay(q, request);
  }
  co_return co_await purge(q, request);
}

}  // namespace

int run_dlq(std::span<const std::string_view> args) {
  if (args.size() == 1 && is_help(args[0])) {
    std::cout << dlq_usage;
    return exit_ok;
  }
  std::string problem;
  const auto request = parse(args, problem);
  if (!request) {
    std::cerr << "liaisonctl: " << problem << "\n\n" << dlq_usage;
    return exit_usage;
  }
  return with_redis(request->config_path,
                    [&request](queue::redis_connection& redis,
                               const config::liaison_config& cfg) -> asio::awaitable<int> {
                      co_return co_await perform(redis, cfg.redis, *request);
                    });
}

}  // namespace liaison::ctl
