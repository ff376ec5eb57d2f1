// Path traversal and other hostile ids: every route with an id in its path (or a family_id in
// its query) refuses ids outside its strict pattern with a problem+json 404 (reads, deletes) or
// 422 naming "id" (writes) — before the id becomes part of a Redis key. Redis's MONITOR proves
// it: no command the daemon sends while the bad requests are served carries any of them.
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/integration/bad_input/bad_input_fixture.hpp"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

// A MONITOR connection to the private redis-server: every command any client sends from now on,
// as Redis prints them (arguments quoted, bytes outside ASCII escaped as \xHH).
class redis_monitor {
 public:
  explicit redis_monitor(const std::filesystem::path& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
    timeval timeout{5, 0};  // a read never blocks the test longer than this
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::write(fd_, "MONITOR\r\n", 9) != 9) {
      throw std::runtime_error("cannot MONITOR " + socket_path.string());
    }
    read_until("+OK");
  }
  ~redis_monitor() { ::close(fd_); }
  redis_monitor(const redis_monitor&) = delete;
  redis_monitor& operator=(const redis_monitor&) = delete;

  // Everything seen so far, up to `marker` (a command the test itself sent last).
  std::string read_until(const std::string& marker) {
    char chunk[4096];
    while (seen_.find(marker) == std::string::npos) {
      const auto n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        throw std::runtime_error("MONITOR stopped before " + marker);
      }
      seen_.append(chunk, static_cast<std::size_t>(n));
    }
    return seen_;
  }

 private:
  int fd_ = -1;
  std::string seen_;
};

// Each id carries "zq", which nothing else the daemon sends contains.
struct hostile_id {
  const char* what;
  std::string id;  // as written in the URL
  bool has_slash;  // decoded, it splits the path into more segments than any route has: 404
};

const std::vector<hostile_id> hostile_ids = {
    {"encoded ../../etc/passwd", "zq..%2F..%2Fetc%2Fpasswd", true},
    {"encoded slash", "zq%2Fx", true},
    {"encoded NUL", "zq%00x", false},
    {"encoded CR LF", "zq%0D%0AFLUSHALL", false},
    {"encoded space", "zq%20x", false},
    {"invalid UTF-8", "zq%FF%FE", false},
    {"a glob", "zq*", false},
    {"a Redis hash tag", "zq%7Bq%7D", false},
    {"quotes", "zq%22%27", false},
    {"300 characters", "zq" + std::string(298, 'a'), false},
};

struct id_route {
  std::string method;
  std::string target;  // "ID" is replaced by the id
  std::string body;
  unsigned status;  // the answer to a hostile id
};

const std::string family_body =
    R"({"guardians":[{"id":"g-1","name":"Ana","language":"es","phone":"+12025550143"}]})";

const std::vector<id_route> routes = {
    {"GET", "/v1/families/ID", "", 404},
    {"DELETE", "/v1/families/ID", "", 404},
    {"PUT", "/v1/families/ID", family_body, 422},
    {"GET", "/v1/contacts/ID", "", 404},
    {"DELETE", "/v1/contacts/ID", "", 404},
    {"PUT", "/v1/contacts/ID",
     R"({"name":"Food bank","language":"es","kind":"partner","email":"a@example.org"})", 422},
    {"GET", "/v1/conversations?family_id=ID", "", 422},
    {"GET", "/v1/messages/ID", "", 404},
    {"GET", "/v1/announcements/ID", "", 404},
    {"POST", "/v1/announcements/ID/cancel", "", 404},
    {"GET", "/v1/interpreters/ID", "", 404},
    {"PUT", "/v1/interpreters/ID", R"({"name":"Ana","languages":["es"],"phone":"+12025550150"})",
     422},
    {"GET", "/v1/interpretation-requests/ID", "", 404},
    {"PATCH", "/v1/interpretation-requests/ID", R"({"state":"cancelled"})", 404},
    {"POST", "/v1/providers/webhook/ID/status", R"({"delivery_id":"d","status":"delivered"})", 404},
    {"POST", "/v1/providers/webhook/ID/inbound", R"({"from":"+12025550143","text":"hi"})", 404},
};

std::string with_id(std::string target, const std::string& id) {
  return target.replace(target.find("ID"), 2, id);
}

TEST_F(bad_input_test, hostile_ids_are_refused_before_they_reach_a_redis_key) {
  redis_monitor monitor(redis_.socket_path());
  for (const auto& route : routes) {
    for (const auto& hostile : hostile_ids) {
      SCOPED_TRACE(route.method + " " + route.target + " with " + hostile.what);
      const bool in_query = route.target.find('?') != std::string::npos;
      const unsigned want = hostile.has_slash && !in_query ? 404u : route.status;
      const auto reply = api(route.method, with_id(route.target, hostile.id), route.body);
      const auto problem = expect_problem(reply, want);
      if (want == 422) {
        EXPECT_THAT(problem_fields(problem), ::testing::Contains(in_query ? "family_id" : "id"))
            << reply.body;
      }
    }
  }
  redis_.cli({"ECHO", "end-of-hostile-ids"});
  const auto commands = monitor.read_until("end-of-hostile-ids");
  EXPECT_EQ(commands.find("zq"), std::string::npos)
      << "a hostile id reached Redis:\n"
      << commands.substr(commands.find("zq") > 300 ? commands.find("zq") - 300 : 0, 600);
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, dot_segments_never_climb_out_of_a_route) {
  for (const std::string target :
       {"/v1/families/..", "/v1/families/%2E%2E", "/v1/families/../../readyz",
        "/v1/families/..%2F..%2Freadyz", "/v1/families/.%2E/contacts/x", "/v1/messages/./x"}) {
    SCOPED_TRACE(target);
    const auto reply = api("GET", target, "");
    expect_problem(reply, 404);
  }
  expect_nothing_written_and_daemon_healthy();
}

TEST_F(bad_input_test, an_interpreter_id_cannot_name_another_interpreters_language_set) {
  // Before interpreter ids excluded ':', "a:languages" overwrote interpreter a's language set.
  ASSERT_EQ(api("PUT", "/v1/interpreters/a",
                R"({"name":"Ana","languages":["es"],"phone":"+12025550150"})")
                .status,
            201u);
  const auto reply = api("PUT", "/v1/interpreters/a:languages",
                         R"({"name":"Eve","languages":["fr"],"phone":"+12025550151"})");
  EXPECT_THAT(problem_fields(expect_problem(reply, 422)), ::testing::Contains("id"));
  EXPECT_EQ(redis_.cli({"TYPE", "liaison:{i}:interpreter:a:languages"}), "set");
  EXPECT_EQ(api("GET", "/v1/interpreters/a:languages", "").status, 404u);
  EXPECT_EQ(api("PUT", "/v1/interpreters/a",
                R"({"name":"Ana","languages":["es","pt"],"phone":"+12025550150"})")
                .status,
            200u);
}

}  // namespace
}  // namespace liaison::testing
