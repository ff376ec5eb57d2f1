#include "daemon/http/router.hpp"

#include <gtest/gtest.h>

namespace liaison::http {
namespace {

boost::asio::awaitable<response> nothing(request_context&) {
  co_return response{};
}

TEST(router, matches_literal_paths_and_captures_parameters) {
  router r;
  r.add(verb::get, "/v1/messages/{id}", access_rule::any_key(), nothing);
  const auto m = r.match(verb::get, "/v1/messages/msg_123");
  ASSERT_NE(m.matched, nullptr);
  EXPECT_EQ(m.matched->pattern, "/v1/messages/{id}");
  EXPECT_EQ(m.params.at("id"), "msg_123");
}

TEST(router, does_not_match_an_empty_parameter_or_extra_segments) {
  router r;
  r.add(verb::get, "/v1/messages/{id}", access_rule::any_key(), nothing);
  EXPECT_EQ(r.match(verb::get, "/v1/messages/").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/v1/messages/a/b").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/v1/messages").matched, nullptr);
}

TEST(router, reports_the_allowed_methods_when_only_the_method_differs) {
  router r;
  r.add(verb::post, "/v1/messages", access_rule::any_key(), nothing);
  const auto m = r.match(verb::delete_, "/v1/messages");
  EXPECT_EQ(m.matched, nullptr);
  ASSERT_EQ(m.allowed.size(), 1u);
  EXPECT_EQ(m.allowed[0], verb::post);
}

TEST(router, unknown_path_has_no_match_and_no_allowed_methods) {
  router r;
  r.add(verb::get, "/healthz", access_rule::anyone(), nothing);
  const auto m = r.match(verb::get, "/nope");
  EXPECT_EQ(m.matched, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(router, a_rest_parameter_takes_one_or_more_non_empty_segments) {
  router r;
  r.add(verb::get, "/console/{path...}", access_rule::anyone(), nothing);
  const auto deep = r.match(verb::get, "/console/assets/js/app.js");
  ASSERT_NE(deep.matched, nullptr);
  EXPECT_EQ(deep.params.at("path"), "assets/js/app.js");
  EXPECT_EQ(r.match(verb::get, "/console/index.html").params.at("path"), "index.html");
  EXPECT_EQ(r.match(verb::get, "/console").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/console/").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/console/assets/").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/console/assets//app.js").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "/consoles/app.js").matched, nullptr);
}

TEST(router, the_root_and_trailing_slashes_are_their_own_paths) {
  router r;
  r.add(verb::get, "/", access_rule::anyone(), nothing);
  r.add(verb::get, "/v1/messages", access_rule::anyone(), nothing);
  EXPECT_EQ(r.match(verb::get, "/").matched->pattern, "/");
  EXPECT_EQ(r.match(verb::get, "/v1/messages").matched->pattern, "/v1/messages");
  EXPECT_EQ(r.match(verb::get, "/v1/messages/").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "//").matched, nullptr);
  EXPECT_EQ(r.match(verb::get, "v1/messages").matched, nullptr);
}

TEST(router, parameters_are_captured_only_for_the_route_that_matches) {
  router r;
  r.add(verb::post, "/v1/families/{id}", access_rule::any_key(), nothing);
  r.add(verb::get, "/v1/families/{family}", access_rule::any_key(), nothing);
  const auto m = r.match(verb::get, "/v1/families/fam-7");
  ASSERT_NE(m.matched, nullptr);
  EXPECT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params.at("family"), "fam-7");
}

TEST(access_rule, role_list_limits_who_may_call) {
  const auto admins = access_rule::roles_only({config::role::admin});
  EXPECT_TRUE(admins.allows(config::role::admin));
  EXPECT_FALSE(admins.allows(config::role::school));
  EXPECT_TRUE(access_rule::any_key().allows(config::role::school));
}

}  // namespace
}  // namespace liaison::http
