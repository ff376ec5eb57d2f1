// The console as liaisond serves it over real HTTP: files loaded at start with their types,
// cache headers and the strict CSP; nothing outside them (traversal, hidden files, links); a
// missing folder leaves the API running; GET /v1/me tells the console who the key is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* coordinator_key = "console-coordinator-key";
constexpr const char* school_key = "console-school-key";
constexpr const char* policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void write(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

class console_test : public ::testing::Test {
 protected:
  void start(const fs::path& console_dir) {
    liaisond_config(port_, redis_.socket_path())
        .district(
            "name = \"Test District\"\ndefault_language = \"en\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n"
            "parks-ms = { name = \"Parks Middle\", language = \"es\" }\n")
        .http("console_dir = \"" + console_dir.string() + "\"\n")
        .api_key("office", "coordinator", coordinator_key)
        .api_key("parks", "school", school_key, {"parks-ms"})
        .outbox(dir_.path(), {"sms"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  fs::path site() const { return dir_.path() / "console"; }

  void write_site() {
    write(site() / "index.html",
          "<!doctype html><script type=\"module\" src=\"/console/assets/app-1a2b3c.js\">"
          "</script>");
    write(site() / "assets" / "app-1a2b3c.js", "document.title = 'Liaison';");
    write(site() / "assets" / "app-4d5e6f.css", "body { margin: 0 }");
    write(site() / ".secret", "not served");
    write(dir_.path() / "outside.txt", "outside the console");
    fs::create_symlink(dir_.path() / "outside.txt", site() / "linked.txt");
  }

  http_reply get(const std::string& target, std::map<std::string, std::string> headers = {}) {
    return send_http(port_, {"GET", target, "", std::move(headers)});
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(console_test, serves_the_built_files_with_types_caching_and_the_policy) {
  write_site();
  start(site());

  const auto index = get("/console/");
  ASSERT_EQ(index.status, 200u) << index.body;
  EXPECT_THAT(index.body, HasSubstr("/console/assets/app-1a2b3c.js"));
  EXPECT_EQ(index.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.headers.at("cache-control"), "no-cache");
  EXPECT_EQ(index.headers.at("content-security-policy"), policy);
  EXPECT_EQ(index.headers.at("x-content-type-options"), "nosniff");

  const auto script = get("/console/assets/app-1a2b3c.js");
  ASSERT_EQ(script.status, 200u);
  EXPECT_EQ(script.body, "document.title = 'Liaison';");
  EXPECT_EQ(script.headers.at("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.headers.at("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(script.headers.at("content-security-policy"), policy);

  const auto style = get("/console/assets/app-4d5e6f.css");
  EXPECT_EQ(style.headers.at("content-type"), "text/css; charset=utf-8");

  const auto revalidated =
      get("/console/index.html", {{"If-None-Match", index.headers.at("etag")}});
  EXPECT_EQ(revalidated.status, 304u);

  const auto bare = get("/console");
  EXPECT_EQ(bare.status, 301u);
  EXPECT_EQ(bare.headers.at("location"), "/console/");
}

TEST_F(console_test, serves_nothing_but_the_files_loaded_at_start) {
  write_site();
  start(site());
  // Written after start: not served (only what was loaded at start exists).
  write(site() / "later.js", "alert(1)");
  for (const char* target :
       {"/console/../liaison.toml", "/console/%2e%2e/liaison.toml",
        "/console/assets/../../liaison.toml", "/console/..%2fliaison.toml", "/console/.secret",
        "/console/linked.txt", "/console/later.js", "/console/assets/", "/console/nope.html"}) {
    const auto reply = get(target);
    EXPECT_EQ(reply.status, 404u) << target << ": " << reply.body;
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("outside the console"))) << target;
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("[redis]"))) << target;
  }
  EXPECT_EQ(send_http(port_, {"POST", "/console/index.html", "", {}}).status, 405u);
}

TEST_F(console_test, a_missing_folder_turns_the_console_off_and_the_api_still_runs) {
  start(dir_.path() / "not-built");
  EXPECT_EQ(get("/console/").status, 404u);
  EXPECT_EQ(get("/healthz").status, 200u);
  EXPECT_THAT(daemon_->log(), HasSubstr("console off"));
  EXPECT_EQ(call_api(port_, "GET", "/v1/me", "", coordinator_key).status, 200u);
}

TEST_F(console_test, me_tells_the_key_name_role_and_schools) {
  write_site();
  start(site());
  const auto office = call_api(port_, "GET", "/v1/me", "", coordinator_key);
  ASSERT_EQ(office.status, 200u) << office.body;
  const auto o = boost::json::parse(office.body);
  EXPECT_EQ(o.at("name"), "office");
  EXPECT_EQ(o.at("role"), "coordinator");
  EXPECT_EQ(o.at("district").at("name"), "Test District");
  EXPECT_EQ(o.at("district").at("default_language"), "en");
  ASSERT_EQ(o.at("district").at("schools").as_array().size(), 2u);
  EXPECT_EQ(o.at("district").at("schools").at(0).at("id"), "lincoln-es");
  EXPECT_EQ(o.at("district").at("schools").at(0).at("name"), "Lincoln Elementary");

  const auto school = call_api(port_, "GET", "/v1/me", "", school_key);
  ASSERT_EQ(school.status, 200u) << school.body;
  const auto s = boost::json::parse(school.body);
  EXPECT_EQ(s.at("role"), "school");
  EXPECT_EQ(s.at("schools"), boost::json::parse(R"(["parks-ms"])"));
  ASSERT_EQ(s.at("district").at("schools").as_array().size(), 1u);
  EXPECT_EQ(s.at("district").at("schools").at(0).at("name"), "Parks Middle");
  EXPECT_EQ(s.at("district").at("schools").at(0).at("language"), "es");

  EXPECT_EQ(call_api(port_, "GET", "/v1/me", "", "wrong-key").status, 401u);
  EXPECT_EQ(get("/v1/me").status, 401u);
}

}  // namespace
}  // namespace liaison::testing
