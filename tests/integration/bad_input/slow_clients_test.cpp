// Slow clients (slowloris): connections that send their header or body a byte at a time, or
// nothing at all. The read deadline ([http] read_timeout, 1 s here) covers the whole request,
// so dribbling does not extend it: the server closes such connections without an answer once it
// passes, while other clients are served at once all along.
#include <thread>
#include <vector>

#include "tests/integration/bad_input/bad_input_fixture.hpp"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int slow_clients = 16;  // below max_connections: the limit is tested on its own
constexpr auto dribble_every = 100ms;
// How late after the deadline the server may close a connection (scheduling on a busy machine).
constexpr auto close_slack = 1500ms;

// Connections that each sent `opening` and then send one more byte of `dribble` every
// `dribble_every`, until the server closes them; meanwhile a normal client is timed. Returns
// when every slow connection is closed or `limit` passed.
struct slowloris_result {
  int closed = 0;
  steady::duration longest_close{};           // from the start to the last close
  steady::duration slowest_normal_request{};  // of the normal client's requests meanwhile
  int normal_requests = 0;
  int normal_failures = 0;
};

slowloris_result run_slowloris(std::uint16_t port, const std::string& opening,
                               const std::string& dribble, steady::duration limit) {
  std::vector<std::unique_ptr<raw_connection>> slow;
  std::vector<bool> open;
  for (int i = 0; i < slow_clients; ++i) {
    slow.push_back(std::make_unique<raw_connection>(port));
    if (!opening.empty()) {
      slow.back()->send(opening);
    }
    open.push_back(true);
  }
  slowloris_result result;
  const auto started = steady::now();
  std::size_t position = 0;
  while (result.closed < slow_clients && steady::now() - started < limit) {
    for (int i = 0; i < slow_clients; ++i) {
      if (!open[i]) {
        continue;
      }
      // A closed connection shows as a failed write, or as end of stream on a short read.
      const bool sent =
          dribble.empty() || slow[i]->send(dribble.substr(position % dribble.size(), 1));
      if (!sent || slow[i]->closed_within(1ms)) {
        open[i] = false;
        ++result.closed;
        result.longest_close = steady::now() - started;
      }
    }
    ++position;
    const auto before = steady::now();
    try {
      const auto ready = send_http(port, {"GET", "/readyz", {}, {}});
      if (ready.status != 200) {
        ++result.normal_failures;
      }
    } catch (const std::exception&) {
      ++result.normal_failures;
    }
    ++result.normal_requests;
    result.slowest_normal_request = std::max(result.slowest_normal_request, steady::now() - before);
    // Real time on purpose: what is tested is the daemon's deadline against a real slow peer.
    std::this_thread::sleep_for(dribble_every);
  }
  return result;
}

TEST_F(bad_input_test, slowloris_headers_are_cut_at_the_read_deadline_and_others_are_served) {
  const auto result = run_slowloris(port_, "GET /v1/families/f HTTP/1.1\r\nHost: x\r\n",
                                    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
                                    read_timeout + close_slack + 2s);
  EXPECT_EQ(result.closed, slow_clients);
  EXPECT_GE(result.longest_close, read_timeout - 100ms);  // the deadline, not an earlier error
  EXPECT_LE(result.longest_close, read_timeout + close_slack);
  EXPECT_GT(result.normal_requests, 5);
  EXPECT_EQ(result.normal_failures, 0);
  EXPECT_LT(result.slowest_normal_request, 500ms);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, slow_bodies_are_cut_at_the_read_deadline_and_nothing_is_stored) {
  const std::string message =
      R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"hola"})";
  const auto result = run_slowloris(
      port_,
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(admin_key) +
          "\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(message.size() + 1000) + "\r\n\r\n",
      message, read_timeout + close_slack + 2s);
  EXPECT_EQ(result.closed, slow_clients);
  EXPECT_LE(result.longest_close, read_timeout + close_slack);
  EXPECT_EQ(result.normal_failures, 0);
  EXPECT_LT(result.slowest_normal_request, 500ms);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, silent_connections_are_closed_at_the_read_deadline) {
  const auto result = run_slowloris(port_, "", "", read_timeout + close_slack + 2s);
  EXPECT_EQ(result.closed, slow_clients);
  EXPECT_LE(result.longest_close, read_timeout + close_slack);
  EXPECT_EQ(result.normal_failures, 0);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, a_slow_roster_upload_is_cut_at_the_read_deadline_of_its_chunk) {
  // A streamed route reads each chunk under the deadline: an upload that stalls is cut.
  raw_connection upload(port_);
  ASSERT_TRUE(upload.send("POST /v1/families/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          std::string(admin_key) +
                          "\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n"
                          R"({"id":"f-1","guardians":[{"id":"g","name":"A","language":"es",)"));
  const auto started = steady::now();
  const auto answer = upload.read_response(read_timeout + close_slack + 2s);
  EXPECT_LE(steady::now() - started, read_timeout + close_slack);
  // The handler answers that the upload was cut off (or the connection just closes).
  if (answer.status != 0) {
    expect_problem(answer, 400);
  }
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, connections_over_the_limit_are_refused_until_the_deadline_frees_them) {
  std::vector<std::unique_ptr<raw_connection>> held;
  for (std::size_t i = 0; i < max_connections; ++i) {
    held.push_back(std::make_unique<raw_connection>(port_));
  }
  // Accepted by the kernel, closed by liaisond at once without an answer.
  raw_connection one_too_many(port_);
  EXPECT_TRUE(one_too_many.closed_within(1s));
  // The silent connections reach their read deadline and are closed; the server serves again.
  EXPECT_TRUE(eventually(
      [this] {
        try {
          return send_http(port_, {"GET", "/readyz", {}, {}}).status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      read_timeout + close_slack + 2s));
  for (auto& c : held) {
    EXPECT_TRUE(c->closed_within(close_slack));
  }
  expect_nothing_written_and_daemon_healthy();
}

}  // namespace
}  // namespace liaison::testing
