// Machine translation for the daemon. Announcement texts: each ICU MessageFormat pattern is
// taken apart with its arguments protected (i18n/pattern_translation.hpp), each part is
// translated by the configured provider unless Redis has it cached, and the result must come
// back as a pattern with the same arguments. Families' replies: plain text, through the same
// cache. docs/i18n.md has the rules.
//
// Cache keys (docs/queue.md), all in one hash slot:
//   <prefix>:{mt}:<provider>:<source>:<target>:<sha256 of the text sent>  string, TTL cache_ttl
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/services/announcement.hpp"
#include "i18n/result.hpp"
#include "i18n/translation_provider.hpp"
#include "support/clock.hpp"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace spdlog {
class logger;
}

namespace liaison::queue {
class redis_connection;
}

namespace liaison::services {

// Provider answers in Redis, keyed by what was asked. A Redis failure is a cache miss (get) or
// a lost entry (put), never a failed translation.
class translation_cache {
 public:
  translation_cache(queue::redis_connection& redis, std::string key_prefix,
                    std::chrono::milliseconds ttl);

  std::string key(std::string_view provider, const i18n::translation_request& request) const;
  boost::asio::awaitable<std::optional<std::string>> get(std::string key);
  boost::asio::awaitable<bool> put(std::string key, std::string translation);

 private:
  queue::redis_connection& redis_;
  std::string prefix_;
  std::chrono::milliseconds ttl_;
};

class machine_translator {
 public:
  // After a provider failure, further calls fail at once for this long: an outage costs one
  // timeout per fan-out, not one per language and segment.
  static constexpr auto pause_after_failure = std::chrono::seconds(30);

  // `provider` null: no provider is configured; every translation fails at once. `cache` may be
  // null (then every call goes to the provider). `metrics` may be null.
  machine_translator(boost::asio::any_io_executor executor, i18n::translation_provider* provider,
                     translation_cache* cache, liaison::clock clock,
                     std::shared_ptr<spdlog::logger> logger, prometheus::Registry* metrics);

  bool enabled() const noexcept { return provider_ != nullptr; }
  std::string_view provider_name() const noexcept;

  // The languages the provider translates `source_language` into, as last loaded (empty before
  // the list was loaded, or without a provider).
  std::vector<std::string> target_languages(std::string_view source_language) const;
  // Loads the provider's language list when it has not been loaded yet (again at most once a
  // minute after a failure).
  boost::asio::awaitable<void> ensure_languages();

  // One pattern from `source` into `target` (canonical tags): the translated pattern, or why
  // there is none (provider failure, or an answer that broke the pattern).
  boost::asio::awaitable<i18n::result<std::string>> translate_pattern(std::string pattern,
                                                                      std::string source,
                                                                      std::string target);
  // Plain text (a family's reply), not a pattern: sent as written, through the same cache and
  // failure pause. The translation, or why there is none (logged once here).
  boost::asio::awaitable<i18n::result<std::string>> translate_plain(std::string text,
                                                                    std::string source,
                                                                    std::string target);
  // An announcement text: its body, and its subject when it has one.
  boost::asio::awaitable<i18n::result<announcement_text>> translate_text(announcement_text text,
                                                                         std::string source,
                                                                         std::string target);

 private:
  boost::asio::awaitable<i18n::result<std::string>> translate_segment(
      i18n::translation_request request);
  void count(const char* outcome);

  boost::asio::any_io_executor executor_;
  i18n::translation_provider* provider_;
  translation_cache* cache_;
  liaison::clock clock_;
  std::shared_ptr<spdlog::logger> logger_;
  prometheus::Family<prometheus::Counter>* outcomes_ = nullptr;
  std::chrono::steady_clock::time_point paused_until_{};
  std::chrono::steady_clock::time_point languages_tried_at_{};
  bool languages_loaded_ = false;
  bool languages_loading_ = false;
  // Callers that arrive while the list is loading wait on this; cancelled when the load ends.
  boost::asio::steady_timer languages_ready_;
};

}  // namespace liaison::services
