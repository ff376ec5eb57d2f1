// Machine translation in the daemon, in process against a private redis-server, with a scripted
// translation provider at the i18n seam: the Redis cache, the pause after a failure, a broken
// answer refused, and fan-out translating once per language, storing the texts with the
// announcement, and falling back when the provider fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "daemon/services/announcement_service.hpp"
#include "daemon/services/announcement_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/machine_translator.hpp"
#include "daemon/workers/delivery_worker.hpp"
#include "i18n/catalog.hpp"
#include "support/crypto.hpp"
#include "support/time_format.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::services {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::Not;

// English → Spanish by a phrase table, as a provider would: markup left alone.
class scripted_translator final : public i18n::translation_provider {
 public:
  enum class mode { translate, fail, drop_arguments };

  std::string_view name() const noexcept override { return "scripted"; }
  std::vector<std::string> target_languages(std::string_view source) const override {
    return source == "en" ? std::vector<std::string>{"es"} : std::vector<std::string>{};
  }
  void load_languages(status_completion done) override { done({}); }
  void translate(i18n::translation_request request, completion done) override {
    requests.push_back(request);
    if (behaviour == mode::fail) {
      done(i18n::result<std::string>::failure("scripted answered HTTP 503"));
      return;
    }
    std::string text = request.text;
    for (const auto& [english, spanish] : phrases) {
      if (const auto at = text.find(english); at != std::string::npos) {
        text.replace(at, english.size(), spanish);
      }
    }
    if (behaviour == mode::drop_arguments) {
      text = text.substr(0, text.find('<'));
    }
    done(i18n::result<std::string>::success(text));
  }

  mode behaviour = mode::translate;
  std::vector<i18n::translation_request> requests;
  std::vector<std::pair<std::string, std::string>> phrases = {{"No school on", "No hay clases el"},
                                                              {"Snow day", "Día de nieve"}};
};

class recording_provider final : public channels::provider {
 public:
  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override {
    return c == config::channel::sms || c == config::channel::email;
  }
  asio::awaitable<channels::delivery_outcome> send(
      const channels::rendered_delivery& delivery) override {
    sent.push_back(delivery);
    co_return channels::delivery_outcome{};
  }
  std::vector<channels::rendered_delivery> sent;

 private:
  std::string name_ = "recorder";
};

constexpr const char* snow_day = R"({"audience": {"schools": ["lincoln-es"]},
    "channels": ["sms", "email"], "source_language": "en", "subject": "Snow day",
    "body": "No school on {day, date, full}.", "arguments": {"day": "2026-12-02T12:00:00Z"},
    "machine_translation": "if_no_human_translation"})";

class MachineTranslationTest : public ::testing::Test {
 protected:
  MachineTranslationTest() {
    logger_->set_level(spdlog::level::off);
    cfg_.redis.unix_socket = redis_.socket_path().string();
    cfg_.workers.block_timeout = 20ms;
    cfg_.workers.consumer_name = "worker-1";
    clock_.now_system = [this] { return now_; };
    clock_.now_steady = [this] { return steady_; };
    commands_ = std::make_unique<queue::redis_connection>(io_.get_executor(), cfg_.redis, logger_);
    asio::co_spawn(io_, commands_->run(), asio::detached);
    if (!run_until([&] { return commands_->connected(); })) {
      throw std::runtime_error("no connection to the test Redis");
    }
    auto loaded = i18n::message_catalog::load(LIAISON_SOURCE_DIR "/i18n/catalog");
    if (!loaded) {
      throw std::runtime_error(loaded.error);
    }
    catalog_ = std::make_unique<i18n::message_catalog>(std::move(*loaded.value));
    queue_ = std::make_unique<queue::delivery_queue>(*commands_, "test");
    directory_ = std::make_unique<directory_store>(*commands_, "test");
    store_ = std::make_unique<announcement_store>(*commands_, *queue_);
    cache_ = std::make_unique<translation_cache>(*commands_, "test", 24h);
    translator_ = std::make_unique<machine_translator>(io_.get_executor(), &provider_, cache_.get(),
                                                       clock_, logger_, &metrics_);
    service_ = std::make_unique<announcement_service>(
        *directory_, *store_, *catalog_, cfg_.district, clock_, 24h, fanout_limits{50, 30s});
    service_->set_translator(*translator_);
  }

  ~MachineTranslationTest() override {
    if (worker_) {
      worker_->stop();
      run_until([&] { return !worker_->running(); });
    }
    commands_->cancel();
    io_.restart();
    io_.run_for(100ms);
  }

  bool run_until(const std::function<bool()>& done, milliseconds bound = 10s) {
    return liaison::testing::run_io_until(io_, done, bound);
  }

  template <typename T>
  T complete(asio::awaitable<T> task) {
    return liaison::testing::complete_on(io_, std::move(task), 20s);
  }

  void put_family(const std::string& id, const std::string& language) {
    const auto json = boost::json::parse(
        R"({"guardians": [{"id": "g-)" + id + R"(", "name": "G", "language": ")" + language +
        R"(", "phone": "+12025550143", "email": ")" + id +
        R"(@example.org", "time_zone": "America/New_York", "channels": ["sms", "email"]}],
        "students": [{"id": "s-)" +
        id + R"(", "name": "S", "school": "lincoln-es", "grade": "03"}]})");
    auto valid = validate_family(id, json);
    ASSERT_TRUE(valid.value);
    ASSERT_TRUE(complete(directory_->put(*valid.value)));
  }

  std::string accept(const char* body = snow_day) {
    auto valid = validate_announcement(boost::json::parse(body), now_);
    EXPECT_TRUE(valid.value);
    const requester office{"office", config::role::coordinator, {}};
    auto answer = complete(service_->accept(*valid.value, office, std::nullopt));
    EXPECT_TRUE(answer);
    return answer->outcome.delivery_id;
  }

  void send_all(std::size_t expected) {
    worker_ = std::make_unique<workers::delivery_worker>(io_.get_executor(), cfg_, *queue_, sender_,
                                                         worker_metrics_, logger_, clock_);
    worker_->set_opt_out_store(*directory_);
    worker_->set_announcements(*service_);
    asio::co_spawn(io_, worker_->run(), asio::detached);
    ASSERT_TRUE(run_until([&] { return recorder_.sent.size() == expected; }))
        << recorder_.sent.size() << " sent";
  }

  std::string sms_of(const std::string& id, const std::string& family) {
    for (const auto& d : recorder_.sent) {
      if (d.delivery_id == id + ":" + family + ":g-" + family + ":sms") {
        return d.text;
      }
    }
    return "(none)";
  }

  i18n::result<std::string> translate(std::string pattern) {
    return complete(translator_->translate_pattern(std::move(pattern), "en", "es"));
  }

  double counted(const std::string& outcome) {
    for (const auto& family : metrics_.Collect()) {
      if (family.name != "liaison_machine_translations_total") {
        continue;
      }
      for (const auto& metric : family.metric) {
        if (!metric.label.empty() && metric.label.front().value == outcome) {
          return metric.counter.value;
        }
      }
    }
    return 0;
  }

  liaison::testing::redis_server redis_;
  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  config::liaison_config cfg_;
  // 15:00 in New York: no quiet hours.
  system_clock::time_point now_ = parse_rfc3339("2026-12-01T15:00:00-05:00").value();
  std::chrono::steady_clock::time_point steady_ = std::chrono::steady_clock::now();
  clock clock_;
  prometheus::Registry metrics_;
  prometheus::Registry worker_metrics_;
  scripted_translator provider_;
  recording_provider recorder_;
  workers::provider_sender sender_{std::vector<channels::provider*>{&recorder_}};
  std::unique_ptr<queue::redis_connection> commands_;
  std::unique_ptr<i18n::message_catalog> catalog_;
  std::unique_ptr<queue::delivery_queue> queue_;
  std::unique_ptr<directory_store> directory_;
  std::unique_ptr<announcement_store> store_;
  std::unique_ptr<translation_cache> cache_;
  std::unique_ptr<machine_translator> translator_;
  std::unique_ptr<announcement_service> service_;
  std::unique_ptr<workers::delivery_worker> worker_;
};

TEST_F(MachineTranslationTest, CacheKeysShareTheMtSlotAndExpire) {
  const i18n::translation_request request{"Snow day", "en", "es", i18n::text_format::html};
  const auto key = cache_->key("apertium", request);
  EXPECT_EQ(key, "test:{mt}:apertium:en:es:" + sha256_hex("html:Snow day"));
  EXPECT_EQ(complete(cache_->get(key)), std::nullopt);
  EXPECT_TRUE(complete(cache_->put(key, "Día de nieve")));
  EXPECT_EQ(complete(cache_->get(key)), std::optional<std::string>("Día de nieve"));
  const auto ttl = std::stoll(redis_.cli({"PTTL", key}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 24 * 3600 * 1000);
}

TEST_F(MachineTranslationTest, TheSameTextIsSentToTheProviderOnce) {
  const auto first = translate("No school on {day, date, full}.");
  ASSERT_TRUE(first) << first.error;
  EXPECT_EQ(*first.value, "No hay clases el {day, date, full}.");
  const auto second = translate("No school on {day, date, full}.");
  ASSERT_TRUE(second) << second.error;
  EXPECT_EQ(*second.value, *first.value);
  ASSERT_EQ(provider_.requests.size(), 1u);
  EXPECT_EQ(provider_.requests[0].format, i18n::text_format::html);
  EXPECT_EQ(provider_.requests[0].text, "No school on <x-arg id=\"1\"></x-arg>.");
  EXPECT_EQ(counted("translated"), 1);
  EXPECT_EQ(counted("cached"), 1);
}

TEST_F(MachineTranslationTest, AnAnswerThatLosesAnArgumentIsRefused) {
  provider_.behaviour = scripted_translator::mode::drop_arguments;
  const auto answer = translate("No school on {day, date, full}.");
  ASSERT_FALSE(answer);
  EXPECT_THAT(answer.error, HasSubstr("lost an argument"));
  EXPECT_EQ(counted("rejected"), 1);
}

TEST_F(MachineTranslationTest, AfterAFailureTheProviderIsLeftAloneForAWhile) {
  provider_.behaviour = scripted_translator::mode::fail;
  EXPECT_FALSE(translate("Snow day"));
  provider_.behaviour = scripted_translator::mode::translate;
  const auto paused = translate("Snow day");
  ASSERT_FALSE(paused);
  EXPECT_THAT(paused.error, HasSubstr("not asked again"));
  EXPECT_EQ(provider_.requests.size(), 1u);
  steady_ += machine_translator::pause_after_failure;
  EXPECT_TRUE(translate("Snow day"));
  EXPECT_EQ(provider_.requests.size(), 2u);
}

TEST_F(MachineTranslationTest, FanOutTranslatesOncePerLanguageAndFamiliesGetItWithTheNotice) {
  put_family("fam-es", "es");
  put_family("fam-mx", "es-MX");
  put_family("fam-en", "en");
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  // One translation for es and es-MX: the body and the subject.
  EXPECT_EQ(provider_.requests.size(), 2u);
  const auto stored = complete(store_->load(id));
  ASSERT_TRUE(stored && *stored);
  EXPECT_TRUE((*stored)->machine_translations_settled);
  ASSERT_EQ((*stored)->value.machine_translations.count("es"), 1u);
  EXPECT_EQ((*stored)->value.machine_translations.at("es").subject, "Día de nieve");

  send_all(6);
  EXPECT_THAT(sms_of(id, "fam-es"), HasSubstr("No hay clases el"));
  EXPECT_THAT(sms_of(id, "fam-es"), HasSubstr("Este mensaje fue traducido automáticamente."));
  EXPECT_THAT(sms_of(id, "fam-mx"), HasSubstr("No hay clases el"));
  EXPECT_THAT(sms_of(id, "fam-en"), HasSubstr("No school on"));
  EXPECT_THAT(sms_of(id, "fam-en"), Not(HasSubstr("translated automatically")));
  for (const auto& d : recorder_.sent) {
    if (d.channel == config::channel::email && d.language != "en") {
      EXPECT_EQ(d.subject, "Día de nieve");
    }
  }
}

TEST_F(MachineTranslationTest, AProviderOutageFallsBackAndIsRecorded) {
  put_family("fam-es", "es");
  provider_.behaviour = scripted_translator::mode::fail;
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  const auto stored = complete(store_->load(id));
  ASSERT_TRUE(stored && *stored);
  EXPECT_TRUE((*stored)->machine_translations_settled);
  EXPECT_TRUE((*stored)->value.machine_translations.empty());
  ASSERT_EQ((*stored)->machine_translation_failures.count("es"), 1u);
  EXPECT_THAT((*stored)->machine_translation_failures.at("es"), HasSubstr("503"));
  EXPECT_EQ(counted("failed"), 1);

  // The announcement still goes, in English with the note in Spanish, as without a provider.
  send_all(2);
  EXPECT_THAT(sms_of(id, "fam-es"), HasSubstr("No school on"));
  EXPECT_THAT(sms_of(id, "fam-es"), Not(HasSubstr("traducido automáticamente")));
}

TEST_F(MachineTranslationTest, TheFirstSettledTranslationsWin) {
  const auto id = accept();
  machine_translation_set first;
  first.texts["es"] = {"Día de nieve", "No hay clases el {day, date, full}."};
  machine_translation_set later;
  later.failures["es"] = "timed out";
  const auto settled = complete(store_->settle_machine_translations(id, first));
  ASSERT_TRUE(settled);
  const auto again = complete(store_->settle_machine_translations(id, later));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->texts.at("es").subject, "Día de nieve");
  EXPECT_TRUE(again->failures.empty());
}

TEST_F(MachineTranslationTest, PreviewShowsTheMachineTranslationFromTheCache) {
  put_family("fam-es", "es");
  auto valid = validate_announcement(boost::json::parse(snow_day), now_);
  ASSERT_TRUE(valid.value);
  const requester office{"office", config::role::coordinator, {}};
  for (int i = 0; i < 2; ++i) {
    auto preview = complete(service_->preview(*valid.value, office));
    ASSERT_TRUE(preview);
    const auto spanish = std::find_if(preview->languages.begin(), preview->languages.end(),
                                      [](const language_preview& l) { return l.language == "es"; });
    ASSERT_NE(spanish, preview->languages.end());
    EXPECT_EQ(spanish->text_source, "machine_translation");
    ASSERT_FALSE(spanish->channels.empty());
    EXPECT_THAT(spanish->channels.front().text, HasSubstr("No hay clases el"));
  }
  EXPECT_EQ(provider_.requests.size(), 2u);  // the second preview came from the cache
}

}  // namespace
}  // namespace liaison::services
