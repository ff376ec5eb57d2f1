#include "daemon/services/machine_translator.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "channels/machine_translation.hpp"
#include "i18n/pattern_translation.hpp"
#include "queue/redis_connection.hpp"
#include "support/crypto.hpp"

namespace liaison::services {

namespace asio = boost::asio;
using outcome = i18n::result<std::string>;

// ---------------------------------------------------------------------------------------------

translation_cache::translation_cache(queue::redis_connection& redis, std::string key_prefix,
                                     std::chrono::milliseconds ttl)
    : redis_(redis), prefix_(std::move(key_prefix)), ttl_(ttl) {}

std::string translation_cache::key(std::string_view provider,
                                   const i18n::translation_request& request) const {
  // The format is part of what was asked: the same words as text and as HTML differ.
  const char* format = request.format == i18n::text_format::html ? "html:" : "text:";
  return prefix_ + ":{mt}:" + std::string(provider) + ":" + request.source_language + ":" +
         request.target_language + ":" + sha256_hex(format + request.text);
}

asio::awaitable<std::optional<std::string>> translation_cache::get(std::string key) {
  std::vector<std::string> command = {"GET", std::move(key)};
  auto reply = co_await redis_.exec_one(std::move(command));
  if (!reply || reply->kind != queue::redis_reply::kind_t::string) {
    co_return std::nullopt;
  }
  co_return std::optional<std::string>(std::move(reply->text));
}

asio::awaitable<bool> translation_cache::put(std::string key, std::string translation) {
  std::vector<std::string> command = {"SET", std::move(key), std::move(translation), "PX",
                                      std::to_string(ttl_.count())};
  auto reply = co_await redis_.exec_one(std::move(command));
  co_return reply && !reply->is_error();
}

// ---------------------------------------------------------------------------------------------

machine_translator::machine_translator(asio::any_io_executor executor,
                                       i18n::translation_provider* provider,
                                       translation_cache* cache, liaison::clock clock,
                                       std::shared_ptr<spdlog::logger> logger,
                                       prometheus::Registry* metrics)
    : executor_(std::move(executor)),
      provider_(provider),
      cache_(cache),
      clock_(std::move(clock)),
      logger_(std::move(logger)),
      languages_ready_(executor_) {
  if (metrics != nullptr) {
    outcomes_ = &prometheus::BuildCounter()
                     .Name("liaison_machine_translations_total")
                     .Help(
                         "Texts sent for machine translation, by outcome (cached, translated, "
                         "failed, paused, rejected)")
                     .Register(*metrics);
  }
}

std::string_view machine_translator::provider_name() const noexcept {
  return provider_ != nullptr ? provider_->name() : std::string_view("none");
}

void machine_translator::count(const char* what) {
  if (outcomes_ != nullptr) {
    outcomes_->Add({{"outcome", what}}).Increment();
  }
}

std::vector<std::string> machine_translator::target_languages(
    std::string_view source_language) const {
  return provider_ != nullptr ? provider_->target_languages(source_language)
                              : std::vector<std::string>{};
}

asio::awaitable<void> machine_translator::ensure_languages() {
  if (languages_loading_) {
    // A fan-out and a preview at once: both get the list the one load brings.
    co_await languages_ready_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return;
  }
  const auto now = clock_.now_steady();
  if (provider_ == nullptr || languages_loaded_ ||
      (languages_tried_at_ != std::chrono::steady_clock::time_point{} &&
       now - languages_tried_at_ < std::chrono::minutes(1))) {
    co_return;
  }
  languages_tried_at_ = now;
  languages_loading_ = true;
  languages_ready_.expires_at(std::chrono::steady_clock::time_point::max());
  auto error = co_await channels::async_load_languages(*provider_, executor_, asio::use_awaitable);
  languages_loading_ = false;
  languages_ready_.cancel();
  if (!error.empty()) {
    logger_->warn("machine translation: cannot load the language list: {}", error);
    co_return;
  }
  languages_loaded_ = true;
}

asio::awaitable<outcome> machine_translator::translate_segment(i18n::translation_request request) {
  std::string key;
  if (cache_ != nullptr) {
    key = cache_->key(provider_->name(), request);
    if (auto cached = co_await cache_->get(key)) {
      count("cached");
      co_return outcome::success(std::move(*cached));
    }
  }
  if (clock_.now_steady() < paused_until_) {
    count("paused");
    co_return outcome::failure("the translation service failed moments ago; not asked again yet");
  }
  auto answer = co_await channels::async_translate(*provider_, std::move(request), executor_,
                                                   asio::use_awaitable);
  if (!answer) {
    count("failed");
    paused_until_ = clock_.now_steady() + pause_after_failure;
    co_return answer;
  }
  count("translated");
  if (cache_ != nullptr) {
    co_await cache_->put(std::move(key), *answer.value);
  }
  co_return answer;
}

asio::awaitable<outcome> machine_translator::translate_pattern(std::string pattern,
                                                               std::string source,
                                                               std::string target) {
  if (provider_ == nullptr) {
    co_return outcome::failure("no translation provider is configured");
  }
  auto prepared = i18n::protect_pattern(pattern);
  if (!prepared) {
    co_return outcome::failure(std::move(prepared.error));
  }
  std::vector<std::string> translated;
  for (std::size_t i = 0; i < prepared.value->segments.size(); ++i) {
    const auto& segment = prepared.value->segments[i];
    if (!prepared.value->translatable[i]) {
      translated.push_back(segment);  // only arguments and punctuation: nothing to ask
      continue;
    }
    i18n::translation_request request;
    request.text = segment;
    request.source_language = source;
    request.target_language = target;
    request.format = i18n::text_format::html;
    auto answer = co_await translate_segment(std::move(request));
    if (!answer) {
      co_return answer;
    }
    translated.push_back(std::move(*answer.value));
  }
  auto restored = i18n::restore_pattern(pattern, *prepared.value, translated);
  if (!restored) {
    count("rejected");
    co_return outcome::failure("the " + std::string(provider_->name()) +
                               " translation broke the pattern: " + restored.error);
  }
  co_return restored;
}

asio::awaitable<outcome> machine_translator::translate_plain(std::string text, std::string source,
                                                             std::string target) {
  if (provider_ == nullptr) {
    co_return outcome::failure("no translation provider is configured");
  }
  i18n::translation_request request;
  request.text = std::move(text);
  request.source_language = source;
  request.target_language = target;
  request.format = i18n::text_format::plain;
  auto answer = co_await translate_segment(std::move(request));
  if (answer && answer.value->empty()) {
    count("rejected");
    answer =
        outcome::failure("the " + std::string(provider_->name()) + " translation came back empty");
  }
  if (!answer) {
    logger_->warn("machine translation of a reply {} -> {} by {} failed: {}", source, target,
                  provider_name(), answer.error);
  }
  co_return answer;
}

asio::awaitable<i18n::result<announcement_text>> machine_translator::translate_text(
    announcement_text text, std::string source, std::string target) {
  using text_outcome = i18n::result<announcement_text>;
  announcement_text out;
  auto body = co_await translate_pattern(text.body, source, target);
  if (body && !text.subject.empty()) {
    auto subject = co_await translate_pattern(text.subject, source, target);
    if (!subject) {
      body = std::move(subject);
    } else {
      out.subject = std::move(*subject.value);
    }
  }
  if (!body) {
    // The families of this language get the fallback text; say why once per language.
    logger_->warn("machine translation {} -> {} by {} failed: {}", source, target, provider_name(),
                  body.error);
    co_return text_outcome::failure(std::move(body.error));
  }
  out.body = std::move(*body.value);
  co_return text_outcome::success(std::move(out));
}

}  // namespace liaison::services
