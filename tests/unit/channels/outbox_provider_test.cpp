#include "channels/outbox_provider.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace liaison::channels {
namespace {

delivery_outcome send(provider& p, const rendered_delivery& d) {
  delivery_outcome outcome;
  boost::asio::io_context io;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { outcome = co_await p.send(d); },
      boost::asio::detached);
  io.run();
  return outcome;
}

TEST(outbox_provider, writes_one_json_line_per_delivery) {
  testing::temp_dir dir;
  config::provider_config cfg;
  cfg.name = "outbox";
  cfg.channels = {config::channel::sms};
  cfg.outbox_directory = dir.path() / "nested" / "outbox";
  outbox_provider outbox(cfg);
  const rendered_delivery d{"msg_1",
                            "msg_1",
                            config::channel::sms,
                            "+12025550143",
                            "vi",
                            "",
                            "Trường đóng cửa hôm nay\nvì tuyết."};
  const auto outcome = send(outbox, d);
  EXPECT_EQ(outcome.kind, outcome_kind::sent);
  EXPECT_EQ(outcome.provider_message_id, "outbox-msg_1");
  send(outbox, d);

  std::ifstream in(outbox.file_path());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 2u);  // the newline inside the text is escaped, not a line break
  const auto first = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(first.at("text"), "Trường đóng cửa hôm nay\nvì tuyết.");
  EXPECT_EQ(first.at("language"), "vi");
  EXPECT_EQ(first.at("address"), "+12025550143");
}

TEST(outbox_provider, supports_only_its_configured_channels) {
  testing::temp_dir dir;
  config::provider_config cfg;
  cfg.channels = {config::channel::email};
  cfg.outbox_directory = dir.path();
  outbox_provider outbox(cfg);
  EXPECT_TRUE(outbox.supports(config::channel::email));
  EXPECT_FALSE(outbox.supports(config::channel::sms));
}

}  // namespace
}  // namespace liaison::channels
