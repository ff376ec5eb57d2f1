#include "daemon/liaisonctl/announcement_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <iostream>

#include "daemon/liaisonctl/redis_session.hpp"
#include "daemon/services/announcement_store.hpp"
#include "queue/delivery_queue.hpp"

namespace liaison::ctl {
namespace {

namespace asio = boost::asio;

constexpr std::string_view announcement_usage =
    "usage: liaisonctl announcement ID [--watch] [--interval SECONDS] [--config FILE]\n"
    "\n"
    "Prints where announcement ID stands: its state, how many families have been fanned out,\n"
    "and how many deliveries are sent, delivered, failed or still on their way, with a progress\n"
    "bar. With --watch, redraws every SECONDS (default 1) until every delivery has an outcome.\n"
    "Exits 0 when found, 1 when not (or Redis cannot be reached). FILE is liaisond's\n"
    "configuration (default /etc/liaison/liaison.toml).\n";

// Phases that are an outcome (queue::tally_phase): the rest (queued, deferred) are on their way.
constexpr std::string_view finished_phases[] = {"sent", "delivered", "failed", "opted_out",
                                                "cancelled"};

long long phase(const announcement_summary& s, std::string_view name) {
  const auto it = s.phases.find(std::string(name));
  return it == s.phases.end() ? 0 : it->second;
}

struct watch_options {
  std::string id;
  bool watch = false;
  std::chrono::milliseconds interval{1000};
};

asio::awaitable<std::optional<announcement_summary>> read_summary(
    services::announcement_store& store, const std::string& id, bool& failed) {
  auto loaded = co_await store.load(id);
  auto tally = co_await store.tally(id);
  if (!loaded || !tally) {
    failed = true;
    co_return std::nullopt;
  }
  if (!*loaded) {
    co_return std::nullopt;
  }
  const auto& stored = **loaded;
  announcement_summary summary;
  summary.state = std::string(services::to_string(stored.state));
  summary.audience = stored.audience;
  summary.families_done = stored.families_done;
  summary.deliveries = stored.deliveries;
  summary.phases = phases_of(*tally);
  co_return summary;
}

}  // namespace

long long announcement_summary::finished() const {
  long long total = 0;
  for (const auto name : finished_phases) {
    total += phase(*this, name);
  }
  return total;
}

bool announcement_summary::complete() const {
  const bool fanout_over = state == "fanned_out" || state == "cancelled";
  return fanout_over && phase(*this, "queued") == 0 && phase(*this, "deferred") == 0;
}

std::map<std::string, long long> phases_of(const std::map<std::string, long long>& tally) {
  std::map<std::string, long long> phases;
  for (const auto& [key, count] : tally) {
    const auto bar = key.rfind('|');
    phases[bar == std::string::npos ? key : key.substr(bar + 1)] += count;
  }
  return phases;
}

std::string progress_line(const announcement_summary& s, std::size_t width) {
  // While fanning out, the total is estimated from the deliveries per family so far.
  double expected = static_cast<double>(s.deliveries);
  if (s.state == "fanning_out" && s.families_done > 0 && s.audience > s.families_done) {
    expected = static_cast<double>(s.deliveries) * static_cast<double>(s.audience) /
               static_cast<double>(s.families_done);
  }
  const long long done = s.finished();
  const double fraction =
      expected > 0 ? std::min(1.0, static_cast<double>(done) / expected) : (s.complete() ? 1 : 0);
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
  std::string line = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  const auto percent = std::to_string(static_cast<int>(fraction * 100));
  line += std::string(percent.size() < 3 ? 3 - percent.size() : 0, ' ') + percent + "%  ";
  line += s.state;
  if (s.audience >= 0) {
    line += " · families " + std::to_string(s.families_done) + "/" + std::to_string(s.audience);
  }
  line += " · " + std::to_string(done) + "/" + std::to_string(s.deliveries) +
          " deliveries done (sent " + std::to_string(phase(s, "sent")) + ", delivered " +
          std::to_string(phase(s, "delivered")) + ", failed " + std::to_string(phase(s, "failed")) +
          ", opted out " + std::to_string(phase(s, "opted_out")) + ", cancelled " +
          std::to_string(phase(s, "cancelled")) + ")";
  line += " · " + std::to_string(phase(s, "queued")) + " on their way";
  if (const auto deferred = phase(s, "deferred"); deferred > 0) {
    line += ", " + std::to_string(deferred) + " held for quiet hours";
  }
  return line;
}

int run_announcement(std::span<const std::string_view> args) {
  std::string config_path(default_config_path);
  watch_options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << announcement_usage;
      return exit_ok;
    }
    if (arg == "--config" && i + 1 < args.size()) {
      config_path = std::string(args[++i]);
    } else if (arg == "--watch") {
      options.watch = true;
    } else if (arg == "--interval" && i + 1 < args.size()) {
      const auto text = args[++i];
      int seconds = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (error != std::errc() || end != text.data() + text.size() || seconds < 1 ||
          seconds > 3600) {
        std::cerr << "liaisonctl: --interval takes whole seconds, 1..3600\n\n"
                  << announcement_usage;
        return exit_usage;
      }
      options.interval = std::chrono::seconds(seconds);
    } else if (options.id.empty() && !arg.starts_with("-")) {
      options.id = std::string(arg);
    } else {
      std::cerr << "liaisonctl: unexpected argument \"" << arg << "\"\n\n" << announcement_usage;
      return exit_usage;
    }
  }
  if (options.id.empty()) {
    std::cerr << "liaisonctl: missing announcement ID\n\n" << announcement_usage;
    return exit_usage;
  }
  // On a terminal the bar redraws in place; into a file or pipe each refresh is a line.
  const bool redraw = ::isatty(STDOUT_FILENO) == 1;
  return with_redis(
      config_path,
      [options, redraw](queue::redis_connection& redis,
                        const config::liaison_config& cfg) -> asio::awaitable<int> {
        queue::delivery_queue q(redis, cfg.redis.key_prefix);
        services::announcement_store store(redis, q);
        asio::steady_timer pause(co_await asio::this_coro::executor);
        for (;;) {
          bool failed = false;
          const auto summary = co_await read_summary(store, options.id, failed);
          if (failed) {
            std::cerr << "liaisonctl: cannot read announcement " << options.id << '\n';
            co_return exit_failed;
          }
          if (!summary) {
            std::cerr << "liaisonctl: no announcement " << options.id << '\n';
            co_return exit_failed;
          }
          std::cout << (redraw ? "\r\033[K" : "") << progress_line(*summary)
                    << (redraw && options.watch && !summary->complete() ? "" : "\n") << std::flush;
          if (!options.watch || summary->complete()) {
            co_return exit_ok;
          }
          pause.expires_after(options.interval);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        }
      });
}

}  // namespace liaison::ctl
