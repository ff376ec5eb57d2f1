// Machine translation providers over the HTTP client: Apertium APy, LibreTranslate (and
// compatible servers), Google Cloud Translation v2. Each implements i18n::translation_provider
// (a callback, so i18n stays free of Asio); async_translate / async_load_languages wrap the
// callbacks for coroutines. Every call has the configured timeout and response size limit.
// Which service says what is written down in docs/i18n.md.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "channels/http_client.hpp"
#include "config/config.hpp"
#include "i18n/translation_provider.hpp"

namespace liaison::channels {

// What the language list of a service said, in canonical BCP 47 tags, with the service's own
// code for each (Apertium "spa", LibreTranslate "zt", Google "iw").
struct translation_languages {
  std::map<std::string, std::set<std::string>> targets;  // source → targets
  std::map<std::string, std::string> codes;              // canonical tag → the service's code
};

// The parts every HTTP translation service shares: the language list, the call, the error
// text. A service says how to ask and how to read the answers.
class http_translation_provider : public i18n::translation_provider {
 public:
  http_translation_provider(std::string name, boost::asio::any_io_executor executor,
                            std::shared_ptr<http_client> client, config::translation_config cfg);

  std::string_view name() const noexcept override { return name_; }
  std::vector<std::string> target_languages(std::string_view source_language) const override;
  void load_languages(status_completion done) override;
  void translate(i18n::translation_request request, completion done) override;

  // The coroutines behind the callbacks.
  boost::asio::awaitable<std::string> load_languages_now();
  boost::asio::awaitable<i18n::result<std::string>> translate_now(
      i18n::translation_request request);

  // How the service is asked and how its answers read: public so tests can check them without
  // a server.
  virtual http_request languages_request() const = 0;
  // Fills `into` from a 2xx answer, or says why it cannot.
  virtual std::string read_languages(const http_response& response,
                                     translation_languages& into) const = 0;
  virtual http_request translate_request(const i18n::translation_request& request) const = 0;
  virtual i18n::result<std::string> read_translation(
      const http_response& response, const i18n::translation_request& request) const = 0;
  // The service's error message in a non-2xx answer, if it gave one.
  virtual std::string error_message(const http_response& response) const = 0;

 protected:
  // The service's code for a canonical tag: the one its list gave, else `fallback(tag)`.
  std::string code_for(const std::string& tag) const;
  virtual std::string default_code(const std::string& tag) const { return tag; }
  // Adds a pair from the service's codes (canonicalized with ICU; a code ICU does not know is
  // skipped: no family's language can match it).
  static void add_pair(translation_languages& into, const std::string& source_code,
                       const std::string& target_code);

  const config::translation_config& settings() const noexcept { return cfg_; }

 private:
  std::string name_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<http_client> client_;
  config::translation_config cfg_;
  translation_languages languages_;
};

// Apertium APy: GET /listPairs; GET /translate?langpair=eng|spa&q=…&format=html&markUnknown=no.
// Codes are ISO 639-3 (ICU's getISO3Language), with a region where APy lists one ("eng_US").
class apertium_provider final : public http_translation_provider {
 public:
  apertium_provider(boost::asio::any_io_executor executor, std::shared_ptr<http_client> client,
                    config::translation_config cfg);
  http_request languages_request() const override;
  std::string read_languages(const http_response& response,
                             translation_languages& into) const override;
  http_request translate_request(const i18n::translation_request& request) const override;
  i18n::result<std::string> read_translation(
      const http_response& response, const i18n::translation_request& request) const override;
  std::string error_message(const http_response& response) const override;

 protected:
  std::string default_code(const std::string& tag) const override;
};

// LibreTranslate: GET /languages; POST /translate with JSON q, source, target, format
// ("text" | "html") and api_key.
class libretranslate_provider final : public http_translation_provider {
 public:
  libretranslate_provider(boost::asio::any_io_executor executor,
                          std::shared_ptr<http_client> client, config::translation_config cfg);
  http_request languages_request() const override;
  std::string read_languages(const http_response& response,
                             translation_languages& into) const override;
  http_request translate_request(const i18n::translation_request& request) const override;
  i18n::result<std::string> read_translation(
      const http_response& response, const i18n::translation_request& request) const override;
  std::string error_message(const http_response& response) const override;
};

// Google Cloud Translation v2: GET /language/translate/v2/languages?key=…; POST
// /language/translate/v2?key=… with JSON q, source, target, format; the answer is
// data.translations[0].translatedText (HTML entities decoded for format "text", since Google
// escapes quotes even there; for "html" the caller reads the markup).
class google_translate_provider final : public http_translation_provider {
 public:
  google_translate_provider(boost::asio::any_io_executor executor,
                            std::shared_ptr<http_client> client, config::translation_config cfg);
  http_request languages_request() const override;
  std::string read_languages(const http_response& response,
                             translation_languages& into) const override;
  http_request translate_request(const i18n::translation_request& request) const override;
  i18n::result<std::string> read_translation(
      const http_response& response, const i18n::translation_request& request) const override;
  std::string error_message(const http_response& response) const override;
};

// The provider [translation] asks for, with its own HTTP client (its timeout, response limit
// and concurrency); null for provider = "none".
std::unique_ptr<http_translation_provider> make_translation_provider(
    const config::translation_config& cfg, boost::asio::any_io_executor executor,
    std::shared_ptr<spdlog::logger> logger);

// Any i18n::translation_provider's callbacks as asynchronous operations (co_await
// async_translate(provider, request, asio::use_awaitable)). The completion runs on the
// handler's associated executor (else `executor`), whatever thread the provider calls back on.
template <class CompletionToken>
auto async_translate(i18n::translation_provider& provider, i18n::translation_request request,
                     boost::asio::any_io_executor executor, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(i18n::result<std::string>)>(
      [&provider, executor](auto handler, i18n::translation_request r) {
        // std::function needs a copyable callable; asio handlers are move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        provider.translate(std::move(r), [shared, executor](i18n::result<std::string> answer) {
          auto handler_executor = boost::asio::get_associated_executor(*shared, executor);
          boost::asio::post(handler_executor, [shared, answer = std::move(answer)]() mutable {
            (*shared)(std::move(answer));
          });
        });
      },
      token, std::move(request));
}

template <class CompletionToken>
auto async_load_languages(i18n::translation_provider& provider,
                          boost::asio::any_io_executor executor, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(std::string)>(
      [&provider, executor](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        provider.load_languages([shared, executor](std::string error) {
          auto handler_executor = boost::asio::get_associated_executor(*shared, executor);
          boost::asio::post(handler_executor, [shared, error = std::move(error)]() mutable {
            (*shared)(std::move(error));
          });
        });
      },
      token);
}

}  // namespace liaison::channels
