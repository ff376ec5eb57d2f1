// redis_connection against a real, private redis-server: round trips, pipelines, timeouts,
// authentication, crashes and restarts, cancellation. The io_context runs in bounded slices
// until the awaited event happened; nothing sleeps for wall time.
#include "queue/redis_connection.hpp"

#include <gtest/gtest.h>
#include <netdb.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::queue {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing_server = liaison::testing::redis_server;

std::shared_ptr<spdlog::logger> test_logger() {
  auto logger = std::make_shared<spdlog::logger>("redis-test",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_level(spdlog::level::warn);
  return logger;
}

config::redis_config config_for(const testing_server& server) {
  config::redis_config cfg;
  cfg.unix_socket = server.socket_path().string();
  cfg.connect_timeout = 2s;
  cfg.command_timeout = 5s;
  cfg.reconnect_min_delay = 10ms;
  cfg.reconnect_max_delay = 100ms;
  cfg.health_check_interval = 500ms;
  return cfg;
}

testing_server::options tcp_options() {
  testing_server::options options;
  options.tcp = true;
  return options;
}

// The number after `key` and its separator (`:` or `=`) in redis-cli INFO output; 0 if absent.
long long info_field(const std::string& info, const std::string& key) {
  const auto at = info.find(key);
  if (at == std::string::npos || at + key.size() + 1 >= info.size()) {
    return 0;
  }
  return std::stoll(info.substr(at + key.size() + 1));
}

template <typename T>
struct outcome {
  bool done = false;
  std::exception_ptr failure;
  std::optional<T> value;
};

struct run_outcome {
  bool done = false;
  std::exception_ptr failure;
};

class RedisConnectionTest : public ::testing::Test {
 protected:
  // Runs the io_context in short slices until `done()` holds; false if `bound` passed first.
  bool run_until(const std::function<bool()>& done, milliseconds bound = 5s) {
    const auto deadline = steady_clock::now() + bound;
    while (!done()) {
      if (steady_clock::now() >= deadline) {
        return false;
      }
      if (io_.stopped()) {
        io_.restart();
      }
      io_.run_for(2ms);
    }
    return true;
  }

  template <typename T>
  std::shared_ptr<outcome<T>> spawn(asio::awaitable<T> task) {
    auto state = std::make_shared<outcome<T>>();
    asio::co_spawn(io_, std::move(task), [state](std::exception_ptr failure, T value) {
      state->done = true;
      state->failure = failure;
      if (!failure) {
        state->value.emplace(std::move(value));
      }
    });
    return state;
  }

  // Runs `task` to completion (bounded) and returns its value.
  template <typename T>
  T complete(asio::awaitable<T> task, milliseconds bound = 10s) {
    auto state = spawn(std::move(task));
    if (!run_until([&] { return state->done; }, bound)) {
      throw std::runtime_error("the awaited call did not complete in time");
    }
    if (state->failure) {
      std::rethrow_exception(state->failure);
    }
    return std::move(*state->value);
  }

  redis_connection& make_client(const config::redis_config& cfg) {
    clients_.push_back(std::make_unique<redis_connection>(io_.get_executor(), cfg, logger_));
    return *clients_.back();
  }

  std::shared_ptr<run_outcome> start(redis_connection& client) {
    auto state = std::make_shared<run_outcome>();
    asio::co_spawn(io_, client.run(), [state](std::exception_ptr failure) {
      state->done = true;
      state->failure = failure;
    });
    runs_.push_back(state);
    return state;
  }

  // A client that has run() going and is connected.
  redis_connection& connected_client(const config::redis_config& cfg) {
    auto& client = make_client(cfg);
    start(client);
    if (!run_until([&] { return client.connected(); })) {
      throw std::runtime_error("the client did not connect");
    }
    return client;
  }

  boost::system::result<redis_reply> call(redis_connection& client, std::vector<std::string> args,
                                          std::optional<milliseconds> timeout = std::nullopt) {
    return complete(client.exec_one(std::move(args), timeout));
  }

  void TearDown() override {
    for (auto& client : clients_) {
      client->cancel();
    }
    EXPECT_TRUE(run_until([&] {
      return std::all_of(runs_.begin(), runs_.end(), [](const auto& r) { return r->done; });
    })) << "run() did not return after cancel()";
    for (const auto& run : runs_) {
      if (run->failure) {
        ADD_FAILURE() << "run() ended with an exception";
      }
    }
    io_.restart();
    io_.poll();  // lets aborted waits finish before the clients go away
  }

  asio::io_context io_;
  std::shared_ptr<spdlog::logger> logger_ = test_logger();
  std::vector<std::unique_ptr<redis_connection>> clients_;
  std::vector<std::shared_ptr<run_outcome>> runs_;
};

TEST_F(RedisConnectionTest, SetThenGetRoundTripsOverUnixSocket) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  const auto set = call(client, {"SET", "greeting", "hola"});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->kind, redis_reply::kind_t::status);
  EXPECT_EQ(set->text, "OK");

  const auto get = call(client, {"GET", "greeting"});
  ASSERT_TRUE(get) << get.error().message();
  EXPECT_EQ(get->kind, redis_reply::kind_t::string);
  EXPECT_EQ(get->text, "hola");
  EXPECT_EQ(server.cli({"GET", "greeting"}), "hola");

  const auto missing = call(client, {"GET", "nothing-here"});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisConnectionTest, PipelineOfThreeCommandsReturnsThreeRepliesInOrder) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  redis_request request;
  request.push({"SET", "count", "41"});
  request.push({"INCR", "count"});
  request.push({"GET", "count"});
  const auto replies = complete(client.exec(request));

  ASSERT_TRUE(replies) << replies.error().message();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[0].text, "OK");
  EXPECT_EQ((*replies)[1].kind, redis_reply::kind_t::integer);
  EXPECT_EQ((*replies)[1].integer, 42);
  EXPECT_EQ((*replies)[2].kind, redis_reply::kind_t::string);
  EXPECT_EQ((*replies)[2].text, "42");
}

TEST_F(RedisConnectionTest, RedisErrorReplyIsAValueAndLeavesTheRestOfThePipelineIntact) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  redis_request request;
  request.push({"SET", "name", "Ana"});
  request.push({"INCR", "name"});
  request.push({"GET", "name"});
  const auto replies = complete(client.exec(request));

  ASSERT_TRUE(replies) << replies.error().message();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_FALSE((*replies)[0].is_error());
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_EQ((*replies)[1].text, "ERR value is not an integer or out of range");
  EXPECT_EQ((*replies)[2].text, "Ana");
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisConnectionTest, ThousandConcurrentCallsEachGetTheirOwnReply) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  constexpr int calls = 1000;
  std::vector<std::shared_ptr<outcome<boost::system::result<redis_reply>>>> results;
  results.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    results.push_back(spawn(client.exec_one({"ECHO", "message-" + std::to_string(i)})));
  }
  ASSERT_TRUE(run_until(
      [&] { return std::all_of(results.begin(), results.end(), [](auto& r) { return r->done; }); },
      20s));

  for (int i = 0; i < calls; ++i) {
    ASSERT_FALSE(results[i]->failure) << i;
    const auto& reply = *results[i]->value;
    ASSERT_TRUE(reply) << i << ": " << reply.error().message();
    EXPECT_EQ(reply->text, "message-" + std::to_string(i));
  }
}

TEST_F(RedisConnectionTest, LargeValuesRoundTripIntact) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  // Larger than one socket read or write, with bytes that matter to the protocol.
  std::string value;
  for (int i = 0; value.size() < 3 * 1024 * 1024; ++i) {
    value += "línea " + std::to_string(i) + "\r\n";
    value.push_back('\0');
  }
  ASSERT_TRUE(call(client, {"SET", "big", value}));
  const auto get = call(client, {"GET", "big"});
  ASSERT_TRUE(get) << get.error().message();
  EXPECT_EQ(get->text.size(), value.size());
  EXPECT_TRUE(get->text == value);
}

// Submits SET key value, flushes, then holds the loop (as fan-out's planning does) until Redis
// has the value or 5 s passed; returns what STRLEN said last. A plain function, not a capturing
// lambda: a lazy coroutine must not refer to a closure that is gone when it runs.
asio::awaitable<std::string> set_then_hold_the_loop(redis_connection* client,
                                                    const testing_server* server, std::string key,
                                                    std::string value) {
  redis_request request;
  request.push({"SET", key, value});
  auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, client->exec(request), asio::detached);  // submits, then waits
  client->flush();
  const auto expected = std::to_string(value.size());
  std::string seen;
  const auto deadline = steady_clock::now() + 5s;
  while (seen != expected && steady_clock::now() < deadline) {
    seen = server->cli({"STRLEN", key});
  }
  co_return seen;
}

TEST_F(RedisConnectionTest, FlushHandsSubmittedCommandsToRedisWhileTheLoopIsBusy) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  // Larger than a unix socket's default send buffer (208 KiB), as a fan-out page is: without a
  // wider buffer only part of it would go out until the loop turns.
  const std::string value(300 * 1024, 'p');
  const auto seen = complete(set_then_hold_the_loop(&client, &server, "page", value));
  EXPECT_EQ(seen, std::to_string(value.size()));
}

TEST_F(RedisConnectionTest, ExecBeforeConnectingFailsAtOnceWithNotConnected) {
  testing_server server;
  auto& client = make_client(config_for(server));  // run() never started

  const auto started = steady_clock::now();
  const auto reply = call(client, {"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), redis_errc::not_connected);
  EXPECT_LT(steady_clock::now() - started, 1s);  // not after command_timeout (5 s)
  EXPECT_FALSE(complete(client.wait_connected(50ms)));
}

TEST_F(RedisConnectionTest, WaitConnectedCompletesWhenTheConnectionIsUp) {
  testing_server server;
  auto& client = make_client(config_for(server));
  auto waiting = spawn(client.wait_connected(10s));
  start(client);
  ASSERT_TRUE(run_until([&] { return waiting->done; }));
  EXPECT_TRUE(*waiting->value);
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisConnectionTest, TimedOutCallReportsTimeoutAndItsLateReplyGoesNowhere) {
  testing_server server;
  auto& client = connected_client(config_for(server));

  const auto started = steady_clock::now();
  const auto blocked = call(client, {"BLPOP", "jobs", "5"}, 100ms);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error(), redis_errc::timeout);
  EXPECT_LT(steady_clock::now() - started, 2s);

  // Redis answers the abandoned BLPOP now; that reply must not reach the next caller.
  EXPECT_EQ(server.cli({"LPUSH", "jobs", "late"}), "1");
  const auto set = call(client, {"SET", "after", "yes"});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->text, "OK");
  const auto get = call(client, {"GET", "after"});
  ASSERT_TRUE(get) << get.error().message();
  EXPECT_EQ(get->text, "yes");
  EXPECT_EQ(server.cli({"LLEN", "jobs"}), "0");  // the BLPOP really ran on the server
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisConnectionTest, BlockingCommandLongerThanTheHealthCheckKeepsTheLink) {
  testing_server server;
  auto cfg = config_for(server);
  cfg.health_check_interval = 50ms;
  cfg.command_timeout = 200ms;
  auto& client = connected_client(cfg);

  // The health-check PINGs queue behind the BLPOP for a whole second; they must not be
  // mistaken for a dead link (which would end the BLPOP with connection_lost).
  const auto reply = call(client, {"BLPOP", "jobs", "1"}, 5s);
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_TRUE(reply->is_nil());
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisConnectionTest, HealthCheckDropsAnUnresponsiveLinkAndReconnects) {
  testing_server server;
  auto cfg = config_for(server);
  cfg.health_check_interval = 50ms;
  cfg.command_timeout = 200ms;
  cfg.connect_timeout = 200ms;
  auto& client = connected_client(cfg);

  // Redis keeps the socket open but answers nothing for 1.5 s.
  EXPECT_EQ(server.cli({"CLIENT", "PAUSE", "1500", "ALL"}), "OK");
  EXPECT_TRUE(run_until([&] { return !client.connected(); }, 3s));
  EXPECT_TRUE(run_until([&] { return client.connected(); }, 10s));
  const auto reply = call(client, {"PING"});
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->text, "PONG");
}

TEST_F(RedisConnectionTest, SelectsTheConfiguredDatabase) {
  testing_server server;
  auto cfg = config_for(server);
  cfg.database = 3;
  auto& client = connected_client(cfg);

  ASSERT_TRUE(call(client, {"SET", "where", "db3"}));
  EXPECT_EQ(server.cli({"-n", "3", "GET", "where"}), "db3");
  EXPECT_EQ(server.cli({"-n", "0", "EXISTS", "where"}), "0");
}

TEST_F(RedisConnectionTest, PasswordProtectedServerAcceptsTheConfiguredPassword) {
  testing_server server(testing_server::options{.password = "s3cret-pass"});
  auto cfg = config_for(server);
  cfg.password = "s3cret-pass";
  auto& client = connected_client(cfg);

  ASSERT_TRUE(call(client, {"SET", "k", "v"}));
  const auto get = call(client, {"GET", "k"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->text, "v");
}

TEST_F(RedisConnectionTest, AclUserAuthenticatesWithUsernameAndPassword) {
  testing_server server;
  ASSERT_EQ(server.cli({"ACL", "SETUSER", "liaison", "on", ">district-pass", "~*", "+@all"}), "OK");
  auto cfg = config_for(server);
  cfg.username = "liaison";
  cfg.password = "district-pass";
  auto& client = connected_client(cfg);

  const auto who = call(client, {"ACL", "WHOAMI"});
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->text, "liaison");
}

TEST_F(RedisConnectionTest, WrongPasswordKeepsRetryingWithoutEverConnecting) {
  testing_server server(testing_server::options{.password = "right"});
  auto cfg = config_for(server);
  cfg.password = "wrong";
  auto& client = make_client(cfg);
  auto run = start(client);

  // Each attempt is refused by the server; the client backs off and tries again.
  const auto refused = [&] {
    return info_field(server.cli({"INFO", "errorstats"}), "errorstat_WRONGPASS:count");
  };
  EXPECT_TRUE(run_until([&] { return refused() >= 3 || client.connected(); }, 10s));
  EXPECT_FALSE(client.connected());
  EXPECT_FALSE(run->done);
  const auto reply = call(client, {"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), redis_errc::not_connected);
}

TEST_F(RedisConnectionTest, KilledServerFailsPendingCallsAndTheClientReconnectsAfterRestart) {
  testing_server server;
  auto& client = connected_client(config_for(server));
  ASSERT_TRUE(call(client, {"SET", "before", "1"}));

  auto pending = spawn(client.exec_one({"BLPOP", "never", "30"}, 60s));
  ASSERT_TRUE(run_until([&] {
    return info_field(server.cli({"INFO", "clients"}), "blocked_clients") == 1;
  }));

  server.kill_now();
  EXPECT_TRUE(run_until([&] { return !client.connected(); }));
  ASSERT_TRUE(run_until([&] { return pending->done; }));
  ASSERT_TRUE(pending->value.has_value());
  ASSERT_FALSE(*pending->value);
  EXPECT_EQ(pending->value->error(), redis_errc::connection_lost);
  const auto while_down = call(client, {"PING"});
  ASSERT_FALSE(while_down);
  EXPECT_EQ(while_down.error(), redis_errc::not_connected);

  server.start();
  ASSERT_TRUE(run_until([&] { return client.connected(); }, 10s));
  ASSERT_TRUE(call(client, {"SET", "after", "2"}));
  const auto get = call(client, {"GET", "after"});
  ASSERT_TRUE(get) << get.error().message();
  EXPECT_EQ(get->text, "2");
}

TEST_F(RedisConnectionTest, CancelMakesRunReturnAndEndsPendingCalls) {
  testing_server server;
  auto& client = make_client(config_for(server));
  auto run = start(client);
  ASSERT_TRUE(run_until([&] { return client.connected(); }));
  auto pending = spawn(client.exec_one({"BLPOP", "never", "30"}, 60s));
  ASSERT_TRUE(run_until([&] {
    return info_field(server.cli({"INFO", "clients"}), "blocked_clients") == 1;
  }));

  client.cancel();
  EXPECT_FALSE(client.connected());
  ASSERT_TRUE(run_until([&] { return run->done && pending->done; }));
  EXPECT_FALSE(run->failure);
  ASSERT_FALSE(*pending->value);
  EXPECT_EQ(pending->value->error(), redis_errc::cancelled);
  EXPECT_FALSE(complete(client.wait_connected(10s), 1s));
}

TEST_F(RedisConnectionTest, DestroyingAConnectedClientEndsItsCallsCleanly) {
  testing_server server;
  auto client = std::make_unique<redis_connection>(io_.get_executor(), config_for(server), logger_);
  auto run = std::make_shared<run_outcome>();
  asio::co_spawn(io_, client->run(), [run](std::exception_ptr failure) {
    run->done = true;
    run->failure = failure;
  });
  ASSERT_TRUE(run_until([&] { return client->connected(); }));
  auto pending = spawn(client->exec_one({"BLPOP", "never", "30"}, 60s));
  ASSERT_TRUE(run_until([&] {
    return info_field(server.cli({"INFO", "clients"}), "blocked_clients") == 1;
  }));

  client.reset();

  ASSERT_TRUE(run_until([&] { return run->done && pending->done; }));
  ASSERT_FALSE(*pending->value);
  EXPECT_EQ(pending->value->error(), redis_errc::cancelled);
  EXPECT_TRUE(run_until([&] {
    return info_field(server.cli({"INFO", "clients"}), "connected_clients") == 1;  // cli only
  }));
}

TEST_F(RedisConnectionTest, ConnectsOverTcpToALoopbackAddress) {
  testing_server server(tcp_options());
  config::redis_config cfg = config_for(server);
  cfg.unix_socket.clear();
  cfg.host = "127.0.0.1";
  cfg.port = server.port();
  auto& client = connected_client(cfg);

  ASSERT_TRUE(call(client, {"SET", "over", "tcp"}));
  EXPECT_EQ(server.cli({"GET", "over"}), "tcp");
}

TEST_F(RedisConnectionTest, ConnectsOverTcpToAHostName) {
  // A bare chroot may have no /etc/hosts: then the name cannot resolve and there is nothing
  // to test; every installed system resolves "localhost".
  addrinfo* found = nullptr;
  if (::getaddrinfo("localhost", nullptr, nullptr, &found) != 0) {
    GTEST_SKIP() << "\"localhost\" does not resolve on this machine";
  }
  ::freeaddrinfo(found);
  testing_server server(tcp_options());
  config::redis_config cfg = config_for(server);
  cfg.unix_socket.clear();
  cfg.host = "localhost";  // may resolve to ::1 first, where nothing listens
  cfg.port = server.port();
  auto& client = connected_client(cfg);

  const auto reply = call(client, {"PING"});
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->text, "PONG");
}

TEST_F(RedisConnectionTest, ServerThatNeverAnswersTimesOutTheConnectAndIsRetried) {
  // A peer that accepts connections and then says nothing.
  liaison::testing::temp_dir dir;
  const auto path = (dir.path() / "silent.sock").string();
  struct silent_peer {
    explicit silent_peer(asio::io_context& io, const std::string& at)
        : acceptor(io, asio::local::stream_protocol::endpoint(at)) {}
    asio::local::stream_protocol::acceptor acceptor;
    std::vector<asio::local::stream_protocol::socket> accepted;
  };
  auto peer = std::make_shared<silent_peer>(io_, path);
  asio::co_spawn(
      io_,
      [peer]() -> asio::awaitable<void> {
        for (;;) {
          boost::system::error_code ec;
          auto socket =
              co_await peer->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            co_return;
          }
          peer->accepted.push_back(std::move(socket));
        }
      },
      asio::detached);

  config::redis_config cfg;
  cfg.unix_socket = path;
  cfg.connect_timeout = 100ms;
  cfg.reconnect_min_delay = 10ms;
  cfg.reconnect_max_delay = 50ms;
  auto& client = make_client(cfg);
  start(client);

  EXPECT_TRUE(run_until([&] { return peer->accepted.size() >= 3; }, 5s));
  EXPECT_FALSE(client.connected());
  peer->acceptor.close();
}

}  // namespace
}  // namespace liaison::queue
