#include "daemon/app/liaisond.hpp"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "channels/machine_translation.hpp"
#include "channels/provider_registry.hpp"
#include "config/loader.hpp"
#include "daemon/api/provider_metrics.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/app/logging.hpp"
#include "daemon/app/service_notifier.hpp"
#include "daemon/http/api_dispatcher.hpp"
#include "daemon/http/server.hpp"
#include "daemon/http/static_files.hpp"
#include "daemon/services/announcement_service.hpp"
#include "daemon/services/announcement_store.hpp"
#include "daemon/services/conversation_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/inbound_sms.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/machine_translator.hpp"
#include "daemon/services/message_service.hpp"
#include "daemon/services/notice_sender.hpp"
#include "daemon/services/reply_service.hpp"
#include "daemon/services/template_store.hpp"
#include "daemon/services/voice_keypad.hpp"
#include "daemon/workers/delivery_worker.hpp"
#include "daemon/workers/fanout_worker.hpp"
#include "daemon/workers/queue_scheduler.hpp"
#include "queue/delivery_queue.hpp"
#include "queue/redis_connection.hpp"
#include "support/clock.hpp"

namespace liaison::app {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::vector<std::string> channel_names(const channels::provider_registry& providers) {
  std::vector<std::string> names;
  for (auto c : providers.channels()) {
    names.emplace_back(config::to_string(c));
  }
  return names;
}

// Start-up failures of the language data are fatal: a daemon that cannot answer STOP in a
// family's language must not run.
i18n::message_catalog load_catalog(const std::filesystem::path& directory) {
  auto catalog = i18n::message_catalog::load(directory);
  if (!catalog) {
    throw std::runtime_error("message catalog: " + catalog.error);
  }
  return std::move(*catalog.value);
}

i18n::keyword_parser make_keyword_parser(const i18n::message_catalog& catalog) {
  auto parser = i18n::keyword_parser::create(catalog);
  if (!parser) {
    throw std::runtime_error("keywords: " + parser.error);
  }
  return std::move(*parser.value);
}

i18n::language_matcher make_language_matcher(const i18n::message_catalog& catalog,
                                             const std::string& district_default) {
  auto matcher = i18n::language_matcher::create(catalog.languages(), district_default);
  if (!matcher) {
    throw std::runtime_error("catalog languages: " + matcher.error);
  }
  return std::move(*matcher.value);
}

channels::chain_options chain_options(channels::provider_observer& observer) {
  channels::chain_options options;
  options.observer = &observer;
  return options;
}

// Members are declared in dependency order, so they are destroyed in reverse: nothing outlives
// what it refers to. The io_context comes first and therefore goes last.
struct liaisond::impl {
  impl(std::filesystem::path path, config::liaison_config initial)
      : config_path(std::move(path)),
        cfg(std::make_shared<const config::liaison_config>(std::move(initial))),
        logger(make_logger(cfg->logging)),
        io(1),
        metrics(std::make_shared<prometheus::Registry>()),
        redis(io.get_executor(), cfg->redis, logger),
        queue(redis, cfg->redis.key_prefix),
        provider_stats(*metrics),
        providers(cfg->providers, {io.get_executor(),
                                   cfg->http.public_url,
                                   time,
                                   {},
                                   chain_options(provider_stats),
                                   cfg->notices}),
        messages(queue, time, cfg->queue.idempotency_key_ttl),
        notices(queue, cfg->notices, time),
        directory(redis, cfg->redis.key_prefix),
        catalog(load_catalog(cfg->district.catalog_directory)),
        conversations(redis, directory, cfg->redis.key_prefix, cfg->district),
        interpretation(redis, cfg->redis.key_prefix),
        templates(redis, cfg->redis.key_prefix),
        inbound(cfg->district, directory, conversations, time, catalog,
                make_keyword_parser(catalog),
                make_language_matcher(catalog, cfg->district.default_language)),
        interpreting(interpretation, directory, queue, catalog, cfg->district, cfg->interpretation,
                     notices, time, cfg->http.public_url),
        announcement_records(redis, queue),
        translation_service(
            channels::make_translation_provider(cfg->translation, io.get_executor(), logger)),
        translations(redis, cfg->redis.key_prefix, cfg->translation.cache_ttl),
        translator(io.get_executor(), translation_service.get(), &translations, time, logger,
                   metrics.get()),
        replies(io.get_executor(), cfg->district, conversations, translator, messages, notices,
                logger, metrics.get()),
        announcements(
            directory, announcement_records, catalog, cfg->district, time,
            cfg->queue.idempotency_key_ttl,
            services::fanout_limits{cfg->workers.fanout_page_families, cfg->workers.fanout_lease}),
        keypad(queue, announcements, time, cfg->http.public_url),
        http_stats(*metrics),
        dispatcher(routes, std::make_shared<http::authenticator>(cfg->auth.api_keys), http_stats,
                   logger),
        server(
            io.get_executor(), cfg->http,
            [this](const http::request& req) { return dispatcher.dispatch(req); }, logger),
        sender(providers),
        worker(io.get_executor(), *cfg, queue, sender, *metrics, logger, time),
        scheduler(io.get_executor(), cfg->workers, queue, channel_names(providers), *metrics,
                  logger, time),
        fanout(io.get_executor(), announcements, cfg->workers.scheduler_interval, logger),
        signals(io, SIGTERM, SIGINT, SIGHUP),
        worker_done(io),
        watchdog_timer(io),
        redis_up(prometheus::BuildGauge()
                     .Name("liaison_redis_connected")
                     .Help("1 while the Redis connection is up")
                     .Register(*metrics)
                     .Add({})) {
    api::add_health_routes(
        routes,
        {[this] { return redis.connected(); },
         // An API-only instance has no workers to wait for; it is ready while it serves.
         [this] { return (!workers_enabled || worker.running()) && !draining; }},
        metrics);
    api::add_message_routes(routes, messages, announcements, [this] { fanout.wake(); });
    api::add_provider_routes(routes, *cfg, inbound, keypad, queue, directory, time, provider_stats);
    api::add_family_routes(routes, directory);
    api::add_contact_routes(routes, directory);
    api::add_conversation_routes(routes, directory, conversations);
    api::add_interpretation_routes(routes, interpretation, interpreting, directory, time,
                                   cfg->district.time_zone);
    api::add_offer_routes(routes, interpreting);
    api::add_family_import_route(routes, directory, cfg->district.default_language,
                                 cfg->http.max_import_bytes);
    server.set_streaming(
        {[this](const http::request& header) { return dispatcher.streamed_body_limit(header); },
         [this](const http::request& header, http::body_stream& body) {
           return dispatcher.dispatch_streamed(header, body);
         }});
    api::add_announcement_routes(routes, announcements, interpretation, templates,
                                 [this] { fanout.wake(); });
    api::add_template_routes(routes, templates, interpretation);
    api::add_report_routes(routes, announcements, interpretation, time);
    api::add_translation_routes(routes, interpretation, interpreting, time);
    api::add_session_route(routes, cfg->district);
    load_console();
    worker.set_opt_out_store(directory);
    worker.set_announcements(announcements);
    announcements.set_translator(translator);
    inbound.set_announcements(announcements);
    inbound.set_interpretation(interpreting);
    inbound.set_replies(replies);
    announcements.set_conversations(conversations);
    scheduler.add_task("interpreter request escalation",
                       [this]() -> asio::awaitable<boost::system::result<void>> {
                         auto escalated = co_await interpreting.escalate_unfilled();
                         if (!escalated) {
                           co_return escalated.error();
                         }
                         co_return boost::system::result<void>{};
                       });
    scheduler.add_task("interpreter meeting reminders",
                       [this]() -> asio::awaitable<boost::system::result<void>> {
                         auto reminded = co_await interpreting.send_due_reminders();
                         if (!reminded) {
                           co_return reminded.error();
                         }
                         co_return boost::system::result<void>{};
                       });
  }

  // The console is optional: the API serves without it (a package without the web build, a
  // development tree where it was not built).
  void load_console() {
    const auto& folder = cfg->http.console_dir;
    if (folder.empty()) {
      logger->info("console off: [http] console_dir is empty");
      return;
    }
    auto loaded = http::static_site::load(folder);
    if (!loaded.site) {
      logger->warn("console off: {}", loaded.error);
      return;
    }
    console = std::move(loaded.site);
    api::add_console_routes(routes, *console);
    logger->info("console: {} files ({} bytes) from {}, served under /console/",
                 console->file_count(), console->total_bytes(), folder.string());
  }

  void log_exception(std::exception_ptr e, const char* what) {
    if (!e) {
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      logger->critical("{} failed: {}", what, ex.what());
    }
  }

  asio::awaitable<void> announce_ready() {
    while (!redis.connected() && !draining) {
      co_await redis.wait_connected(std::chrono::seconds(1));
    }
    if (!draining) {
      notifier.ready("serving");
      logger->info("ready: Redis reachable, listening on port {}", server.local_endpoint().port());
    }
  }

  asio::awaitable<void> keep_watchdog_fed(std::chrono::microseconds interval) {
    // Fed from the event loop itself: if the loop hangs, systemd restarts us.
    while (!draining) {
      notifier.watchdog();
      redis_up.Set(redis.connected() ? 1 : 0);
      provider_stats.sample_breakers(providers);
      watchdog_timer.expires_after(interval);
      co_await watchdog_timer.async_wait(use_tuple);
    }
  }

  asio::awaitable<void> handle_signals() {
    for (;;) {
      auto [ec, signal] = co_await signals.async_wait(use_tuple);
      if (ec) {
        co_return;
      }
      if (signal == SIGHUP) {
        reload();
        continue;
      }
      logger->info("signal {} received: draining", signal);
      co_await drain();
      co_return;
    }
  }

  void reload() {
    notifier.reloading();
    auto loaded = config::load_config_file(config_path);
    if (!loaded.config) {
      logger->error("reload of {} rejected; keeping the running configuration:",
                    config_path.string());
      for (const auto& e : loaded.errors) {
        logger->error("  {}: {}", e.key_path, e.message);
      }
      notifier.ready("serving (last reload rejected)");
      return;
    }
    cfg = std::make_shared<const config::liaison_config>(std::move(*loaded.config));
    dispatcher.set_authenticator(std::make_shared<http::authenticator>(cfg->auth.api_keys));
    apply_log_level(*logger, cfg->logging);
    logger->info(
        "configuration reloaded from {} (API keys, log level; listener, Redis and "
        "providers change on restart)",
        config_path.string());
    notifier.ready("serving");
  }

  asio::awaitable<void> drain() {
    draining = true;
    notifier.stopping();
    const auto grace = cfg->shutdown.drain_timeout;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    co_await server.drain(grace);
    worker.stop();
    scheduler.stop();
    fanout.stop();
    announcements.stop_fanout();
    if (!worker_finished) {
      worker_done.expires_at(deadline);
      co_await worker_done.async_wait(use_tuple);
    }
    if (!worker_finished) {
      logger->warn("the worker did not finish within {} ms; its job stays queued", grace.count());
    }
    // Cancelling the connections ends their run() loops (and a worker still waiting on Redis),
    // after which the event loop has no work left and run() returns.
    redis.cancel();
    watchdog_timer.cancel();
    signals.cancel();
    logger->info("drained");
  }

  int run() {
    try {
      server.listen();
    } catch (const std::exception& e) {
      logger->critical("cannot listen on {}:{}: {}", cfg->http.listen_address, cfg->http.port,
                       e.what());
      return 1;
    }
    asio::co_spawn(io, redis.run(),
                   [this](std::exception_ptr e) { log_exception(e, "Redis connection"); });
    asio::co_spawn(io, server.run(),
                   [this](std::exception_ptr e) { log_exception(e, "HTTP server"); });
    if (workers_enabled) {
      asio::co_spawn(io, worker.run(), [this](std::exception_ptr e) {
        log_exception(e, "delivery worker");
        worker_finished = true;
        worker_done.cancel();
      });
      asio::co_spawn(io, scheduler.run(),
                     [this](std::exception_ptr e) { log_exception(e, "queue scheduler"); });
      asio::co_spawn(io, fanout.run(),
                     [this](std::exception_ptr e) { log_exception(e, "announcement fan-out"); });
    } else {
      worker_finished = true;
      logger->info(
          "workers off: this instance serves the API only; instances with workers on, on the "
          "same Redis, send what it accepts");
    }
    asio::co_spawn(io, handle_signals(),
                   [this](std::exception_ptr e) { log_exception(e, "signal handler"); });
    asio::co_spawn(io, announce_ready(),
                   [this](std::exception_ptr e) { log_exception(e, "readiness"); });
    // Runs without systemd too (WATCHDOG=1 is then a no-op) because it also refreshes gauges.
    const auto interval = std::min<std::chrono::microseconds>(
        notifier.watchdog_interval().value_or(std::chrono::seconds(1)), std::chrono::seconds(1));
    asio::co_spawn(io, keep_watchdog_fed(interval),
                   [this](std::exception_ptr e) { log_exception(e, "watchdog"); });
    io.run();
    return 0;
  }

  std::filesystem::path config_path;
  std::shared_ptr<const config::liaison_config> cfg;
  std::shared_ptr<spdlog::logger> logger;
  asio::io_context io;
  clock time;
  service_notifier notifier;
  std::shared_ptr<prometheus::Registry> metrics;
  queue::redis_connection redis;
  queue::delivery_queue queue;
  api::provider_metrics provider_stats;
  channels::provider_registry providers;
  services::message_service messages;
  services::notice_sender notices;
  services::directory_store directory;
  i18n::message_catalog catalog;
  services::conversation_store conversations;
  services::interpretation_store interpretation;
  services::template_store templates;
  services::inbound_sms_service inbound;
  services::interpretation_service interpreting;
  services::announcement_store announcement_records;
  std::unique_ptr<channels::http_translation_provider> translation_service;  // null: none
  services::translation_cache translations;
  services::machine_translator translator;
  services::reply_service replies;
  services::announcement_service announcements;
  services::voice_keypad_service keypad;
  std::optional<http::static_site> console;  // before routes, whose handlers refer to it
  http::router routes;
  http::http_metrics http_stats;
  http::api_dispatcher dispatcher;
  http::http_server server;
  workers::provider_sender sender;
  workers::delivery_worker worker;
  workers::queue_scheduler scheduler;
  workers::fanout_worker fanout;
  asio::signal_set signals;
  asio::steady_timer worker_done;
  asio::steady_timer watchdog_timer;
  prometheus::Gauge& redis_up;
  // Read once: which loops run is decided at start ([workers] enabled changes on restart).
  const bool workers_enabled = cfg->workers.enabled;
  bool draining = false;
  bool worker_finished = false;
};

liaisond::liaisond(std::filesystem::path config_path, config::liaison_config cfg)
    : impl_(std::make_unique<impl>(std::move(config_path), std::move(cfg))) {}

liaisond::~liaisond() = default;

int liaisond::run() {
  return impl_->run();
}

}  // namespace liaison::app
