// The libcurl-on-Asio HTTP client against a real local HTTP server.
#include "channels/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/stub_http_server.hpp"

namespace liaison::channels {
namespace {

namespace asio = boost::asio;
using testing::stub_http_server;
using testing::stub_request;
using testing::stub_response;

// Runs one call to completion on a fresh io_context.
boost::system::result<http_response> call(http_client& client, asio::io_context& io,
                                          http_request req) {
  auto future = asio::co_spawn(io, client.request(std::move(req)), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

// Runs `io` until `done()` holds or `limit` has passed.
template <class Done>
void run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
}

template <class T>
bool is_ready(const std::future<T>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// Starts a GET of `path` with `timeout` on `io` (which the caller runs).
std::future<boost::system::result<http_response>> start_get(asio::io_context& io,
                                                            http_client& client,
                                                            const stub_http_server& server,
                                                            const std::string& path,
                                                            std::chrono::milliseconds timeout) {
  http_request req;
  req.url = server.url() + path;
  req.timeout = timeout;
  return asio::co_spawn(io, client.request(std::move(req)), asio::use_future);
}

// A server that takes the request and never answers it.
stub_response never_answer(const stub_request&) {
  stub_response res;
  res.never_answer = true;
  return res;
}

stub_response echo(const stub_request& r) {
  stub_response res;
  res.status = 200;
  res.headers.push_back({"Content-Type", "text/plain"});
  res.headers.push_back({"X-Seen-Method", r.method});
  res.body = r.method + " " + r.target + " " + r.body;
  return res;
}

TEST(http_client, gets_a_response_with_status_headers_and_body) {
  stub_http_server server(echo);
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.url = server.url() + "/hello?x=1";
  const auto res = call(client, io, req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 200u);
  EXPECT_EQ(res->body, "GET /hello?x=1 ");
  EXPECT_EQ(res->header("x-seen-method"), "GET");
  EXPECT_EQ(res->header("Content-Type"), "text/plain");
}

TEST(http_client, posts_a_body_with_headers_and_basic_auth) {
  stub_http_server server(echo);
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.method = "POST";
  req.url = server.url() + "/submit";
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  req.body = "To=%2B15005550006&Body=hola";
  req.basic_auth = basic_credentials{"AC123", "secret"};
  const auto res = call(client, io, req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->body, "POST /submit To=%2B15005550006&Body=hola");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers.at("authorization"), "Basic QUMxMjM6c2VjcmV0");
  EXPECT_EQ(seen[0].headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].headers.count("expect"), 0u);
}

TEST(http_client, non_2xx_answers_are_responses_not_errors) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.status = 429;
    res.headers.push_back({"Retry-After", "7"});
    res.body = R"({"code":20429,"message":"Too Many Requests"})";
    return res;
  });
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.method = "POST";
  req.url = server.url() + "/x";
  const auto res = call(client, io, req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429u);
  EXPECT_EQ(res->header("retry-after"), "7");
}

TEST(http_client, connection_refused_is_connect_failed) {
  const auto port = testing::free_tcp_port();  // nobody listens there
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const auto res = call(client, io, req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::connect_failed));
}

TEST(http_client, a_hanging_server_times_out) {
  stub_http_server server(never_answer);
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.url = server.url() + "/slow";
  req.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto res = call(client, io, req);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::timed_out));
  EXPECT_LT(took, std::chrono::seconds(3));
}

// The client's timer is moved only earlier, never later (channels/detail/curl_multi.hpp): a
// shorter deadline asked for after a longer one must still be kept...
TEST(http_client, a_shorter_deadline_after_a_longer_one_is_kept) {
  stub_http_server server(never_answer);
  asio::io_context io;
  http_client client(io.get_executor());
  auto patient = start_get(io, client, server, "/patient", std::chrono::seconds(60));
  run_until(
      io, [&] { return server.requests().size() == 1; }, std::chrono::seconds(5));
  // Past curl's own short timers for the first connection: the timer now waits for seconds.
  io.run_for(std::chrono::milliseconds(400));
  const auto started = std::chrono::steady_clock::now();
  auto hurried = start_get(io, client, server, "/hurried", std::chrono::milliseconds(300));
  run_until(
      io, [&] { return is_ready(hurried); }, std::chrono::seconds(5));
  ASSERT_TRUE(is_ready(hurried));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  const auto res = hurried.get();
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::timed_out));
  EXPECT_FALSE(is_ready(patient));  // cut short with the client
}

// ...and a longer one, reported while the timer waits for a shorter one, must still fire once
// the shorter call has ended without timing out.
TEST(http_client, a_longer_deadline_left_after_a_call_ends_is_kept) {
  stub_http_server server([](const stub_request& r) {
    stub_response res;
    res.never_answer = r.target == "/slow";
    return res;
  });
  asio::io_context io;
  http_client client(io.get_executor());
  auto slow = start_get(io, client, server, "/slow", std::chrono::milliseconds(1200));
  run_until(
      io, [&] { return server.requests().size() == 1; }, std::chrono::seconds(5));
  auto quick = start_get(io, client, server, "/quick", std::chrono::milliseconds(400));
  run_until(
      io, [&] { return is_ready(quick) && is_ready(slow); }, std::chrono::seconds(5));
  ASSERT_TRUE(is_ready(quick));
  EXPECT_TRUE(quick.get());
  ASSERT_TRUE(is_ready(slow));
  const auto res = slow.get();
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::timed_out));
}

TEST(http_client, a_dropped_connection_is_a_transport_failure) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.close_connection = true;
    return res;
  });
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.url = server.url() + "/";
  const auto res = call(client, io, req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::transport_failed));
}

TEST(http_client, a_malformed_url_is_an_invalid_request) {
  asio::io_context io;
  http_client client(io.get_executor());
  http_request req;
  req.url = "ht!tp://nowhere";
  const auto res = call(client, io, req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::invalid_request));
}

TEST(http_client, refuses_answers_larger_than_the_limit) {
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.body.assign(64 * 1024, 'x');
    return res;
  });
  asio::io_context io;
  http_client_options options;
  options.max_response_bytes = 1024;
  http_client client(io.get_executor(), options);
  http_request req;
  req.url = server.url() + "/big";
  const auto res = call(client, io, req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::response_too_large));
}

TEST(http_client, reads_a_large_answer_completely) {
  // Several megabytes arrive over many reads: the socket waits must keep firing until the end.
  stub_http_server server([](const stub_request&) {
    stub_response res;
    res.body.assign(8 * 1024 * 1024, 'y');
    return res;
  });
  asio::io_context io;
  http_client_options options;
  options.max_response_bytes = 16 * 1024 * 1024;
  http_client client(io.get_executor(), options);
  http_request req;
  req.url = server.url() + "/large";
  const auto res = call(client, io, req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->body.size(), 8u * 1024 * 1024);
}

TEST(http_client, reuses_a_kept_alive_connection) {
  stub_http_server server(echo);
  asio::io_context io;
  http_client client(io.get_executor());
  for (int i = 0; i < 5; ++i) {
    http_request req;
    req.url = server.url() + "/again";
    ASSERT_TRUE(call(client, io, req));
  }
  EXPECT_EQ(server.requests().size(), 5u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(http_client, runs_a_hundred_concurrent_calls_within_the_concurrency_bound) {
  stub_http_server server([](const stub_request& r) {
    stub_response res;
    res.delay = std::chrono::milliseconds(20);
    res.body = r.target;
    return res;
  });
  asio::io_context io;
  http_client_options options;
  options.max_concurrent = 8;
  http_client client(io.get_executor(), options);
  std::vector<std::future<boost::system::result<http_response>>> futures;
  for (int i = 0; i < 100; ++i) {
    http_request req;
    req.url = server.url() + "/n/" + std::to_string(i);
    futures.push_back(asio::co_spawn(io, client.request(std::move(req)), asio::use_future));
  }
  io.run();
  for (int i = 0; i < 100; ++i) {
    auto res = futures[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(res) << res.error().message();
    EXPECT_EQ(res->body, "/n/" + std::to_string(i));
  }
  // Never more than 8 connections, each reused for many calls.
  EXPECT_LE(server.connections_accepted(), 8u);
  EXPECT_EQ(server.requests().size(), 100u);
}

TEST(http_client, a_cancelled_call_completes_with_cancelled) {
  stub_http_server server(never_answer);
  asio::io_context io;
  http_client client(io.get_executor());
  asio::cancellation_signal cancel;
  http_request req;
  req.url = server.url() + "/never";
  req.timeout = std::chrono::seconds(30);
  auto future = asio::co_spawn(io, client.request(req),
                               asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
  asio::steady_timer timer(io, std::chrono::milliseconds(100));
  timer.async_wait(
      [&](const boost::system::error_code&) { cancel.emit(asio::cancellation_type::terminal); });
  io.run();
  const auto res = future.get();
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::cancelled));
}

TEST(http_client, destroying_the_client_ends_calls_in_flight) {
  stub_http_server server(never_answer);
  asio::io_context io;
  auto client = std::make_unique<http_client>(io.get_executor());
  http_request req;
  req.url = server.url() + "/never";
  req.timeout = std::chrono::seconds(30);
  auto future = asio::co_spawn(io, client->request(req), asio::use_future);
  asio::steady_timer timer(io, std::chrono::milliseconds(100));
  timer.async_wait([&](const boost::system::error_code&) { client.reset(); });
  io.run();
  const auto res = future.get();
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), make_error_code(http_errc::cancelled));
}

}  // namespace
}  // namespace liaison::channels
