// The sample configurations shipped in config/ stay valid: dev.toml loads as is, and
// liaison.toml loads once its systemd credentials exist.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "support/crypto.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::scoped_env;
using ::testing::SizeIs;
using testing::write_file;

std::filesystem::path config_dir() {
  return std::filesystem::path(LIAISON_SOURCE_DIR) / "config";
}

TEST(dev_toml, loads_without_errors) {
  EXPECT_THAT(load_config_file(config_dir() / "dev.toml").errors, IsEmpty());
}

TEST(dev_toml, describes_the_demo_district_on_localhost) {
  const auto config = load_config_file(config_dir() / "dev.toml").config.value();
  EXPECT_EQ(config.district.name, "Demo District");
  EXPECT_EQ(config.http.listen_address, "127.0.0.1");
  EXPECT_EQ(config.http.port, 8080);
  EXPECT_EQ(config.logging.level, "info");
}

TEST(dev_toml, uses_a_redis_socket_and_an_outbox_under_the_source_tree) {
  const auto config = load_config_file(config_dir() / "dev.toml").config.value();
  const auto var = std::filesystem::path(LIAISON_SOURCE_DIR).lexically_normal() / "var";
  EXPECT_EQ(config.redis.unix_socket, (var / "run" / "redis.sock").string());
  ASSERT_THAT(config.providers, SizeIs(1));
  const auto& outbox = config.providers[0];
  EXPECT_EQ(outbox.name, "outbox");
  EXPECT_EQ(outbox.kind, provider_kind::outbox);
  EXPECT_THAT(outbox.channels, ElementsAre(channel::sms, channel::email, channel::voice));
  EXPECT_EQ(outbox.outbox_directory, var / "outbox");
}

TEST(dev_toml, has_the_documented_demo_api_keys) {
  const auto config = load_config_file(config_dir() / "dev.toml").config.value();
  ASSERT_THAT(config.auth.api_keys, SizeIs(2));
  const auto& admin = config.auth.api_keys[0];
  EXPECT_EQ(admin.key_role, role::admin);
  EXPECT_EQ(admin.sha256_hex, sha256_hex("liaison-demo-key"));
  const auto& school = config.auth.api_keys[1];
  EXPECT_EQ(school.key_role, role::school);
  EXPECT_EQ(school.sha256_hex, sha256_hex("liaison-demo-school-key"));
  EXPECT_THAT(school.schools, ElementsAre("demo-elementary"));
}

TEST(liaison_toml, loads_when_its_credentials_exist) {
  liaison::testing::temp_dir credentials;
  write_file(credentials.path() / "liaison_redis-password", "redis-secret\n");
  write_file(credentials.path() / "liaison_twilio-auth-token", "twilio-secret\n");
  write_file(credentials.path() / "liaison_smtp-password", "smtp-secret\n");
  const scoped_env env("CREDENTIALS_DIRECTORY", credentials.path().string());

  const auto result = load_config_file(config_dir() / "liaison.toml");
  ASSERT_THAT(result.errors, IsEmpty());
  const auto& config = *result.config;
  EXPECT_EQ(config.redis.unix_socket, "/run/redis/redis-server.sock");
  EXPECT_EQ(config.redis.password, "redis-secret");
  ASSERT_THAT(config.providers, SizeIs(2));
  EXPECT_EQ(config.providers[0].kind, provider_kind::twilio);
  EXPECT_THAT(config.providers[0].channels, ElementsAre(channel::sms, channel::voice));
  EXPECT_EQ(config.providers[0].secrets.at("auth_token"), "twilio-secret");
  EXPECT_EQ(config.providers[1].kind, provider_kind::smtp);
  EXPECT_EQ(config.providers[1].secrets.at("password"), "smtp-secret");
  EXPECT_THAT(config.auth.api_keys, SizeIs(2));
}

TEST(liaison_toml, fails_only_on_its_credentials_without_systemd) {
  const scoped_env env("CREDENTIALS_DIRECTORY", std::nullopt);
  const auto errors = load_config_file(config_dir() / "liaison.toml").errors;
  EXPECT_THAT(errors, Not(IsEmpty()));
  EXPECT_THAT(errors, Each(Field(&config_error::message, HasSubstr("CREDENTIALS_DIRECTORY"))));
}

}  // namespace
}  // namespace liaison::config
