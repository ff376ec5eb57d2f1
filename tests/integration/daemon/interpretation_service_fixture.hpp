// In-process interpretation services against a private redis-server, with an injected clock:
// the store, the offers/reminders service and a notice sender, the district configured with a
// coordinator email and a notice endpoint. Deliveries are only queued (read back from Redis).
#pragma once

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "daemon/services/directory_store.hpp"
#include "daemon/services/family.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/notice_sender.hpp"
#include "i18n/catalog.hpp"
#include "support/time_format.hpp"
#include "tests/support/io_driver.hpp"
#include "tests/support/redis_server.hpp"

namespace liaison::services {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class interpretation_service_fixture : public ::testing::Test {
 protected:
  interpretation_service_fixture() {
    logger_->set_level(spdlog::level::err);
    cfg_.redis.unix_socket = redis_.socket_path().string();
    cfg_.district.coordinator_email = "family.engagement@district.example.org";
    cfg_.notices.url = "https://sis.district.example.org/liaison/events";
    cfg_.notices.secret = "notice-secret";
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
    notices_ = std::make_unique<notice_sender>(*queue_, cfg_.notices, clock_);
    service_ = std::make_unique<interpretation_service>(
        *store_, *directory_, *queue_, *catalog_, cfg_.district, cfg_.interpretation, *notices_,
        clock_, "https://liaison.example.org");
  }

  ~interpretation_service_fixture() override {
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
  std::unique_ptr<notice_sender> notices_;
  std::unique_ptr<interpretation_service> service_;

  // A stored request from its JSON (validated at now_).
  interpretation_request create(const std::string& json) {
    auto validated =
        validate_interpretation_request(boost::json::parse(json), now_, "America/New_York");
    if (!validated.value) {
      throw std::runtime_error("invalid request: " + validated.errors.front().message);
    }
    auto request = *validated.value;
    request.id = new_interpretation_request_id(now_);
    if (!complete(store_->create_request(request, "fe-office", now_))) {
      throw std::runtime_error("cannot store the request");
    }
    return request;
  }

  void put_interpreter(const std::string& id, const std::string& json) {
    auto validated = validate_interpreter(id, boost::json::parse(json));
    if (!validated.value) {
      throw std::runtime_error("invalid interpreter: " + validated.errors.front().message);
    }
    if (!complete(store_->put_interpreter(*validated.value))) {
      throw std::runtime_error("cannot store the interpreter");
    }
  }

  void put_family(const std::string& id, const std::string& json) {
    auto validated = validate_family(id, boost::json::parse(json));
    if (!validated.value) {
      throw std::runtime_error("invalid family: " + validated.errors.front().message);
    }
    if (!complete(directory_->put(*validated.value))) {
      throw std::runtime_error("cannot store the family");
    }
  }

  // A queued delivery's record (SMS, email or notice) by its id; nullopt when none was queued.
  std::optional<queue::record_fields> queued(const std::string& delivery_id) {
    return complete(queue_->load(delivery_id)).value();
  }
};

}  // namespace liaison::services
