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

TEST(access_rule, role_list_limits_who_may_call) {
  const auto admins = access_rule::roles_only({config::role::admin});
  EXPECT_TRUE(admins.allows(config::role::admin));
  EXPECT_FALSE(admins.allows(config::role::school));
  EXPECT_TRUE(access_rule::any_key().allows(config::role::school));
}

}  // namespace
}  // namespace liaison::http
