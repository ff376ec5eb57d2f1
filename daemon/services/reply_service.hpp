// What happens to a family's free-text reply after it is filed in the conversation: machine
// translation into the school's language (added to the entry), then an email to the school's
// reply address through the durable queue. Runs in the background, so a slow or failing
// translation service never delays or endangers filing (Twilio gets its answer first).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/services/conversation_store.hpp"
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

namespace liaison::services {

class machine_translator;
class message_service;
class notice_sender;

// A filed reply and what it was linked to when filed.
struct reply_filed {
  std::vector<filed_reply> entries;  // one per family of the number
  std::string from;
  std::string text;
  std::chrono::system_clock::time_point at;
  std::string announcement_id;  // the announcement the number was last sent, when known
  std::string announcement_school;
  std::string announcement_summary;
};

class reply_service {
 public:
  reply_service(boost::asio::any_io_executor executor, config::district_config district,
                conversation_store& conversations, machine_translator& translator,
                message_service& messages, notice_sender& notices,
                std::shared_ptr<spdlog::logger> logger, prometheus::Registry* metrics);

  // Starts translating and forwarding in the background; returns at once.
  void after_filed(reply_filed reply);

  // The same, awaited (what after_filed runs; for tests and callers that want to wait).
  boost::asio::awaitable<void> translate_and_forward(reply_filed reply);

 private:
  boost::asio::awaitable<void> handle_one(const reply_filed& reply, const filed_reply& entry);
  void count(const char* outcome);

  boost::asio::any_io_executor executor_;
  config::district_config district_;
  conversation_store& conversations_;
  machine_translator& translator_;
  message_service& messages_;
  notice_sender& notices_;
  std::shared_ptr<spdlog::logger> logger_;
  prometheus::Family<prometheus::Counter>* outcomes_ = nullptr;
};

}  // namespace liaison::services
