#include "daemon/http/auth.hpp"

#include <gtest/gtest.h>

#include "support/crypto.hpp"

namespace liaison::http {
namespace {

authenticator make_authenticator() {
  return authenticator(
      {{"office", sha256_hex("office-key"), config::role::coordinator, {}},
       {"lincoln", sha256_hex("lincoln-key"), config::role::school, {"lincoln-es"}}});
}

TEST(authenticator, bearer_token_matching_a_stored_hash_gives_its_role) {
  const auto result = make_authenticator().authenticate("Bearer lincoln-key");
  ASSERT_TRUE(result.caller);
  EXPECT_EQ(result.caller->key_name, "lincoln");
  EXPECT_EQ(result.caller->role, config::role::school);
}

TEST(authenticator, scheme_is_case_insensitive) {
  EXPECT_TRUE(make_authenticator().authenticate("bearer office-key").caller);
}

TEST(authenticator, missing_malformed_and_unknown_credentials_are_told_apart) {
  const auto a = make_authenticator();
  EXPECT_EQ(a.authenticate("").failure, auth_failure::missing_credentials);
  EXPECT_EQ(a.authenticate("Basic b2ZmaWNl").failure, auth_failure::malformed_credentials);
  EXPECT_EQ(a.authenticate("Bearer wrong").failure, auth_failure::unknown_key);
  EXPECT_FALSE(a.authenticate("Bearer office-key ").caller);
}

TEST(principal, school_key_acts_only_for_its_schools) {
  const principal school{"lincoln", config::role::school, {"lincoln-es"}};
  EXPECT_TRUE(school.may_act_for_school("lincoln-es"));
  EXPECT_FALSE(school.may_act_for_school("washington-ms"));
  const principal coordinator{"office", config::role::coordinator, {}};
  EXPECT_TRUE(coordinator.may_act_for_school("washington-ms"));
}

}  // namespace
}  // namespace liaison::http
