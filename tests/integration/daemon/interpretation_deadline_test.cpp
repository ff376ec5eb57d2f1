// Unfilled interpreter requests, in process against a private redis-server with an injected
// clock: nobody accepted by the deadline → `unfilled`, once, and the coordinator gets an email.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "daemon/services/directory_store.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "i18n/catalog.hpp"
#include "support/time_format.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::services {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

class InterpretationDeadlineTest : public ::testing::Test {
 protected:
  InterpretationDeadlineTest() {
    logger_->set_level(spdlog::level::err);
    cfg_.redis.unix_socket = redis_.socket_path().string();
    cfg_.district.coordinator_email = "family.engagement@district.example.org";
    clock_.now_system = [this] { return now_; };
    commands_ = std::make_unique<queue::redis_connection>(io_.get_executor(), cfg_.redis, logger_);
    asio::co_spawn(io_, commands_->run(), asio::detached);
    if (!liaison::testing::run_io_until(
            io_, [&] { return commands_->connected(); }, 10s)) {
      throw std::runtime_error("no connection to the test Redis");
    }
    auto loaded = i18n::message_catalog::load(LIAISON_SOURCE_DIR "/i18n/catalog");
    if (!loaded) {
      throw std::runtime_error(loaded.error);
    }
    catalog_ = std::make_unique<i18n::message_catalog>(std::move(*loaded.value));
    queue_ = std::make_unique<queue::delivery_queue>(*commands_, "test");
    directory_ = std::make_unique<directory_store>(*commands_, "test");
    store_ = std::make_unique<interpretation_store>(*commands_, "test");
    service_ = std::make_unique<interpretation_service>(*store_, *directory_, *queue_, *catalog_,
                                                        cfg_.district, clock_);
  }

  ~InterpretationDeadlineTest() override {
    commands_->cancel();
    io_.restart();
    io_.run_for(100ms);
  }

  template <typename T>
  T complete(asio::awaitable<T> task) {
    return liaison::testing::complete_on(io_, std::move(task), 10s);
  }

  liaison::testing::redis_server redis_;
  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  config::liaison_config cfg_;
  std::chrono::system_clock::time_point now_ = parse_rfc3339("2026-12-01T09:00:00-05:00").value();
  clock clock_;
  std::unique_ptr<queue::redis_connection> commands_;
  std::unique_ptr<i18n::message_catalog> catalog_;
  std::unique_ptr<queue::delivery_queue> queue_;
  std::unique_ptr<directory_store> directory_;
  std::unique_ptr<interpretation_store> store_;
  std::unique_ptr<interpretation_service> service_;
};

TEST_F(InterpretationDeadlineTest, AnAmharicRequestNobodyTakesIsEscalatedOnceAtItsDeadline) {
  auto validated = validate_interpretation_request(boost::json::parse(R"({
      "school": "lincoln-es", "family_id": "f-1", "language": "am", "meeting_type": "iep",
      "start": "2026-12-04T15:00:00-05:00", "needed_by": "2026-12-02T17:00:00-05:00",
      "location": "Room 12"})"),
                                                   now_, "America/New_York");
  ASSERT_TRUE(validated.value);
  auto request = *validated.value;
  request.id = new_interpretation_request_id(now_);
  ASSERT_TRUE(complete(store_->create_request(request, "fe-office", now_)));
  // Nobody interprets Amharic: no offers, the request waits for its deadline.
  EXPECT_EQ(complete(service_->send_offers(request)).value(), 0u);

  now_ = parse_rfc3339("2026-12-02T16:59:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);
  now_ = parse_rfc3339("2026-12-02T17:00:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 1u);
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);  // once

  const auto stored = complete(store_->load_request(request.id)).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, request_state::unfilled);
  EXPECT_EQ(stored->history.back().event, "expire");

  const auto email = complete(queue_->load("unfilled:" + request.id)).value();
  ASSERT_TRUE(email);
  EXPECT_EQ(email->at("channel"), "email");
  EXPECT_EQ(email->at("address"), "family.engagement@district.example.org");
  EXPECT_THAT(email->at("subject"), HasSubstr("Amharic"));
  EXPECT_THAT(email->at("body"), HasSubstr("Room 12"));
}

TEST_F(InterpretationDeadlineTest, AnAssignedRequestIsNeverEscalated) {
  auto validated = validate_interpretation_request(boost::json::parse(R"({
      "school": "lincoln-es", "family_id": "f-1", "language": "es", "meeting_type": "conference",
      "start": "2026-12-04T15:00:00-05:00", "needed_by": "2026-12-02T17:00:00-05:00"})"),
                                                   now_, "America/New_York");
  ASSERT_TRUE(validated.value);
  auto request = *validated.value;
  request.id = new_interpretation_request_id(now_);
  ASSERT_TRUE(complete(store_->create_request(request, "fe-office", now_)));
  const auto assigned =
      complete(store_->transition(request.id, request_event::assign, "int-1", "", now_));
  ASSERT_EQ(assigned.value().result, transition_result::applied);
  now_ = parse_rfc3339("2026-12-03T09:00:00-05:00").value();
  EXPECT_EQ(complete(service_->escalate_unfilled()).value(), 0u);
  EXPECT_EQ(complete(store_->load_request(request.id)).value()->state, request_state::assigned);
}

}  // namespace
}  // namespace liaison::services
