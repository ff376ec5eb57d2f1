// Liaison's configuration: plain structs with defaults, parsed once from TOML and validated
// (config/loader.hpp), then passed by const& to whoever needs them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace liaison::config {

using namespace std::chrono_literals;

// [district.schools.<id>]: what Liaison knows of one school.
struct school_config {
  std::string name;  // the name families know it by ("Message from …"); empty = its id
  // The language its staff read (BCP 47): families' replies are translated into it. Empty = the
  // district's default language.
  std::string language;
  // Where families' replies are forwarded by email. Empty = [district] coordinator_email.
  std::string reply_email;
  // Where families' replies are also posted as a signed JSON notice. Empty: email only.
  std::string reply_webhook;
  // The school's own signing secret for it (from reply_webhook_secret_file), so that no other
  // school (nor the district's endpoint) holds the key that signs its notices. Empty: the
  // [notices] secret.
  std::string reply_webhook_secret;

  bool operator==(const school_config&) const = default;
};

// [district]
struct district_config {
  std::string name = "School District";
  std::string default_language = "en";         // BCP 47
  std::string time_zone = "America/New_York";  // IANA
  std::string help_phone;  // told to families in the HELP reply: the family engagement office
  // Where the family engagement office is told what needs a person (an interpreter request
  // nobody accepted before its deadline), and where families' replies go when their school has
  // no reply_email. Empty: such events are only logged and shown in the API.
  std::string coordinator_email;
  // The message catalogs (one JSON file per language), installed with the package.
  std::filesystem::path catalog_directory = "/usr/share/liaison/catalog";
  // Quiet hours, as times of day in each guardian's own time zone: `normal` SMS and voice
  // deliveries that would arrive between start and end wait until end; email and `urgent`
  // deliveries go at once. start == end turns quiet hours off.
  std::chrono::minutes quiet_hours_start = std::chrono::hours(21);
  std::chrono::minutes quiet_hours_end = std::chrono::hours(8);
  // [district.schools]: school id (OneRoster orgSourcedId) = the name families know it by, for
  // "Message from {school}", or a table with the name, language and reply address. A school
  // without an entry is called by its id.
  std::map<std::string, school_config> schools;
};

// [http]
struct http_config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  // The address providers use to reach us; callback URLs and Twilio signatures are built on it.
  std::string public_url = "http://127.0.0.1:8080";
  std::size_t max_body_bytes = 1024 * 1024;
  // Bulk uploads (POST /v1/families/import) are streamed, never held whole: their own limit.
  std::size_t max_import_bytes = std::size_t{512} * 1024 * 1024;
  std::chrono::milliseconds read_timeout = 30s;  // whole request, headers and body
  std::chrono::milliseconds idle_timeout = 75s;  // keep-alive between requests
  std::size_t max_connections = 1024;
  // SO_REUSEPORT: several liaisond on one host listen on the same port and the kernel spreads
  // the connections among them (one instance per core; docs/operations.md, "Several instances").
  bool reuse_port = false;
  // The staff console's built files, served under /console/ (docs/console.md). A missing folder
  // turns the console off (logged); the API runs either way. Empty: off.
  std::filesystem::path console_dir = "/usr/share/liaison/console";
};

// [redis]
struct redis_config {
  std::string unix_socket;  // when set, used instead of host/port
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string username;  // ACL user; empty = default user
  std::string password;  // from password_file
  int database = 0;
  std::string key_prefix = "liaison";
  std::chrono::milliseconds connect_timeout = 2s;
  std::chrono::milliseconds command_timeout = 5s;
  std::chrono::milliseconds reconnect_min_delay = 100ms;
  std::chrono::milliseconds reconnect_max_delay = 5s;
  std::chrono::milliseconds health_check_interval = 2s;
};

enum class role { school, coordinator, admin };

// [[auth.api_keys]]: keys are stored only as the SHA-256 of the bearer token.
struct api_key_config {
  std::string name;
  std::string sha256_hex;  // 64 lowercase hex digits
  role key_role = role::school;
  std::vector<std::string> schools;  // the schools a `school` key may address
};

struct auth_config {
  std::vector<api_key_config> api_keys;
};

// `notice` is not for families: event notices (JSON) to the district's and schools' own
// systems ([notices]); announcements and messages cannot use it.
enum class channel { sms, email, voice, notice };

enum class provider_kind { outbox, twilio, kannel, smtp, sendgrid, webhook };

// [[providers]]: tried in the order listed, per channel.
struct provider_config {
  std::string name;
  provider_kind kind = provider_kind::outbox;
  std::vector<channel> channels;
  std::string base_url;
  double rate_per_second = 10.0;
  std::chrono::milliseconds request_timeout = 10s;
  // Calls to this provider in flight at once (more wait their turn in liaisond).
  std::size_t max_concurrent_requests = 16;
  // Circuit breaker: open after this many consecutive transient failures, and let a probe
  // through after breaker_open_for.
  std::size_t breaker_failures = 5;
  std::chrono::milliseconds breaker_open_for = 30s;
  // Non-secret settings of this kind (account_sid, from, username, ...).
  std::map<std::string, std::string> settings;
  // Secrets read from the `*_file` keys, keyed by the name without `_file`.
  std::map<std::string, std::string> secrets;
  std::filesystem::path outbox_directory;  // kind = outbox
};

// [workers]
struct workers_config {
  // Off: this instance serves the API only (intake, callbacks, reports) and sends nothing;
  // instances with workers on, sharing its Redis, send what it accepts (docs/operations.md,
  // "API and worker instances").
  bool enabled = true;
  std::string consumer_name;  // empty = hostname-pid
  std::size_t batch_size = 16;
  // Deliveries one worker sends at once. Provider calls take 100 ms to seconds; sent one after
  // another, a district's announcement would trickle out at a few messages a second.
  std::size_t max_in_flight = 256;
  std::chrono::milliseconds block_timeout = 2s;
  // A job taken by a consumer and not finished within this time is claimed by another one
  // (the consumer is presumed dead). Must exceed the longest provider call.
  std::chrono::milliseconds visibility_timeout = 60s;
  // A job taken this many times without an outcome is poison: it goes to the dead letters.
  std::size_t max_deliveries = 5;
  // How often the scheduler moves due delayed jobs (retries) to their streams.
  std::chrono::milliseconds scheduler_interval = 1s;
  // How long an instance holds an announcement's fan-out between pages: when it dies, another
  // instance (or itself, restarted) resumes the fan-out this long after the last page.
  std::chrono::milliseconds fanout_lease = 30s;
  // Families fan-out reads, plans and writes at a time (one page). Memory is bounded by it.
  std::size_t fanout_page_families = 250;
};

// [queue]
struct queue_config {
  // How long an Idempotency-Key is remembered (same key + same body = same answer).
  std::chrono::milliseconds idempotency_key_ttl = 24h;
};

// [retry.<channel>.<priority>]: transient failures are retried with exponential backoff and
// full jitter, bounded by attempts (the first send counts) and by the age of the delivery.
struct retry_rule {
  std::size_t max_attempts = 6;
  std::chrono::milliseconds base_delay = 10s;
  std::chrono::milliseconds max_delay = 30min;
  std::chrono::milliseconds max_age = 24h;
};

enum class priority { normal, urgent };

struct retry_channel_config {
  retry_rule normal;
  retry_rule urgent;
};

struct retry_config {
  retry_channel_config sms{{6, 10s, 30min, 24h}, {8, 2s, 5min, 2h}};
  retry_channel_config email{{8, 30s, 1h, 48h}, {8, 5s, 10min, 6h}};
  // A call is intrusive and slow to place: fewer, more spaced attempts.
  retry_channel_config voice{{3, 2min, 30min, 12h}, {4, 30s, 5min, 1h}};
  // The district's own systems: retried patiently, they are usually back within hours.
  retry_channel_config notice{{10, 10s, 30min, 48h}, {10, 5s, 10min, 24h}};

  const retry_rule& rule(channel c, priority p) const noexcept;
};

// [translation]: the machine translation service announcements may use (docs/i18n.md).
enum class translation_kind { none, apertium, libretranslate, google };

struct translation_config {
  translation_kind provider = translation_kind::none;
  // The service's address: an Apertium APy or LibreTranslate server; Google's API by default.
  std::string url;
  std::string api_key;  // from api_key_file (LibreTranslate: optional; Google: required)
  std::chrono::milliseconds timeout = 10s;  // one call: connect, send, answer
  // How long a translation is kept in Redis: the same text is sent to the service once.
  std::chrono::milliseconds cache_ttl = std::chrono::hours(24 * 30);
  std::size_t max_response_bytes = 1024 * 1024;  // larger answers are refused
  std::size_t max_concurrent_requests = 4;
};

// [notices]: event notices to the district's own systems, as signed JSON posts (the webhook
// provider's scheme: X-Liaison-Timestamp and X-Liaison-Signature, HMAC-SHA256 of
// "<timestamp>.<body>"). They go through the durable queue on the `notice` channel.
struct notices_config {
  std::string url;     // the district's endpoint; empty: no district notices
  std::string secret;  // from secret_file; required when url is set, or a school's reply_webhook
                       // without its own secret
  // A school's reply_webhook URL -> that school's own secret (filled from [district.schools]).
  std::map<std::string, std::string> secret_by_url;
  std::chrono::milliseconds timeout = 10s;
};

// [interpretation]: reminders and cancellation rules of interpreter requests.
struct interpretation_config {
  // Before the meeting, the family (reply 1 to confirm, 2 to reschedule) and the interpreter
  // are reminded this long ahead, once each; reminders already past when the request is
  // assigned are skipped.
  std::vector<std::chrono::milliseconds> reminders = {24h, 2h};
  // A cancellation this close to the start is flagged late (vendors charge for those).
  std::chrono::milliseconds late_cancellation_window = 24h;
};

// [logging]
enum class log_sink { automatic, stderr_sink, journald };
struct logging_config {
  std::string level = "info";           // spdlog level name
  log_sink sink = log_sink::automatic;  // journald under systemd, stderr otherwise
};

// [shutdown]
struct shutdown_config {
  std::chrono::milliseconds drain_timeout = 20s;
};

struct liaison_config {
  district_config district;
  http_config http;
  redis_config redis;
  auth_config auth;
  std::vector<provider_config> providers;
  workers_config workers;
  queue_config queue;
  retry_config retry;
  translation_config translation;
  notices_config notices;
  interpretation_config interpretation;
  logging_config logging;
  shutdown_config shutdown;
};

std::string_view to_string(channel c) noexcept;
std::string_view to_string(role r) noexcept;
std::string_view to_string(provider_kind k) noexcept;
std::string_view to_string(priority p) noexcept;
std::string_view to_string(translation_kind k) noexcept;

}  // namespace liaison::config
