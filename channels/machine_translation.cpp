#include "channels/machine_translation.hpp"

#include <spdlog/spdlog.h>
#include <unicode/locid.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <exception>
#include <variant>

#include "i18n/language.hpp"
#include "i18n/pattern_translation.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using outcome = i18n::result<std::string>;

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

// `base` + `path` with the parameters as a query string (Boost.URL encodes them).
std::string url_with(const std::string& base, std::string_view path,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  boost::urls::url url(trim_slash(base) + std::string(path));
  for (const auto& [key, value] : params) {
    url.params().append({key, value});
  }
  return std::string(url.buffer());
}

// Parameters as an application/x-www-form-urlencoded body.
std::string form_body(std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  boost::urls::url holder;
  for (const auto& [key, value] : params) {
    holder.params().append({key, value});
  }
  return std::string(holder.encoded_query());
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) {
    return std::nullopt;
  }
  return value;
}

// A string at a path of object keys and array indexes, or nothing.
const json::string* string_at(
    const json::value& root,
    std::initializer_list<std::variant<std::string_view, std::size_t>> path) {
  const json::value* at = &root;
  for (const auto& step : path) {
    if (const auto* key = std::get_if<std::string_view>(&step)) {
      const auto* object = at->if_object();
      at = object != nullptr ? object->if_contains(*key) : nullptr;
    } else {
      const auto* array = at->if_array();
      const auto index = std::get<std::size_t>(step);
      at = array != nullptr && index < array->size() ? &(*array)[index] : nullptr;
    }
    if (at == nullptr) {
      return nullptr;
    }
  }
  return at->if_string();
}

std::string text_of(const json::string* s) {
  return s == nullptr ? std::string() : std::string(s->data(), s->size());
}

const char* format_name(i18n::text_format format) {
  return format == i18n::text_format::html ? "html" : "text";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// What every service shares.

http_translation_provider::http_translation_provider(std::string name,
                                                     asio::any_io_executor executor,
                                                     std::shared_ptr<http_client> client,
                                                     config::translation_config cfg)
    : name_(std::move(name)),
      executor_(std::move(executor)),
      client_(std::move(client)),
      cfg_(std::move(cfg)) {}

std::vector<std::string> http_translation_provider::target_languages(
    std::string_view source_language) const {
  auto found = languages_.targets.find(std::string(source_language));
  if (found == languages_.targets.end()) {
    // en-US writes English: the service's "en" list applies.
    const auto language = source_language.substr(0, source_language.find('-'));
    found = languages_.targets.find(std::string(language));
  }
  if (found == languages_.targets.end()) {
    return {};
  }
  return {found->second.begin(), found->second.end()};
}

std::string http_translation_provider::code_for(const std::string& tag) const {
  const auto found = languages_.codes.find(tag);
  return found != languages_.codes.end() ? found->second : default_code(tag);
}

void http_translation_provider::add_pair(translation_languages& into,
                                         const std::string& source_code,
                                         const std::string& target_code) {
  auto source = i18n::canonicalize_language_tag(source_code);
  auto target = i18n::canonicalize_language_tag(target_code);
  if (!source || !target || *source.value == *target.value) {
    return;
  }
  into.codes.try_emplace(*source.value, source_code);
  into.codes.try_emplace(*target.value, target_code);
  into.targets[*source.value].insert(*target.value);
}

asio::awaitable<std::string> http_translation_provider::load_languages_now() {
  auto request = languages_request();
  request.timeout = cfg_.timeout;
  auto answer = co_await client_->request(std::move(request));
  if (!answer) {
    co_return name_ + ": no answer to the language list: " + answer.error().message();
  }
  if (answer->status < 200 || answer->status >= 300) {
    const auto why = error_message(*answer);
    co_return name_ + ": the language list answered HTTP " + std::to_string(answer->status) +
        (why.empty() ? "" : ": " + why);
  }
  translation_languages loaded;
  if (auto why = read_languages(*answer, loaded); !why.empty()) {
    co_return name_ + ": " + why;
  }
  languages_ = std::move(loaded);
  co_return std::string();
}

asio::awaitable<i18n::result<std::string>> http_translation_provider::translate_now(
    i18n::translation_request request) {
  auto call = translate_request(request);
  call.timeout = cfg_.timeout;
  auto answer = co_await client_->request(std::move(call));
  if (!answer) {
    co_return outcome::failure(name_ + ": no answer: " + answer.error().message());
  }
  if (answer->status < 200 || answer->status >= 300) {
    const auto why = error_message(*answer);
    co_return outcome::failure(name_ + " answered HTTP " + std::to_string(answer->status) +
                               (why.empty() ? "" : ": " + why));
  }
  auto translated = read_translation(*answer, request);
  if (!translated) {
    co_return outcome::failure(name_ + ": " + translated.error);
  }
  co_return translated;
}

void http_translation_provider::load_languages(status_completion done) {
  asio::co_spawn(executor_, load_languages_now(),
                 [done = std::move(done)](std::exception_ptr e, std::string error) noexcept {
                   try {
                     done(e ? std::string("internal error while loading the language list")
                            : std::move(error));
                   } catch (...) {  // a completion must not throw into Asio
                   }
                 });
}

void http_translation_provider::translate(i18n::translation_request request, completion done) {
  asio::co_spawn(
      executor_, translate_now(std::move(request)),
      [done = std::move(done)](std::exception_ptr e, outcome answer) noexcept {
        try {
          done(e ? outcome::failure("internal error while translating") : std::move(answer));
        } catch (...) {  // a completion must not throw into Asio
        }
      });
}

// ---------------------------------------------------------------------------------------------
// Apertium APy.

apertium_provider::apertium_provider(asio::any_io_executor executor,
                                     std::shared_ptr<http_client> client,
                                     config::translation_config cfg)
    : http_translation_provider("apertium", std::move(executor), std::move(client),
                                std::move(cfg)) {}

std::string apertium_provider::default_code(const std::string& tag) const {
  // APy names languages by ISO 639-3 codes; ICU knows them, so no table of ours.
  UErrorCode status = U_ZERO_ERROR;
  const auto locale = icu::Locale::forLanguageTag(tag, status);
  return U_SUCCESS(status) ? std::string(locale.getISO3Language()) : tag;
}

http_request apertium_provider::languages_request() const {
  http_request req;
  req.url = url_with(settings().url, "/listPairs", {});
  return req;
}

std::string apertium_provider::read_languages(const http_response& response,
                                              translation_languages& into) const {
  const auto body = parse_json(response.body);
  const auto* pairs =
      body && body->is_object() ? body->as_object().if_contains("responseData") : nullptr;
  if (pairs == nullptr || !pairs->is_array()) {
    return "the pair list is not APy's JSON (responseData)";
  }
  for (const auto& pair : pairs->as_array()) {
    const auto source = text_of(string_at(pair, {"sourceLanguage"}));
    const auto target = text_of(string_at(pair, {"targetLanguage"}));
    if (!source.empty() && !target.empty()) {
      add_pair(into, source, target);
    }
  }
  return {};
}

http_request apertium_provider::translate_request(const i18n::translation_request& request) const {
  const std::string langpair =
      code_for(request.source_language) + "|" + code_for(request.target_language);
  const bool html = request.format == i18n::text_format::html;
  http_request req;
  // The documented GET parameters, sent as a form body: a long announcement does not fit in a
  // URL. html-noent gives characters back rather than entities.
  req.method = "POST";
  req.url = url_with(settings().url, "/translate", {});
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  req.body = html ? form_body({{"langpair", langpair},
                               {"q", request.text},
                               {"markUnknown", "no"},
                               {"deformat", "html"},
                               {"reformat", "html-noent"},
                               {"key", settings().api_key}})
                  : form_body({{"langpair", langpair},
                               {"q", request.text},
                               {"markUnknown", "no"},
                               {"format", "txt"},
                               {"key", settings().api_key}});
  return req;
}

i18n::result<std::string> apertium_provider::read_translation(
    const http_response& response, const i18n::translation_request&) const {
  const auto body = parse_json(response.body);
  const auto* text = body ? string_at(*body, {"responseData", "translatedText"}) : nullptr;
  if (text == nullptr) {
    return outcome::failure("the answer has no responseData.translatedText");
  }
  return outcome::success(text_of(text));
}

std::string apertium_provider::error_message(const http_response& response) const {
  const auto body = parse_json(response.body);
  return body ? text_of(string_at(*body, {"explanation"})) : std::string();
}

// ---------------------------------------------------------------------------------------------
// LibreTranslate.

libretranslate_provider::libretranslate_provider(asio::any_io_executor executor,
                                                 std::shared_ptr<http_client> client,
                                                 config::translation_config cfg)
    : http_translation_provider("libretranslate", std::move(executor), std::move(client),
                                std::move(cfg)) {}

http_request libretranslate_provider::languages_request() const {
  http_request req;
  req.url = url_with(settings().url, "/languages", {});
  return req;
}

std::string libretranslate_provider::read_languages(const http_response& response,
                                                    translation_languages& into) const {
  const auto body = parse_json(response.body);
  if (!body || !body->is_array()) {
    return "the language list is not a JSON array";
  }
  std::vector<std::string> all;
  for (const auto& language : body->as_array()) {
    if (const auto* code = string_at(language, {"code"})) {
      all.push_back(text_of(code));
    }
  }
  for (const auto& language : body->as_array()) {
    const auto source = text_of(string_at(language, {"code"}));
    const auto* targets =
        language.is_object() ? language.as_object().if_contains("targets") : nullptr;
    if (targets != nullptr && targets->is_array()) {
      for (const auto& target : targets->as_array()) {
        if (target.is_string()) {
          add_pair(into, source, std::string(target.as_string()));
        }
      }
    } else {
      // Older servers list no targets: every language translates into every other.
      for (const auto& target : all) {
        add_pair(into, source, target);
      }
    }
  }
  return {};
}

http_request libretranslate_provider::translate_request(
    const i18n::translation_request& request) const {
  json::object body;
  body["q"] = request.text;
  body["source"] = code_for(request.source_language);
  body["target"] = code_for(request.target_language);
  body["format"] = format_name(request.format);
  if (!settings().api_key.empty()) {
    body["api_key"] = settings().api_key;
  }
  http_request req;
  req.method = "POST";
  req.url = url_with(settings().url, "/translate", {});
  req.headers.push_back({"Content-Type", "application/json"});
  req.body = json::serialize(body);
  return req;
}

i18n::result<std::string> libretranslate_provider::read_translation(
    const http_response& response, const i18n::translation_request&) const {
  const auto body = parse_json(response.body);
  const auto* text = body ? string_at(*body, {"translatedText"}) : nullptr;
  if (text == nullptr) {
    return outcome::failure("the answer has no translatedText");
  }
  return outcome::success(text_of(text));
}

std::string libretranslate_provider::error_message(const http_response& response) const {
  const auto body = parse_json(response.body);
  return body ? text_of(string_at(*body, {"error"})) : std::string();
}

// ---------------------------------------------------------------------------------------------
// Google Cloud Translation v2.

google_translate_provider::google_translate_provider(asio::any_io_executor executor,
                                                     std::shared_ptr<http_client> client,
                                                     config::translation_config cfg)
    : http_translation_provider("google", std::move(executor), std::move(client), std::move(cfg)) {}

http_request google_translate_provider::languages_request() const {
  http_request req;
  req.url =
      url_with(settings().url, "/language/translate/v2/languages", {{"key", settings().api_key}});
  return req;
}

std::string google_translate_provider::read_languages(const http_response& response,
                                                      translation_languages& into) const {
  const auto body = parse_json(response.body);
  const auto* data = body && body->is_object() ? body->as_object().if_contains("data") : nullptr;
  const auto* languages =
      data != nullptr && data->is_object() ? data->as_object().if_contains("languages") : nullptr;
  if (languages == nullptr || !languages->is_array()) {
    return "the language list has no data.languages";
  }
  std::vector<std::string> codes;
  for (const auto& language : languages->as_array()) {
    if (const auto* code = string_at(language, {"language"})) {
      codes.push_back(text_of(code));
    }
  }
  // Google translates between any two of its languages.
  for (const auto& source : codes) {
    for (const auto& target : codes) {
      add_pair(into, source, target);
    }
  }
  return {};
}

http_request google_translate_provider::translate_request(
    const i18n::translation_request& request) const {
  json::object body;
  body["q"] = request.text;
  body["source"] = code_for(request.source_language);
  body["target"] = code_for(request.target_language);
  body["format"] = format_name(request.format);
  http_request req;
  req.method = "POST";
  req.url = url_with(settings().url, "/language/translate/v2", {{"key", settings().api_key}});
  req.headers.push_back({"Content-Type", "application/json"});
  req.body = json::serialize(body);
  return req;
}

i18n::result<std::string> google_translate_provider::read_translation(
    const http_response& response, const i18n::translation_request& request) const {
  const auto body = parse_json(response.body);
  const auto* text =
      body ? string_at(*body, {"data", "translations", std::size_t{0}, "translatedText"}) : nullptr;
  if (text == nullptr) {
    return outcome::failure("the answer has no data.translations[0].translatedText");
  }
  auto translated = text_of(text);
  if (request.format == i18n::text_format::plain) {
    translated = i18n::unescape_html(translated);
  }
  return outcome::success(std::move(translated));
}

std::string google_translate_provider::error_message(const http_response& response) const {
  const auto body = parse_json(response.body);
  return body ? text_of(string_at(*body, {"error", "message"})) : std::string();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<http_translation_provider> make_translation_provider(
    const config::translation_config& cfg, asio::any_io_executor executor,
    std::shared_ptr<spdlog::logger> logger) {
  if (cfg.provider == config::translation_kind::none) {
    return nullptr;
  }
  http_client_options options;
  options.max_concurrent = cfg.max_concurrent_requests;
  options.max_response_bytes = cfg.max_response_bytes;
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(cfg.timeout, std::chrono::seconds(5));
  options.logger = std::move(logger);
  auto client = std::make_shared<http_client>(executor, options);
  switch (cfg.provider) {
    case config::translation_kind::apertium:
      return std::make_unique<apertium_provider>(executor, std::move(client), cfg);
    case config::translation_kind::libretranslate:
      return std::make_unique<libretranslate_provider>(executor, std::move(client), cfg);
    case config::translation_kind::google:
      return std::make_unique<google_translate_provider>(executor, std::move(client), cfg);
    case config::translation_kind::none:
      break;
  }
  return nullptr;
}

}  // namespace liaison::channels
