// Machine translation providers against a local stub HTTP server: the exact requests each
// service gets (method, path, parameters, key), how its answers and error answers read, and
// that a silent or oversized answer ends the call instead of holding it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <memory>

#include "channels/machine_translation.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/stub_http_server.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::stub_http_server;
using testing::stub_request;
using testing::stub_response;
using namespace std::chrono_literals;

std::map<std::string, std::string> form_fields_of(const std::string& encoded) {
  std::map<std::string, std::string> out;
  boost::urls::url query(*boost::urls::parse_relative_ref("?" + encoded));
  for (const auto& p : query.params()) {
    out[std::string(p.key)] = std::string(p.value);
  }
  return out;
}

std::map<std::string, std::string> query_of(const std::string& target) {
  const auto at = target.find('?');
  return at == std::string::npos ? std::map<std::string, std::string>{}
                                 : form_fields_of(target.substr(at + 1));
}

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

stub_response json_answer(unsigned status, std::string body) {
  stub_response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/json"});
  res.body = std::move(body);
  return res;
}

config::translation_config settings(config::translation_kind kind, const std::string& url) {
  config::translation_config cfg;
  cfg.provider = kind;
  cfg.url = url;
  cfg.timeout = 2s;
  return cfg;
}

i18n::translation_request en_to_es(std::string text,
                                   i18n::text_format format = i18n::text_format::html) {
  return {std::move(text), "en", "es", format};
}

class translation_stub_test : public ::testing::Test {
 protected:
  std::unique_ptr<http_translation_provider> make(const config::translation_config& cfg) {
    return make_translation_provider(cfg, io_.get_executor(), nullptr);
  }
  std::string load(http_translation_provider& p) {
    return testing::complete_on(io_, p.load_languages_now(), 10s);
  }
  i18n::result<std::string> translate(http_translation_provider& p,
                                      i18n::translation_request request) {
    return testing::complete_on(io_, p.translate_now(std::move(request)), 10s);
  }

  asio::io_context io_;
};

// --- Apertium APy -----------------------------------------------------------------------------

stub_response apertium_stub(const stub_request& r) {
  if (path_of(r.target) == "/listPairs") {
    return json_answer(200, R"({"responseData": [{"sourceLanguage": "eng", "targetLanguage": "spa"},
      {"sourceLanguage": "spa", "targetLanguage": "eng"},
      {"sourceLanguage": "spa", "targetLanguage": "eng_US"}], "responseDetails": null,
      "responseStatus": 200})");
  }
  const auto fields = form_fields_of(r.body);
  if (fields.at("langpair") != "eng|spa") {
    return json_answer(400, R"({"status": "error", "code": 400, "message": "Bad Request",
      "explanation": "That pair is not installed"})");
  }
  return json_answer(200, R"({"responseData": {"translatedText": "Hola <x-arg id=\"1\"><\/x-arg>"},
    "responseDetails": null, "responseStatus": 200})");
}

TEST_F(translation_stub_test, apertium_lists_pairs_as_bcp47_tags) {
  stub_http_server server(apertium_stub);
  auto apertium = make(settings(config::translation_kind::apertium, server.url()));
  EXPECT_TRUE(apertium->target_languages("en").empty());  // nothing before the list is loaded
  EXPECT_EQ(load(*apertium), "");
  EXPECT_THAT(apertium->target_languages("en"), ElementsAre("es"));
  EXPECT_THAT(apertium->target_languages("en-US"), ElementsAre("es"));
  EXPECT_THAT(apertium->target_languages("es"), ElementsAre("en", "en-US"));
  EXPECT_EQ(server.requests().front().method, "GET");
  EXPECT_EQ(path_of(server.requests().front().target), "/listPairs");
}

TEST_F(translation_stub_test, apertium_sends_the_langpair_in_iso_639_3_and_reads_the_answer) {
  stub_http_server server(apertium_stub);
  auto apertium = make(settings(config::translation_kind::apertium, server.url()));
  // Without the pair list the codes still come from ICU (eng, spa).
  const auto answer = translate(*apertium, en_to_es("Hello <x-arg id=\"1\"></x-arg>"));
  ASSERT_TRUE(answer) << answer.error;
  EXPECT_EQ(*answer.value, "Hola <x-arg id=\"1\"></x-arg>");
  const auto request = server.requests().back();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(path_of(request.target), "/translate");
  const auto fields = form_fields_of(request.body);
  EXPECT_EQ(fields.at("langpair"), "eng|spa");
  EXPECT_EQ(fields.at("q"), "Hello <x-arg id=\"1\"></x-arg>");
  EXPECT_EQ(fields.at("markUnknown"), "no");
  EXPECT_EQ(fields.at("deformat"), "html");
}

TEST_F(translation_stub_test, apertium_reports_its_error_explanation) {
  stub_http_server server(apertium_stub);
  auto apertium = make(settings(config::translation_kind::apertium, server.url()));
  const auto answer = translate(*apertium, {"Hello", "en", "fr", i18n::text_format::plain});
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("HTTP 400"));
  EXPECT_THAT(answer.error, HasSubstr("That pair is not installed"));
  EXPECT_EQ(form_fields_of(server.requests().back().body).at("langpair"), "eng|fra");
}

// --- LibreTranslate ---------------------------------------------------------------------------

stub_response libretranslate_stub(const stub_request& r) {
  if (path_of(r.target) == "/languages") {
    return json_answer(200, R"([{"code": "en", "name": "English", "targets": ["es", "vi", "zh"]},
      {"code": "es", "name": "Spanish", "targets": ["en"]}])");
  }
  const auto body = boost::json::parse(r.body).as_object();
  if (!body.contains("api_key") || body.at("api_key") != "libre-key") {
    return json_answer(403, R"({"error": "Invalid API key"})");
  }
  if (body.at("q") == "overloaded") {
    return json_answer(429, R"({"error": "Slowdown: too many requests"})");
  }
  return json_answer(200, R"({"translatedText": "¡Hola!"})");
}

TEST_F(translation_stub_test, libretranslate_posts_json_with_the_api_key) {
  stub_http_server server(libretranslate_stub);
  auto cfg = settings(config::translation_kind::libretranslate, server.url());
  cfg.api_key = "libre-key";
  auto libre = make(cfg);
  EXPECT_EQ(load(*libre), "");
  EXPECT_THAT(libre->target_languages("en"), ElementsAre("es", "vi", "zh"));
  const auto answer = translate(*libre, en_to_es("Hello!"));
  ASSERT_TRUE(answer) << answer.error;
  EXPECT_EQ(*answer.value, "¡Hola!");
  const auto request = server.requests().back();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(path_of(request.target), "/translate");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  const auto body = boost::json::parse(request.body).as_object();
  EXPECT_EQ(body.at("q"), "Hello!");
  EXPECT_EQ(body.at("source"), "en");
  EXPECT_EQ(body.at("target"), "es");
  EXPECT_EQ(body.at("format"), "html");
  EXPECT_EQ(body.at("api_key"), "libre-key");
}

TEST_F(translation_stub_test, libretranslate_errors_carry_the_status_and_message) {
  stub_http_server server(libretranslate_stub);
  auto cfg = settings(config::translation_kind::libretranslate, server.url());
  auto without_key = make(cfg);
  const auto refused = translate(*without_key, en_to_es("Hello"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error, HasSubstr("HTTP 403: Invalid API key"));
  cfg.api_key = "libre-key";
  auto libre = make(cfg);
  const auto busy = translate(*libre, en_to_es("overloaded"));
  ASSERT_FALSE(busy);
  EXPECT_THAT(busy.error, HasSubstr("HTTP 429"));
}

// --- Google Cloud Translation v2 --------------------------------------------------------------

stub_response google_stub(const stub_request& r) {
  const auto query = query_of(r.target);
  if (query.count("key") == 0 || query.at("key") != "google-key") {
    return json_answer(
        400,
        R"({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
      "errors": [{"reason": "badRequest"}], "status": "INVALID_ARGUMENT"}})");
  }
  if (path_of(r.target) == "/language/translate/v2/languages") {
    return json_answer(200, R"({"data": {"languages": [{"language": "en"}, {"language": "es"},
      {"language": "iw"}]}})");
  }
  const auto body = boost::json::parse(r.body).as_object();
  if (body.at("format") == "text") {
    return json_answer(
        200,
        R"({"data": {"translations": [{"translatedText": "No olvides el &quot;día&quot; de l&#39;école"}]}})");
  }
  return json_answer(
      200,
      R"({"data": {"translations": [{"translatedText": "Hola &amp; adiós <x-arg id=\"1\"></x-arg>"}]}})");
}

TEST_F(translation_stub_test, google_sends_the_key_and_reads_the_first_translation) {
  stub_http_server server(google_stub);
  auto cfg = settings(config::translation_kind::google, server.url());
  cfg.api_key = "google-key";
  auto google = make(cfg);
  EXPECT_EQ(load(*google), "");
  // Google's old code for Hebrew is canonicalized, and asked for with Google's spelling.
  EXPECT_THAT(google->target_languages("en"), ElementsAre("es", "he"));
  const auto html = translate(*google, en_to_es("Hello &amp; goodbye <x-arg id=\"1\"></x-arg>"));
  ASSERT_TRUE(html) << html.error;
  EXPECT_EQ(*html.value, "Hola &amp; adiós <x-arg id=\"1\"></x-arg>");  // HTML stays HTML
  const auto request = server.requests().back();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(path_of(request.target), "/language/translate/v2");
  const auto body = boost::json::parse(request.body).as_object();
  EXPECT_EQ(body.at("q"), "Hello &amp; goodbye <x-arg id=\"1\"></x-arg>");
  EXPECT_EQ(body.at("source"), "en");
  EXPECT_EQ(body.at("target"), "es");
  EXPECT_EQ(body.at("format"), "html");
  translate(*google, {"Hello", "en", "he", i18n::text_format::html});
  EXPECT_EQ(boost::json::parse(server.requests().back().body).at("target"), "iw");
}

TEST_F(translation_stub_test, google_plain_text_answers_have_their_entities_decoded) {
  stub_http_server server(google_stub);
  auto cfg = settings(config::translation_kind::google, server.url());
  cfg.api_key = "google-key";
  auto google = make(cfg);
  const auto text = translate(*google, en_to_es("Don't forget", i18n::text_format::plain));
  ASSERT_TRUE(text) << text.error;
  EXPECT_EQ(*text.value, "No olvides el \"día\" de l'école");
}

TEST_F(translation_stub_test, google_errors_carry_googles_message) {
  stub_http_server server(google_stub);
  auto cfg = settings(config::translation_kind::google, server.url());
  cfg.api_key = "wrong";
  auto google = make(cfg);
  const auto answer = translate(*google, en_to_es("Hello"));
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("HTTP 400: API key not valid"));
  EXPECT_THAT(load(*google), HasSubstr("API key not valid"));
}

// --- What every provider shares --------------------------------------------------------------

TEST_F(translation_stub_test, a_silent_service_times_out) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.never_answer = true;
    return res;
  });
  auto cfg = settings(config::translation_kind::libretranslate, server.url());
  cfg.timeout = 300ms;
  auto libre = make(cfg);
  const auto started = std::chrono::steady_clock::now();
  const auto answer = translate(*libre, en_to_es("Hello"));
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("no answer"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(translation_stub_test, an_oversized_answer_is_refused) {
  stub_http_server server([](const stub_request&) {
    return json_answer(200, R"({"translatedText": ")" + std::string(64 * 1024, 'a') + "\"}");
  });
  auto cfg = settings(config::translation_kind::libretranslate, server.url());
  cfg.max_response_bytes = 4096;
  auto libre = make(cfg);
  const auto answer = translate(*libre, en_to_es("Hello"));
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("no answer"));
}

TEST_F(translation_stub_test, an_answer_that_is_not_the_services_json_is_a_failure) {
  stub_http_server server(
      [](const stub_request&) { return json_answer(200, "<html>proxy</html>"); });
  auto apertium = make(settings(config::translation_kind::apertium, server.url()));
  const auto answer = translate(*apertium, en_to_es("Hello"));
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("responseData.translatedText"));
  EXPECT_THAT(load(*apertium), HasSubstr("not APy's JSON"));
}

TEST_F(translation_stub_test, the_callback_interface_works_from_a_coroutine) {
  stub_http_server server(apertium_stub);
  auto apertium = make(settings(config::translation_kind::apertium, server.url()));
  i18n::translation_provider& seam = *apertium;
  auto task = [&]() -> asio::awaitable<i18n::result<std::string>> {
    co_return co_await async_translate(seam, en_to_es("Hello <x-arg id=\"1\"></x-arg>"),
                                       io_.get_executor(), asio::use_awaitable);
  };
  const auto answer = testing::complete_on(io_, task(), 10s);
  ASSERT_TRUE(answer) << answer.error;
  EXPECT_EQ(*answer.value, "Hola <x-arg id=\"1\"></x-arg>");
}

TEST(make_translation_provider, makes_none_for_provider_none) {
  asio::io_context io;
  EXPECT_EQ(make_translation_provider({}, io.get_executor(), nullptr), nullptr);
}

}  // namespace
}  // namespace liaison::channels
