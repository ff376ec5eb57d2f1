// Announcement fan-out and dispatch in process, against a private redis-server, with a recording
// provider and an injected clock: quiet hours deferral and release, resumed fan-out without
// duplicates, cancel, and one claim per announcement across instances.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <set>

#include "daemon/services/announcement_service.hpp"
#include "daemon/services/announcement_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/workers/delivery_worker.hpp"
#include "daemon/workers/queue_scheduler.hpp"
#include "i18n/catalog.hpp"
#include "support/time_format.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::services {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;

class recording_provider final : public channels::provider {
 public:
  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override {
    return c == config::channel::sms || c == config::channel::email;
  }
  asio::awaitable<channels::delivery_outcome> send(
      const channels::rendered_delivery& delivery) override {
    sent.push_back(delivery);
    channels::delivery_outcome o;
    o.provider_message_id = "REC-" + delivery.delivery_id;
    co_return o;
  }
  std::vector<channels::rendered_delivery> sent;

 private:
  std::string name_ = "recorder";
};

system_clock::time_point at(std::string_view text) {
  return parse_rfc3339(text).value();
}

class AnnouncementFanoutTest : public ::testing::Test {
 protected:
  AnnouncementFanoutTest() {
    logger_->set_level(spdlog::level::err);
    cfg_.redis.unix_socket = redis_.socket_path().string();
    cfg_.workers.block_timeout = 20ms;
    cfg_.workers.consumer_name = "worker-1";
    cfg_.district.time_zone = "America/New_York";
    clock_.now_system = [this] { return now_; };
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
    service_ = std::make_unique<announcement_service>(
        *directory_, *store_, *catalog_, cfg_.district, clock_, 24h, fanout_limits{50, 30s});
    scheduler_ = std::make_unique<workers::queue_scheduler>(
        io_.get_executor(), cfg_.workers, *queue_, std::vector<std::string>{"sms", "email"},
        metrics_, logger_, clock_);
  }

  ~AnnouncementFanoutTest() override {
    if (worker_) {
      worker_->stop();
      run_until([&] { return !worker_->running(); });
    }
    commands_->cancel();
    io_.restart();
    io_.run_for(100ms);
  }

  void start_worker() {
    worker_ = std::make_unique<workers::delivery_worker>(io_.get_executor(), cfg_, *queue_, sender_,
                                                         worker_metrics_, logger_, clock_);
    worker_->set_opt_out_store(*directory_);
    worker_->set_announcements(*service_);
    asio::co_spawn(io_, worker_->run(), asio::detached);
    ASSERT_TRUE(run_until([&] { return worker_->running(); }));
  }

  bool run_until(const std::function<bool()>& done, milliseconds bound = 10s) {
    return liaison::testing::run_io_until(io_, done, bound);
  }

  template <typename T>
  T complete(asio::awaitable<T> task) {
    return liaison::testing::complete_on(io_, std::move(task), 20s);
  }

  void put_family(const std::string& id, const std::string& zone,
                  const std::string& language = "en") {
    const auto json = boost::json::parse(
        R"({"guardians": [{"id": "g-)" + id + R"(", "name": "G", "language": ")" + language +
        R"(", "phone": "+12025550143", "email": ")" + id + R"(@example.org", "time_zone": ")" +
        zone + R"(", "channels": ["sms", "email"]}], "students": [{"id": "s-)" + id +
        R"(", "name": "S", "school": "lincoln-es", "grade": "03"}]})");
    auto valid = validate_family(id, json);
    ASSERT_TRUE(valid.value) << valid.errors.front().field << " " << valid.errors.front().message;
    ASSERT_TRUE(complete(directory_->put(*valid.value)));
  }

  // fam-1000, fam-1001, ... in New York, `n` of them.
  void put_families(int n) {
    for (int i = 0; i < n; ++i) {
      put_family("fam-" + std::to_string(1000 + i), "America/New_York");
    }
  }

  // The audience of `id` snapshotted and its fan-out started, as an instance that stopped
  // before its first page left it.
  void start_fanout_as_interrupted(const std::string& id, long long families) {
    ASSERT_EQ(
        complete(directory_->snapshot_audience(id, {"school:lincoln-es"}, {}, {}, false)).value(),
        families);
    redis_.cli({"HSET", "test:{q}:ann:" + id, "state", "fanning_out"});
  }

  std::string accept(const std::string& body = R"({"audience": {"schools": ["lincoln-es"]},
      "channels": ["sms", "email"], "source_language": "en", "subject": "Snow day",
      "body": "No school on {day, date, full}.", "arguments": {"day": "2026-12-02T12:00:00Z"}})") {
    auto valid = validate_announcement(boost::json::parse(body), now_);
    EXPECT_TRUE(valid.value);
    const requester office{"office", config::role::coordinator, {}};
    auto answer = complete(service_->accept(*valid.value, office, std::nullopt));
    EXPECT_TRUE(answer);
    EXPECT_TRUE(answer->errors.empty());
    return answer->outcome.delivery_id;
  }

  // Exactly the families after fam-<last_done> up to fam-<last> got their SMS and email, once
  // each, and the snapshot is gone.
  void expect_fanned_out_after(const std::string& id, int last_done, int last) {
    for (const auto* channel : {"sms", "email"}) {
      auto entries = complete(
          commands_->exec_one({"XRANGE", std::string("test:{q}:stream:") + channel, "-", "+"}));
      ASSERT_TRUE(entries);
      std::multiset<std::string> families;
      for (const auto& entry : entries->elements) {
        const auto records = queue::unpack_records(entry.elements[1].elements[1].text);
        ASSERT_TRUE(records);
        for (const auto& record : *records) {
          families.insert(record.at("family"));
        }
      }
      std::multiset<std::string> expected;
      for (int i = last_done + 1; i <= last; ++i) {
        expected.insert("fam-" + std::to_string(i));
      }
      EXPECT_EQ(families, expected) << channel;
    }
    EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "state"}), "fanned_out");
    EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "cursor"}), "fam-" + std::to_string(last));
    EXPECT_EQ(redis_.cli({"KEYS", "test:{d}:audience*"}), "");
  }

  std::map<std::string, long long> tally(const std::string& id) {
    auto t = complete(store_->tally(id));
    return t ? *t : std::map<std::string, long long>{};
  }

  long long count(const std::map<std::string, long long>& t, const std::string& suffix) {
    long long n = 0;
    for (const auto& [field, value] : t) {
      if (field.ends_with(suffix)) {
        n += value;
      }
    }
    return n;
  }

  liaison::testing::redis_server redis_;
  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  config::liaison_config cfg_;
  system_clock::time_point now_ = at("2026-12-01T22:00:00-05:00");  // 22:00 in New York
  clock clock_;
  std::unique_ptr<queue::redis_connection> commands_;
  std::unique_ptr<i18n::message_catalog> catalog_;
  std::unique_ptr<queue::delivery_queue> queue_;
  std::unique_ptr<directory_store> directory_;
  std::unique_ptr<announcement_store> store_;
  std::unique_ptr<announcement_service> service_;
  recording_provider provider_;
  workers::provider_sender sender_{std::vector<channels::provider*>{&provider_}};
  prometheus::Registry metrics_;
  prometheus::Registry worker_metrics_;
  std::unique_ptr<workers::queue_scheduler> scheduler_;
  std::unique_ptr<workers::delivery_worker> worker_;
};

TEST_F(AnnouncementFanoutTest, QuietHoursHoldSmsUntilMorningInTheGuardiansZone) {
  put_family("fam-ny", "America/New_York");  // 22:00: quiet
  put_family("fam-hi", "Pacific/Honolulu");  // 17:00: not quiet
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  start_worker();
  // Both emails and Honolulu's SMS go now; New York's SMS waits.
  ASSERT_TRUE(run_until([&] { return provider_.sent.size() == 3; }));
  for (const auto& d : provider_.sent) {
    EXPECT_NE(d.delivery_id, id + ":fam-ny:g-fam-ny:sms");
  }
  EXPECT_EQ(tally(id)["en|sms|deferred"], 1);
  EXPECT_EQ(complete(queue_->load(id + ":fam-ny:g-fam-ny:sms"))->value().at("next_attempt_at"),
            "2026-12-02T13:00:00.000Z");

  // Still quiet at 07:59: promotion moves nothing.
  now_ = at("2026-12-02T07:59:00-05:00");
  EXPECT_EQ(complete(scheduler_->promote_due()).value(), 0u);
  // 08:00 in New York: it goes.
  now_ = at("2026-12-02T08:00:00-05:00");
  EXPECT_EQ(complete(scheduler_->promote_due()).value(), 1u);
  ASSERT_TRUE(run_until([&] { return provider_.sent.size() == 4; }));
  EXPECT_EQ(provider_.sent.back().delivery_id, id + ":fam-ny:g-fam-ny:sms");
  ASSERT_TRUE(run_until([&] { return count(tally(id), "|sent") == 4; }));
  EXPECT_EQ(count(tally(id), "|deferred"), 0);
  EXPECT_EQ(count(tally(id), "|queued"), 0);
}

TEST_F(AnnouncementFanoutTest, APageWrittenByAnotherInstanceIsNotWrittenAgain) {
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(120);
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  // Pages of 50 families, 16 deliveries per stream entry: 4 + 4 + 2 entries per channel.
  EXPECT_EQ(redis_.cli({"XLEN", "test:{q}:stream:sms"}), "10");
  EXPECT_EQ(count(tally(id), "|queued"), 240);

  // An instance whose lease ran out while it was slow comes back with the first page it
  // planned; the fan-out moved on without it.
  redis_.cli({"HSET", "test:{q}:ann:" + id, "state", "fanning_out"});
  planned_delivery late;
  late.delivery_id = id + ":fam-1000:g-fam-1000:sms";
  late.family_id = "fam-1000";
  late.tally_group = "en|sms";
  late.frame = std::make_shared<const delivery_frame>(
      delivery_frame{queue::pack_record({{"state", "queued"}}),
                     queue::pack_columns({"id", "family", "tally_group", "channel"}),
                     {}});
  late.packed_row = queue::packed_row_writer()
                        .add(late.delivery_id)
                        .add("fam-1000")
                        .add("en|sms")
                        .add("sms")
                        .finish();
  const std::vector<planned_delivery> page = {late};
  auto written =
      complete(store_->write_page(id, page_to_write{"", "fam-1049", 50, &page}, now_ + 30s));
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, page_written::already_written);
  EXPECT_EQ(redis_.cli({"XLEN", "test:{q}:stream:sms"}), "10");
  EXPECT_EQ(count(tally(id), "|queued"), 240);
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "deliveries"}), "240");
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "cursor"}), "fam-1119");

  // The same page from the cursor it was read after is written.
  redis_.cli({"HSET", "test:{q}:ann:" + id, "cursor", ""});
  written = complete(store_->write_page(id, page_to_write{"", "fam-1049", 50, &page}, now_ + 30s));
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, page_written::written);
  EXPECT_EQ(redis_.cli({"XLEN", "test:{q}:stream:sms"}), "11");
}

TEST_F(AnnouncementFanoutTest, EveryPageOfALargeAudienceIsWrittenOnceWithItsOwnOptOuts) {
  // 173 families in pages of 50: four pages through the fan-out pipeline, the last one short.
  // At 22:00 SMS waits for the morning (hashes in the delayed set) and email goes now (stream
  // entries), so both kinds of writes are checked; two families, in different pages, opted out
  // of email.
  put_families(173);
  for (const auto* opted : {"fam-1010@example.org", "fam-1120@example.org"}) {
    ASSERT_TRUE(complete(directory_->set_opted_out(config::channel::email, opted, true)));
  }
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());

  const auto t = tally(id);
  EXPECT_EQ(count(t, "|email|queued"), 171);
  EXPECT_EQ(count(t, "|email|opted_out"), 2);
  EXPECT_EQ(count(t, "|sms|deferred"), 173);
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "families_done"}), "173");
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "deliveries"}), "346");
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "cursor"}), "fam-1172");
  EXPECT_EQ(redis_.cli({"ZCARD", queue_->delayed_key()}), "173");
  EXPECT_EQ(redis_.cli({"HGET", queue_->delivery_key(id + ":fam-1120:g-fam-1120:email"), "state"}),
            "opted_out");

  // The email stream holds each other family's delivery exactly once, with every field a
  // worker reads (the shared ones and the names of the rest carried once per entry).
  auto entries = complete(commands_->exec_one({"XRANGE", "test:{q}:stream:email", "-", "+"}));
  ASSERT_TRUE(entries);
  std::set<std::string> families;
  std::size_t records = 0;
  for (const auto& entry : entries->elements) {
    const auto& packed = entry.elements[1].elements[1].text;
    // Rows of values under the names given once, with the shared fields once.
    EXPECT_EQ(packed.find("\"guardian_name\""), packed.rfind("\"guardian_name\"")) << packed;
    EXPECT_NE(packed.find("\"rows\":[["), std::string::npos) << packed;
    const auto unpacked = queue::unpack_records(packed);
    ASSERT_TRUE(unpacked);
    for (const auto& record : *unpacked) {
      ++records;
      families.insert(record.at("family"));
      EXPECT_EQ(record.at("announcement"), id);
      EXPECT_EQ(record.at("id"),
                id + ":" + record.at("family") + ":g-" + record.at("family") + ":email");
      EXPECT_EQ(record.at("state"), "queued");
      EXPECT_FALSE(record.at("tally").empty());
    }
  }
  EXPECT_EQ(records, 171u);
  EXPECT_EQ(families.size(), 171u);
  EXPECT_FALSE(families.contains("fam-1010"));
  EXPECT_FALSE(families.contains("fam-1120"));
  EXPECT_TRUE(families.contains("fam-1172"));
}

TEST_F(AnnouncementFanoutTest, DeliveriesOfAPageWithDifferentSharedFieldsAreWrittenWhole) {
  // A page's deliveries are planned at one time and share one frame; should a page mix frames,
  // none may be carried for all, and each record is written whole.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_family("fam-a", "America/New_York");  // an audience must name someone
  const auto id = accept();
  const auto delivery = [&](const std::string& family, const std::string& created_at) {
    planned_delivery d;
    d.delivery_id = id + ":" + family + ":g-" + family + ":email";
    d.channel = config::channel::email;
    d.family_id = family;
    d.tally_group = "en|email";
    d.packed_row =
        queue::packed_row_writer().add(d.delivery_id).add(family).add("en|email").finish();
    d.frame = std::make_shared<const delivery_frame>(
        delivery_frame{queue::pack_record({{"announcement", id}, {"created_at", created_at}}),
                       queue::pack_columns({"id", "family", "tally_group"}),
                       {}});
    return d;
  };
  const std::vector<planned_delivery> page = {delivery("fam-a", "2026-12-01T17:00:00Z"),
                                              delivery("fam-b", "2026-12-01T17:01:00Z")};
  auto written = complete(store_->write_page(id, page_to_write{"", "fam-b", 2, &page}, now_ + 30s));
  ASSERT_TRUE(written);
  ASSERT_EQ(*written, page_written::written);

  auto entries = complete(commands_->exec_one({"XRANGE", "test:{q}:stream:email", "-", "+"}));
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->elements.size(), 1u);
  const auto records = queue::unpack_records(entries->elements[0].elements[1].elements[1].text);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].at("family"), "fam-a");
  EXPECT_EQ((*records)[0].at("created_at"), "2026-12-01T17:00:00Z");
  EXPECT_EQ((*records)[1].at("created_at"), "2026-12-01T17:01:00Z");
  EXPECT_EQ((*records)[1].at("announcement"), id);
}

TEST_F(AnnouncementFanoutTest, SnapshotListsTheAudienceOnceAndIsDroppedAtTheEnd) {
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(60);
  put_family("fam-elsewhere", "America/New_York");
  redis_.cli({"SREM", "test:{d}:idx:school:lincoln-es", "fam-elsewhere"});
  const std::vector<std::string> school = {"school:lincoln-es"};
  // The school and one more family by id, kept within the school: the extra one is left out.
  auto size = complete(
      directory_->snapshot_audience("a1", school, {"fam-1003", "fam-elsewhere"}, school, true));
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, 60);
  EXPECT_EQ(redis_.cli({"SCARD", "test:{d}:audience-members:a1"}), "60");  // kept, to count
  // Listed straight from the one index set when nothing is to be counted: no set.
  auto listed = complete(directory_->snapshot_audience("a3", school, {}, {}, false));
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, 60);
  EXPECT_EQ(redis_.cli({"LLEN", "test:{d}:audience:a3"}), "60");
  EXPECT_EQ(redis_.cli({"EXISTS", "test:{d}:audience-members:a3"}), "0");
  // With more than one source and nothing to count, the set is dropped once listed.
  listed = complete(directory_->snapshot_audience("a4", school, {"fam-elsewhere"}, {}, false));
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, 61);
  EXPECT_EQ(redis_.cli({"LLEN", "test:{d}:audience:a4"}), "61");
  EXPECT_EQ(redis_.cli({"EXISTS", "test:{d}:audience-members:a4"}), "0");
  EXPECT_EQ(redis_.cli({"TYPE", "test:{d}:audience:a1"}), "list");
  EXPECT_EQ(redis_.cli({"LLEN", "test:{d}:audience:a1"}), "60");
  auto first = complete(directory_->audience_page("a1", 0, 25));
  auto rest = complete(directory_->audience_page("a1", 25, 100));
  ASSERT_TRUE(first && rest);
  EXPECT_EQ(first->size(), 25u);
  EXPECT_EQ(rest->size(), 35u);
  std::set<std::string> seen(first->begin(), first->end());
  seen.insert(rest->begin(), rest->end());
  EXPECT_EQ(seen.size(), 60u);
  EXPECT_FALSE(seen.contains("fam-elsewhere"));
  // A resume finds the position after its cursor in the same list.
  auto after = complete(directory_->resume_audience("a1", (*first)[9]));
  ASSERT_TRUE(after && *after);
  EXPECT_EQ(**after, 10u);
  auto none = complete(directory_->resume_audience("a2", ""));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  // A preview only collects the set it counts.
  auto collected = complete(directory_->collect_audience("a2", school, {}, {}));
  ASSERT_TRUE(collected);
  EXPECT_EQ(*collected, 60);
  EXPECT_EQ(redis_.cli({"EXISTS", "test:{d}:audience:a2"}), "0");
  for (const auto* name : {"a1", "a2", "a3", "a4"}) {
    ASSERT_TRUE(complete(directory_->drop_audience(name)));
  }
  EXPECT_EQ(redis_.cli({"KEYS", "test:{d}:audience*"}), "");
}

TEST_F(AnnouncementFanoutTest, AResumedFanOutGoesOnAfterItsCursor) {
  // 120 families; an instance wrote the pages up to fam-1049 and stopped.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(120);
  const auto id = accept();
  ASSERT_NO_FATAL_FAILURE(start_fanout_as_interrupted(id, 120));
  redis_.cli({"HSET", "test:{q}:ann:" + id, "cursor", "fam-1049"});
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  expect_fanned_out_after(id, 1049, 1119);
}

TEST_F(AnnouncementFanoutTest, PagesAreWrittenInOrderWhenALaterOneIsReadyFirst) {
  // 150 families, three whole pages of 50 on their way at once. The families of the middle
  // page were deleted after the snapshot: that page has no opt-outs to ask Redis for, so its
  // lane has it planned before the first page's lane. It must still be written after the
  // first (the page script takes a page only after the one before it), and the fan-out must
  // end after the last whole page.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(150);
  const auto id = accept();
  ASSERT_NO_FATAL_FAILURE(start_fanout_as_interrupted(id, 150));
  for (int i = 1050; i < 1100; ++i) {
    ASSERT_TRUE(complete(directory_->remove("fam-" + std::to_string(i))));
  }
  ASSERT_TRUE(complete(service_->fan_out_next()).value());

  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "state"}), "fanned_out");
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "families_done"}), "150");
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "cursor"}), "fam-1149");
  EXPECT_EQ(count(tally(id), "|sms|queued"), 100);
  EXPECT_EQ(count(tally(id), "|email|queued"), 100);
}

TEST_F(AnnouncementFanoutTest, TheAudienceSetIsKeptByTheAnnouncementsMachineTranslationPolicy) {
  // Stopped before its first page, a fan-out leaves its snapshot as a resume finds it. With
  // machine translation allowed, the set its languages are counted on is kept, even though no
  // translator is configured here (one may be by the time it resumes); without, only the list.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(10);
  const auto allowed = accept(R"({"audience": {"schools": ["lincoln-es"]},
      "channels": ["sms"], "source_language": "en", "subject": "Snow day", "body": "No school.",
      "machine_translation": "always"})");
  const auto never = accept(R"({"audience": {"schools": ["lincoln-es"]},
      "channels": ["sms"], "source_language": "en", "subject": "Snow day", "body": "No school."})");
  service_->stop_fanout();
  ASSERT_FALSE(complete(service_->fan_out_next()).value());
  ASSERT_FALSE(complete(service_->fan_out_next()).value());
  for (const auto& id : {allowed, never}) {
    EXPECT_EQ(redis_.cli({"LLEN", "test:{d}:audience:" + id}), "10");
    EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "families_done"}), "0");
  }
  EXPECT_EQ(redis_.cli({"SCARD", "test:{d}:audience-members:" + allowed}), "10");
  EXPECT_EQ(redis_.cli({"EXISTS", "test:{d}:audience-members:" + never}), "0");
}

TEST_F(AnnouncementFanoutTest, ASnapshotKeptAsASortedSetByAnEarlierVersionIsResumed) {
  // Earlier versions kept the snapshot as a sorted set paged in lexical order.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(120);
  const auto id = accept();
  std::vector<std::string> zadd = {"ZADD", "test:{d}:audience:" + id};
  for (int i = 119; i >= 0; --i) {
    zadd.push_back("0");
    zadd.push_back("fam-" + std::to_string(1000 + i));
  }
  redis_.cli(zadd);
  redis_.cli({"HSET", "test:{q}:ann:" + id, "state", "fanning_out", "cursor", "fam-1049"});
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  expect_fanned_out_after(id, 1049, 1119);
}

TEST_F(AnnouncementFanoutTest, CancelStopsWhatIsNotYetSent) {
  now_ = at("2026-12-01T12:00:00-05:00");
  put_family("fam-1", "America/New_York");
  put_family("fam-2", "America/New_York");
  const auto id = accept();
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  const requester office{"office", config::role::coordinator, {}};
  ASSERT_EQ(complete(service_->cancel(id, office)).value(), cancel_result::cancelled);
  start_worker();
  ASSERT_TRUE(run_until([&] { return count(tally(id), "|cancelled") == 4; }))
      << boost::json::serialize(boost::json::value_from(tally(id)));
  EXPECT_TRUE(provider_.sent.empty());
  EXPECT_EQ(count(tally(id), "|queued"), 0);
  EXPECT_EQ(complete(service_->cancel(id, office)).value(), cancel_result::already_cancelled);
}

TEST_F(AnnouncementFanoutTest, ACancelDuringFanOutStopsItsPages) {
  // 2,000 families in 40 pages; the cancel comes once the first page is written, while the
  // lanes carry the next ones. The fan-out ends cancelled within a few pages, and what was
  // written is what the counts say.
  now_ = at("2026-12-01T12:00:00-05:00");
  put_families(2000);
  const auto id = accept();
  bool finished = false;
  std::exception_ptr thrown;
  asio::co_spawn(io_, service_->fan_out_next(), [&](std::exception_ptr e, auto) {
    finished = true;
    thrown = e;
  });
  const auto done = [&] {
    const auto text = redis_.cli({"HGET", "test:{q}:ann:" + id, "families_done"});
    return text.empty() ? 0 : std::stoi(text);
  };
  ASSERT_TRUE(run_until([&] { return finished || done() >= 50; }));
  ASSERT_FALSE(finished) << "the fan-out ended before the cancel";
  ASSERT_NE(redis_.cli({"ZSCORE", "test:{q}:fanout", id}), "");  // still being fanned out
  const requester office{"office", config::role::coordinator, {}};
  ASSERT_EQ(complete(service_->cancel(id, office)).value(), cancel_result::cancelled);
  ASSERT_TRUE(run_until([&] { return finished; }));
  ASSERT_FALSE(thrown);

  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "state"}), "cancelled");
  const int written = done();
  EXPECT_GE(written, 50);
  EXPECT_LE(written, 500);  // the pages the lanes had on their way, at most
  EXPECT_EQ(redis_.cli({"HGET", "test:{q}:ann:" + id, "deliveries"}), std::to_string(2 * written));
  EXPECT_EQ(count(tally(id), "|queued"), 2 * written);
  EXPECT_EQ(redis_.cli({"ZSCORE", "test:{q}:fanout", id}), "");  // no longer due
  EXPECT_EQ(redis_.cli({"KEYS", "test:{d}:audience*"}), "");
}

TEST_F(AnnouncementFanoutTest, RepliesToAQuestionAreCountedPerOption) {
  now_ = at("2026-12-01T12:00:00-05:00");
  put_family("fam-1", "America/New_York", "es");
  const auto id = accept(R"({"audience": {"schools": ["lincoln-es"]}, "channels": ["sms"],
      "source_language": "en", "body": "Parent Academy on Thursday. Reply 1 to register, 2 if you need childcare.",
      "rsvp": {"options": [{"label": "register", "answers": ["1", "yes", "sí"]},
                           {"label": "childcare", "answers": ["2"]}]}})");
  // Before the question was sent, a "1" is just a text.
  EXPECT_FALSE(complete(service_->record_answer("+12025550143", "1")).value());
  ASSERT_TRUE(complete(service_->fan_out_next()).value());
  start_worker();
  ASSERT_TRUE(run_until([&] { return provider_.sent.size() == 1; }));
  ASSERT_TRUE(run_until([&] {
    return redis_.cli({"EXISTS", "test:{q}:rsvp:pending:+12025550143"}) == "1";
  }));

  const auto first = complete(service_->record_answer("+12025550143", " SÍ! ")).value();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->label, "register");
  EXPECT_EQ(first->announcement_id, id);
  EXPECT_TRUE(first->changed);
  EXPECT_TRUE(first->interpretation.empty());
  EXPECT_FALSE(complete(service_->record_answer("+12025550143", "maybe")).value());
  auto progress = complete(service_->progress(id)).value();
  EXPECT_EQ(progress->rsvp["register"], 1);
  // A changed answer moves the count; the same answer twice counts once.
  EXPECT_TRUE(complete(service_->record_answer("+12025550143", "2")).value()->changed);
  EXPECT_FALSE(complete(service_->record_answer("+12025550143", "2")).value()->changed);
  progress = complete(service_->progress(id)).value();
  EXPECT_EQ(progress->rsvp["register"], 0);
  EXPECT_EQ(progress->rsvp["childcare"], 1);
}

TEST_F(AnnouncementFanoutTest, OnlyOneInstanceClaimsAnAnnouncement) {
  now_ = at("2026-12-01T12:00:00-05:00");
  put_family("fam-1", "America/New_York");
  const auto id = accept();
  const auto first = complete(store_->claim_due(now_, 30s));
  const auto second = complete(store_->claim_due(now_, 30s));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->value_or(""), id);
  EXPECT_FALSE(second->has_value());
  // When the lease runs out (the first instance died), another one takes it over.
  const auto later = complete(store_->claim_due(now_ + 31s, 30s));
  EXPECT_EQ(later->value_or(""), id);
}

}  // namespace
}  // namespace liaison::services
