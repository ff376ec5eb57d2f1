// Malformed and oversized HTTP requests, written byte for byte on a raw socket: each gets a
// problem+json answer (400, 413 or 431) and the connection is closed after it; nothing reaches
// Redis and the daemon keeps serving.
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/bad_input/bad_input_fixture.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

struct framing_case {
  const char* what;
  std::string bytes;
  unsigned status;
  bool closes = true;  // the stream cannot be trusted after it: the server closes it
};

std::string authorized_post(const std::string& target, const std::string& extra_headers) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         std::string(admin_key) + "\r\nContent-Type: application/json\r\n" + extra_headers;
}

const std::string message = R"({"to":{"phone":"+12025550143"},"channel":"sms","body":"hi"})";

TEST_F(bad_input_test, malformed_requests_are_400_and_the_connection_closes) {
  const std::vector<framing_case> cases = {
      {"not HTTP at all", "GARBAGE\r\n\r\n", 400},
      {"an unknown HTTP version", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400},
      {"the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
      {"a header line without a colon", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400},
      {"a NUL byte in a header value",
       std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a") + '\0' + "b\r\n\r\n", 400},
      {"a control character in the target", "GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"a Content-Length that is not a number",
       authorized_post("/v1/messages", "Content-Length: ten\r\n\r\n") + message, 400},
      {"two different Content-Lengths (request smuggling)",
       authorized_post("/v1/messages", "Content-Length: 5\r\nContent-Length: " +
                                           std::to_string(message.size()) + "\r\n\r\n") +
           message,
       400},
      {"Content-Length and chunked together (request smuggling)",
       authorized_post("/v1/messages", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n") +
           "0\r\n\r\n",
       400},
      {"a chunk size that is not hexadecimal",
       authorized_post("/v1/messages", "Transfer-Encoding: chunked\r\n\r\n") + "zz\r\n" + message +
           "\r\n0\r\n\r\n",
       400},
      {"an absolute-form target (proxy request)",
       "GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: x\r\n\r\n", 400, false},
      {"a broken percent-encoding in the target",
       "GET /v1/families/%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           std::string(admin_key) + "\r\n\r\n",
       400, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    raw_connection connection(port_);
    ASSERT_TRUE(connection.send(c.bytes));
    const auto answer = connection.read_response(5s);
    expect_problem(answer, c.status);
    // A request whose framing is broken leaves the stream unusable: the server closes it. A
    // well-framed request with a bad target is answered like any other (keep-alive).
    if (c.closes) {
      EXPECT_EQ(answer.headers.count("connection") ? answer.headers.at("connection") : "", "close");
      EXPECT_TRUE(connection.closed_within(2s));
    }
  }
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, pipelined_requests_and_bodies_split_across_writes_are_each_answered) {
  // The body that came in with its header is parsed from the read buffer, and only the rest is
  // read from the socket: a request behind it in the same write, a chunked body, and a body cut
  // in two writes must each still make exactly one message, all on one kept-alive connection.
  const std::string valid =
      R"({"to":{"phone":"+12025550143"},"channel":"sms","language":"en","body":"hi"})";
  const auto with_length = authorized_post(
      "/v1/messages", "Content-Length: " + std::to_string(valid.size()) + "\r\n\r\n");
  char chunk_size[16];
  std::snprintf(chunk_size, sizeof chunk_size, "%zx\r\n", valid.size());
  const auto chunked = authorized_post("/v1/messages", "Transfer-Encoding: chunked\r\n\r\n") +
                       chunk_size + valid + "\r\n0\r\n\r\n";
  raw_connection connection(port_);
  ASSERT_TRUE(connection.send(with_length + valid + chunked + with_length + valid.substr(0, 10)));
  std::set<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    const auto answer = connection.read_response(5s);
    ASSERT_EQ(answer.status, 202u) << answer.body;
    ids.insert(std::string(boost::json::parse(answer.body).at("id").as_string()));
  }
  ASSERT_TRUE(connection.send(valid.substr(10)));
  const auto last = connection.read_response(5s);
  ASSERT_EQ(last.status, 202u) << last.body;
  ids.insert(std::string(boost::json::parse(last.body).at("id").as_string()));
  EXPECT_EQ(ids.size(), 3u);
  expect_daemon_healthy();
}

TEST_F(bad_input_test, oversized_header_is_431_whether_one_long_line_or_many) {
  const std::string long_value(20 * 1024, 'a');
  std::string many;
  for (int i = 0; i < 2000; ++i) {
    many += "X-Filler-" + std::to_string(i) + ": 0123456789\r\n";
  }
  const std::vector<framing_case> cases = {
      {"one 20 KiB header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + long_value + "\r\n\r\n",
       431},
      {"2000 small headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431},
      {"a 20 KiB request target", "GET /v1/families/" + long_value + " HTTP/1.1\r\nHost: x\r\n\r\n",
       431},
      {"a 20 KiB API key",
       "GET /v1/families/f HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + long_value + "\r\n\r\n",
       431},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    raw_connection connection(port_);
    connection.send(c.bytes);  // the server may answer and close before it has read everything
    const auto answer = connection.read_response(5s);
    expect_problem(answer, c.status);
    EXPECT_TRUE(connection.closed_within(2s));
  }
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, oversized_body_is_413_before_the_body_is_read) {
  // The declared length alone decides: the answer comes although no byte of the body was sent.
  raw_connection declared(port_);
  ASSERT_TRUE(declared.send(authorized_post(
      "/v1/messages", "Content-Length: " + std::to_string(max_body_bytes + 1) + "\r\n\r\n")));
  const auto early = declared.read_response(5s);
  const auto problem = expect_problem(early, 413);
  EXPECT_THAT(std::string(problem.at("detail").as_string()),
              HasSubstr(std::to_string(max_body_bytes)));
  EXPECT_TRUE(declared.closed_within(2s));

  // A chunked body has no declared length: it is counted as it arrives.
  raw_connection chunked(port_);
  ASSERT_TRUE(chunked.send(authorized_post("/v1/messages", "Transfer-Encoding: chunked\r\n\r\n")));
  const std::string chunk(64 * 1024, 'x');
  char size_line[16];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (std::size_t sent = 0; sent <= max_body_bytes; sent += chunk.size()) {
    if (!chunked.send(size_line + chunk + "\r\n")) {
      break;  // answered and closed already
    }
  }
  expect_problem(chunked.read_response(5s), 413);

  // Through the ordinary client too, with a whole body.
  expect_problem(api("POST", "/v1/messages", std::string(max_body_bytes + 1, ' ')), 413);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, unknown_method_and_bodies_on_reads_change_nothing) {
  raw_connection brew(port_);
  ASSERT_TRUE(brew.send("BREW /v1/messages HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = brew.read_response(5s);
  expect_problem(answer, 405);
  EXPECT_EQ(answer.headers.count("allow"), 1u);
  // A GET with a body (allowed by HTTP, meaningless here) is answered as a GET.
  EXPECT_EQ(api("GET", "/v1/families/nobody", R"({"guardians": []})").status, 404u);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, a_client_that_closes_midway_leaves_the_daemon_serving) {
  for (int i = 0; i < 20; ++i) {
    raw_connection cut(port_);
    ASSERT_TRUE(
        cut.send(authorized_post("/v1/messages",
                                 "Content-Length: " + std::to_string(message.size()) + "\r\n\r\n") +
                 message.substr(0, 10)));
  }  // each connection closes here, with its body unfinished
  expect_nothing_written_and_daemon_healthy();
}

}  // namespace
}  // namespace liaison::testing
