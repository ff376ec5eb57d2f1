// [translation]: the machine translation service, its secrets from files, and every mistake
// reported with its key path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using testing::error_at;

constexpr std::string_view provider = R"(
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["sms"]
directory = "outbox"
)";

load_result load_with(std::string_view extra, const std::filesystem::path& base = "/etc/liaison") {
  return load_config_string(std::string(provider) + std::string(extra), base);
}

TEST(translation_config, is_off_by_default_with_a_thirty_day_cache) {
  const auto result = load_with("");
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->translation.provider, translation_kind::none);
  EXPECT_EQ(result.config->translation.cache_ttl, std::chrono::hours(24 * 30));
  EXPECT_EQ(result.config->translation.timeout, 10s);
}

TEST(translation_config, reads_an_apertium_server) {
  const auto result = load_with(R"(
[translation]
provider = "apertium"
url = "http://127.0.0.1:2737"
timeout = "3s"
cache_ttl = "24h"
max_response_bytes = "256KiB"
max_concurrent_requests = 2
)");
  ASSERT_TRUE(result.config) << result.errors.front().key_path << ": "
                             << result.errors.front().message;
  const auto& t = result.config->translation;
  EXPECT_EQ(t.provider, translation_kind::apertium);
  EXPECT_EQ(t.url, "http://127.0.0.1:2737");
  EXPECT_EQ(t.timeout, 3s);
  EXPECT_EQ(t.cache_ttl, 24h);
  EXPECT_EQ(t.max_response_bytes, 256u * 1024u);
  EXPECT_EQ(t.max_concurrent_requests, 2u);
}

TEST(translation_config, google_takes_its_key_from_a_file_and_has_a_default_url) {
  const auto dir = std::filesystem::temp_directory_path() / "liaison-translation-config-test";
  testing::write_file(dir / "google-key", "AIza-test-key\n");
  const auto result = load_with(R"(
[translation]
provider = "google"
api_key_file = "google-key"
)",
                                dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->translation.api_key, "AIza-test-key");
  EXPECT_EQ(result.config->translation.url, "https://translation.googleapis.com");
}

TEST(translation_config, mistakes_are_reported_with_their_key_path) {
  const auto result = load_with(R"(
[translation]
provider = "deepl"
api_key = "secret-in-the-file"
timeout = 10
cache_tl = "1h"
)");
  ASSERT_FALSE(result.config);
  EXPECT_THAT(result.errors, Contains(error_at("translation.provider", "unknown value \"deepl\"")));
  EXPECT_THAT(result.errors, Contains(error_at("translation.api_key", "api_key_file")));
  EXPECT_THAT(result.errors, Contains(error_at("translation.timeout", "needs a unit")));
  EXPECT_THAT(result.errors, Contains(error_at("translation.cache_tl", "cache_ttl")));
}

TEST(translation_config, a_server_provider_needs_its_url_and_google_its_key) {
  const auto apertium = load_with("[translation]\nprovider = \"libretranslate\"\n");
  ASSERT_FALSE(apertium.config);
  EXPECT_THAT(apertium.errors, Contains(error_at("translation.url", "missing required key")));
  const auto google = load_with("[translation]\nprovider = \"google\"\n");
  ASSERT_FALSE(google.config);
  EXPECT_THAT(google.errors,
              Contains(error_at("translation.api_key_file", "missing required key")));
  const auto bad_url = load_with("[translation]\nprovider = \"apertium\"\nurl = \"ftp://x\"\n");
  ASSERT_FALSE(bad_url.config);
  EXPECT_THAT(bad_url.errors, Contains(error_at("translation.url", "scheme")));
}

}  // namespace
}  // namespace liaison::config
