// The console's files: what is loaded at start (and what is refused), and the answers served
// from memory: content types, cache headers, the CSP, ETags, 404 for anything not loaded.
#include "daemon/http/static_files.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <fstream>

#include "daemon/http/router.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::http {
namespace {

namespace fs = std::filesystem;
using field = boost::beast::http::field;

void write(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

class static_files_test : public ::testing::Test {
 protected:
  void SetUp() override {
    write(site() / "index.html", "<!doctype html><title>Liaison</title>");
    write(site() / "assets" / "index-Dg8HfixX.js", "console.log('hi');");
    write(site() / "assets" / "index-CIvRM_qM.css", "body{margin:0}");
    write(site() / "favicon.svg", "<svg/>");
  }

  fs::path site() const { return dir_.path() / "console"; }

  static_site load(const static_limits& limits = {}) const {
    auto loaded = static_site::load(site(), limits);
    if (!loaded.site) {
      throw std::runtime_error(loaded.error);
    }
    return std::move(*loaded.site);
  }

  static request get(std::string target, verb method = verb::get) {
    return request{method, target, 11};
  }

  testing::temp_dir dir_;
};

TEST_F(static_files_test, loads_every_file_with_its_content_type) {
  const auto site = load();
  EXPECT_EQ(site.file_count(), 4u);
  ASSERT_NE(site.find("assets/index-Dg8HfixX.js"), nullptr);
  EXPECT_EQ(site.find("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(site.find("assets/index-Dg8HfixX.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(site.find("assets/index-CIvRM_qM.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(site.find("favicon.svg")->content_type, "image/svg+xml");
  EXPECT_EQ(content_type_for("data.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_EQ(content_type_for("PAGE.HTML"), "text/html; charset=utf-8");
}

TEST_F(static_files_test, only_hashed_assets_are_immutable) {
  const auto site = load();
  EXPECT_TRUE(site.find("assets/index-Dg8HfixX.js")->immutable);
  EXPECT_FALSE(site.find("index.html")->immutable);
  EXPECT_FALSE(site.find("favicon.svg")->immutable);
}

TEST_F(static_files_test, skips_hidden_files_and_symbolic_links) {
  write(site() / ".env", "SECRET=1");
  write(site() / ".git" / "config", "[core]");
  write(dir_.path() / "outside.txt", "not part of the console");
  fs::create_symlink(dir_.path() / "outside.txt", site() / "outside.txt");
  fs::create_directory_symlink(dir_.path(), site() / "up");
  const auto site = load();
  EXPECT_EQ(site.file_count(), 4u);
  EXPECT_EQ(site.find(".env"), nullptr);
  EXPECT_EQ(site.find(".git/config"), nullptr);
  EXPECT_EQ(site.find("outside.txt"), nullptr);
  EXPECT_EQ(site.find("up/outside.txt"), nullptr);
}

TEST_F(static_files_test, refuses_a_missing_folder_a_folder_without_index_and_too_much) {
  auto missing = static_site::load(dir_.path() / "nowhere");
  EXPECT_FALSE(missing.site);
  EXPECT_NE(missing.error.find("is not a folder"), std::string::npos) << missing.error;

  fs::remove(site() / "index.html");
  auto no_index = static_site::load(site());
  EXPECT_FALSE(no_index.site);
  EXPECT_NE(no_index.error.find("no index.html"), std::string::npos) << no_index.error;
  write(site() / "index.html", "<!doctype html>");

  auto too_many = static_site::load(site(), {3, 1024, 4096});
  EXPECT_FALSE(too_many.site);
  EXPECT_NE(too_many.error.find("more than 3 files"), std::string::npos) << too_many.error;

  auto too_large = static_site::load(site(), {100, 16, 4096});
  EXPECT_FALSE(too_large.site);
  EXPECT_NE(too_large.error.find("larger than 16 bytes"), std::string::npos) << too_large.error;

  auto too_much = static_site::load(site(), {100, 1024, 40});
  EXPECT_FALSE(too_much.site);
  EXPECT_NE(too_much.error.find("more than 40 bytes"), std::string::npos) << too_much.error;
}

TEST_F(static_files_test, serves_index_with_no_cache_and_the_strict_policy) {
  const auto site = load();
  const auto res = serve_static(site, "", get("/console/"));
  EXPECT_EQ(res.result(), status::ok);
  EXPECT_EQ(res.body(), "<!doctype html><title>Liaison</title>");
  EXPECT_EQ(res[field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res[field::cache_control], "no-cache");
  EXPECT_EQ(res["Content-Security-Policy"], console_content_security_policy);
  EXPECT_NE(res["Content-Security-Policy"].find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(res[field::content_length], std::to_string(res.body().size()));
}

TEST_F(static_files_test, serves_hashed_assets_for_a_year) {
  const auto site = load();
  const auto res = serve_static(site, "assets/index-Dg8HfixX.js", get("/console/assets/x.js"));
  EXPECT_EQ(res.result(), status::ok);
  EXPECT_EQ(res[field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(res[field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res.body(), "console.log('hi');");
}

TEST_F(static_files_test, answers_304_when_the_etag_matches) {
  const auto site = load();
  const auto first = serve_static(site, "index.html", get("/console/"));
  const std::string etag(first[field::etag]);
  ASSERT_FALSE(etag.empty());
  auto again = get("/console/");
  again.set(field::if_none_match, "\"other\", W/" + etag);
  const auto res = serve_static(site, "index.html", again);
  EXPECT_EQ(res.result(), status::not_modified);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[field::etag], etag);
  auto changed = get("/console/");
  changed.set(field::if_none_match, "\"other\"");
  EXPECT_EQ(serve_static(site, "index.html", changed).result(), status::ok);
}

TEST_F(static_files_test, head_has_the_length_and_no_body) {
  const auto site = load();
  const auto res = serve_static(site, "favicon.svg", get("/console/favicon.svg", verb::head));
  EXPECT_EQ(res.result(), status::ok);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[field::content_length], "6");
}

TEST_F(static_files_test, anything_not_loaded_is_404_with_the_policy) {
  const auto site = load();
  for (const char* path : {"../outside.txt", "assets/../index.html", "nope.js", "assets",
                           "/etc/passwd", "index.html/"}) {
    const auto res = serve_static(site, path, get("/console/x"));
    EXPECT_EQ(res.result(), status::not_found) << path;
    EXPECT_EQ(res["Content-Security-Policy"], console_content_security_policy) << path;
  }
}

boost::asio::awaitable<response> nothing(request_context&) {
  co_return response{};
}

TEST(router_rest_parameter, takes_the_rest_of_the_path) {
  router r;
  r.add(verb::get, "/console/{path...}", access_rule::anyone(), nothing);
  const auto m = r.match(verb::get, "/console/assets/app.js");
  ASSERT_NE(m.matched, nullptr);
  EXPECT_EQ(m.params.at("path"), "assets/app.js");
  EXPECT_EQ(r.match(verb::get, "/console/index.html").params.at("path"), "index.html");
  EXPECT_EQ(r.match(verb::get, "/console/").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/console").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/console/a//b").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/other/a").matched, nullptr);
}

}  // namespace
}  // namespace liaison::http
