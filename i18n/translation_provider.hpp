// The seam for machine translation providers (LibreTranslate, Apertium APy, Google Cloud
// Translation v2), which live in channels/ because they need the HTTP client. i18n only says
// what a provider is, so localization (choose_localization) and tests can talk about one
// without Asio. Patterns are prepared for a provider by pattern_translation.hpp.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "i18n/result.hpp"

namespace liaison::i18n {

enum class text_format {
  plain,
  // HTML: the provider translates the text and leaves the markup alone (pattern_translation.hpp
  // sends announcement patterns this way, with their arguments as markup).
  html,
};

struct translation_request {
  std::string text;             // UTF-8
  std::string source_language;  // canonical BCP 47
  std::string target_language;  // canonical BCP 47
  text_format format = text_format::plain;
};

// Translates text. Implementations do their I/O on their own executor and call `done` exactly
// once, from any thread, with the translation or why it failed; they never throw from
// translate(). A callback rather than an awaitable keeps Asio out of i18n; channels/ wraps it
// (asio::async_initiate) for coroutines. The caller adds the machine_translated_notice; the
// provider returns only the translation, in the request's format.
class translation_provider {
 public:
  using completion = std::function<void(result<std::string>)>;
  // An empty string: success; otherwise why not.
  using status_completion = std::function<void(std::string)>;

  virtual ~translation_provider() = default;

  virtual std::string_view name() const noexcept = 0;
  // Languages `source_language` can be translated into (canonical tags), for
  // localization_request::machine_languages: what the provider said the last time its list
  // was loaded (load_languages), so this does no I/O. Empty before the first successful load.
  virtual std::vector<std::string> target_languages(std::string_view source_language) const = 0;
  // Asks the service which languages it translates between, and calls `done` exactly once.
  virtual void load_languages(status_completion done) = 0;
  virtual void translate(translation_request request, completion done) = 0;
};

}  // namespace liaison::i18n
