// load_config_string / load_config_file: values land in the right fields, and every mistake is
// reported with its key path.
#include "config/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAre;
using testing::error_at;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using testing::scoped_env;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using testing::write_file;

// The smallest valid file: one provider is required.
constexpr std::string_view minimal_provider = R"(
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["sms"]
directory = "outbox"
)";

load_result load(std::string_view text, const std::filesystem::path& base = "/etc/liaison") {
  return load_config_string(text, base);
}

// `extra` followed by the minimal provider (tables only, so their order does not matter).
load_result load_with(std::string_view extra) {
  return load(std::string(extra) + std::string(minimal_provider));
}

liaison_config load_ok(std::string_view text, const std::filesystem::path& base = "/etc/liaison") {
  auto result = load(text, base);
  EXPECT_THAT(result.errors, IsEmpty());
  return result.config.value_or(liaison_config{});
}

// --- values -----------------------------------------------------------------------------------

TEST(load_config, minimal_file_takes_every_default) {
  const auto config = load_ok(minimal_provider);
  const liaison_config defaults;
  EXPECT_EQ(config.district.name, defaults.district.name);
  EXPECT_EQ(config.http.port, 8080);
  EXPECT_EQ(config.http.read_timeout, 30s);
  EXPECT_FALSE(config.http.reuse_port);
  EXPECT_EQ(config.redis.host, "127.0.0.1");
  EXPECT_EQ(config.redis.command_timeout, 5s);
  EXPECT_EQ(config.workers.batch_size, 16U);
  EXPECT_EQ(config.workers.max_in_flight, 256U);
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_EQ(config.shutdown.drain_timeout, 20s);
  EXPECT_THAT(config.auth.api_keys, IsEmpty());
}

TEST(load_config, reads_every_plain_table_into_its_struct) {
  const auto config = load_ok(std::string(R"(
[district]
name = "Riverside USD"
default_language = "es-MX"
time_zone = "America/Chicago"

[http]
listen_address = "::"
port = 9090
public_url = "https://liaison.example.org"
max_body_bytes = 2048
read_timeout = "10s"
idle_timeout = "1m"
max_connections = 50
reuse_port = true

[redis]
host = "redis.internal"
port = 6380
username = "liaison"
database = 3
key_prefix = "lsn"
connect_timeout = "1s"
command_timeout = "3s"
reconnect_min_delay = "50ms"
reconnect_max_delay = "10s"
health_check_interval = "15s"

[workers]
consumer_name = "worker-a"
batch_size = 64
max_in_flight = 8
block_timeout = "500ms"

[logging]
level = "debug"
sink = "journald"

[shutdown]
drain_timeout = "1m30s"
)") + std::string(minimal_provider));

  EXPECT_EQ(config.district.name, "Riverside USD");
  EXPECT_EQ(config.district.default_language, "es-MX");
  EXPECT_EQ(config.district.time_zone, "America/Chicago");
  EXPECT_EQ(config.http.listen_address, "::");
  EXPECT_EQ(config.http.port, 9090);
  EXPECT_EQ(config.http.public_url, "https://liaison.example.org");
  EXPECT_EQ(config.http.max_body_bytes, 2048U);
  EXPECT_EQ(config.http.read_timeout, 10s);
  EXPECT_EQ(config.http.idle_timeout, 1min);
  EXPECT_EQ(config.http.max_connections, 50U);
  EXPECT_TRUE(config.http.reuse_port);
  EXPECT_EQ(config.redis.host, "redis.internal");
  EXPECT_EQ(config.redis.port, 6380);
  EXPECT_EQ(config.redis.username, "liaison");
  EXPECT_EQ(config.redis.database, 3);
  EXPECT_EQ(config.redis.key_prefix, "lsn");
  EXPECT_EQ(config.redis.connect_timeout, 1s);
  EXPECT_EQ(config.redis.command_timeout, 3s);
  EXPECT_EQ(config.redis.reconnect_min_delay, 50ms);
  EXPECT_EQ(config.redis.reconnect_max_delay, 10s);
  EXPECT_EQ(config.redis.health_check_interval, 15s);
  EXPECT_EQ(config.workers.consumer_name, "worker-a");
  EXPECT_EQ(config.workers.batch_size, 64U);
  EXPECT_EQ(config.workers.max_in_flight, 8U);
  EXPECT_EQ(config.workers.block_timeout, 500ms);
  EXPECT_EQ(config.logging.level, "debug");
  EXPECT_EQ(config.logging.sink, log_sink::journald);
  EXPECT_EQ(config.shutdown.drain_timeout, 90s);
}

TEST(load_config, max_body_bytes_accepts_a_size_with_unit) {
  EXPECT_EQ(
      load_ok(std::string("[http]\nmax_body_bytes = \"512KiB\"\n") + std::string(minimal_provider))
          .http.max_body_bytes,
      512U * 1024U);
}

TEST(load_config, public_url_loses_its_trailing_slash) {
  // Paths are appended to it when building callback URLs.
  EXPECT_EQ(load_ok(std::string("[http]\npublic_url = \"https://a.example/\"\n") +
                    std::string(minimal_provider))
                .http.public_url,
            "https://a.example");
}

TEST(load_config, console_dir_is_resolved_from_the_config_folder_and_may_be_off) {
  EXPECT_EQ(liaison_config{}.http.console_dir, "/usr/share/liaison/console");
  EXPECT_EQ(load_ok(std::string("[http]\nconsole_dir = \"../build/console\"\n") +
                        std::string(minimal_provider),
                    "/src/config")
                .http.console_dir,
            "/src/build/console");
  // A folder that does not exist is no error: liaisond then runs without the console.
  EXPECT_EQ(load_ok(std::string("[http]\nconsole_dir = \"/nowhere/console\"\n") +
                    std::string(minimal_provider))
                .http.console_dir,
            "/nowhere/console");
  EXPECT_TRUE(load_ok(std::string("[http]\nconsole_dir = \"\"\n") + std::string(minimal_provider))
                  .http.console_dir.empty());
}

TEST(load_config, reads_providers_in_order_with_settings) {
  const auto config = load_ok(R"(
[[providers]]
name = "mail"
kind = "smtp"
channels = ["email"]
base_url = "smtp://mail.example.org:587"
rate_per_second = 2.5
request_timeout = "30s"
from = "School <no-reply@example.org>"
username = "liaison"

[[providers]]
name = "files"
kind = "outbox"
channels = ["sms", "voice"]
directory = "/var/lib/liaison/outbox"
)");
  ASSERT_THAT(config.providers, SizeIs(2));
  const auto& mail = config.providers[0];
  EXPECT_EQ(mail.name, "mail");
  EXPECT_EQ(mail.kind, provider_kind::smtp);
  EXPECT_THAT(mail.channels, ElementsAre(channel::email));
  EXPECT_EQ(mail.base_url, "smtp://mail.example.org:587");
  EXPECT_DOUBLE_EQ(mail.rate_per_second, 2.5);
  EXPECT_EQ(mail.request_timeout, 30s);
  EXPECT_THAT(mail.settings, UnorderedElementsAre(Pair("from", "School <no-reply@example.org>"),
                                                  Pair("username", "liaison")));
  EXPECT_THAT(mail.secrets, IsEmpty());
  const auto& files = config.providers[1];
  EXPECT_EQ(files.kind, provider_kind::outbox);
  EXPECT_THAT(files.channels, ElementsAre(channel::sms, channel::voice));
  EXPECT_EQ(files.outbox_directory, "/var/lib/liaison/outbox");
}

TEST(load_config, reads_api_keys_with_hash_lowercased) {
  const auto config = load_with(R"(
[[auth.api_keys]]
name = "office"
sha256 = "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"
role = "admin"

[[auth.api_keys]]
name = "lincoln"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
role = "school"
schools = ["lincoln-es", "lincoln-ms"]
)")
                          .config.value();
  ASSERT_THAT(config.auth.api_keys, SizeIs(2));
  EXPECT_EQ(config.auth.api_keys[0].name, "office");
  EXPECT_EQ(config.auth.api_keys[0].sha256_hex,
            "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(config.auth.api_keys[0].key_role, role::admin);
  EXPECT_EQ(config.auth.api_keys[1].key_role, role::school);
  EXPECT_THAT(config.auth.api_keys[1].schools, ElementsAre("lincoln-es", "lincoln-ms"));
}

// --- errors, one kind per test ----------------------------------------------------------------

TEST(load_config, config_is_unset_when_there_are_errors) {
  const auto result = load_with("[http]\nport = 0\n");
  EXPECT_FALSE(result.config);
  EXPECT_THAT(result.errors, SizeIs(1));
}

TEST(load_config, reports_an_unknown_key_with_its_path_and_a_suggestion) {
  EXPECT_THAT(load_with("[http]\nprot = 1\n").errors,
              ElementsAre(error_at("http.prot", "unknown key (did you mean \"port\"?)")));
}

TEST(load_config, reports_an_unknown_table) {
  EXPECT_THAT(load_with("[metrics]\nenabled = true\n").errors,
              ElementsAre(error_at("metrics", "unknown table")));
}

TEST(load_config, reports_an_unknown_top_level_key) {
  EXPECT_THAT(load(std::string("verbose = true\n") + std::string(minimal_provider)).errors,
              ElementsAre(error_at("verbose", "unknown key")));
}

TEST(load_config, reports_a_wrong_type) {
  EXPECT_THAT(load_with("[http]\nport = \"80\"\n").errors,
              ElementsAre(error_at("http.port", "expected an integer, got a string")));
  EXPECT_THAT(load_with("[http]\nreuse_port = \"yes\"\n").errors,
              ElementsAre(error_at("http.reuse_port", "expected true or false, got a string")));
  EXPECT_THAT(load_with("[district]\nname = 5\n").errors,
              ElementsAre(error_at("district.name", "expected a string, got an integer")));
  EXPECT_THAT(load("http = 1\n" + std::string(minimal_provider)).errors,
              ElementsAre(error_at("http", "expected a table")));
}

TEST(load_config, reports_ports_out_of_range) {
  EXPECT_THAT(load_with("[http]\nport = 0\n").errors,
              ElementsAre(error_at("http.port", "out of range (1..65535)")));
  EXPECT_THAT(load_with("[redis]\nport = 65536\n").errors,
              ElementsAre(error_at("redis.port", "out of range (1..65535)")));
}

TEST(load_config, reports_a_duration_without_unit) {
  EXPECT_THAT(load_with("[http]\nread_timeout = 30\n").errors,
              ElementsAre(error_at("http.read_timeout", "duration needs a unit, e.g. \"30s\"")));
}

TEST(load_config, reports_a_malformed_or_zero_duration) {
  EXPECT_THAT(load_with("[workers]\nblock_timeout = \"2 seconds\"\n").errors,
              ElementsAre(error_at("workers.block_timeout")));
  EXPECT_THAT(load_with("[shutdown]\ndrain_timeout = \"0s\"\n").errors,
              ElementsAre(error_at("shutdown.drain_timeout", "longer than zero")));
}

TEST(load_config, reports_a_size_without_unit) {
  EXPECT_THAT(load_with("[http]\nmax_body_bytes = \"1024\"\n").errors,
              ElementsAre(error_at("http.max_body_bytes", "size needs a unit")));
}

TEST(load_config, reports_an_invalid_listen_address_and_public_url) {
  EXPECT_THAT(
      load_with("[http]\nlisten_address = \"localhost\"\npublic_url = \"example.org\"\n").errors,
      UnorderedElementsAre(error_at("http.listen_address", "IPv4 or IPv6"),
                           error_at("http.public_url", "not a valid URL")));
}

TEST(load_config, reports_an_invalid_language_tag) {
  EXPECT_THAT(load_with("[district]\ndefault_language = \"en_US\"\n").errors,
              ElementsAre(error_at("district.default_language", "BCP 47")));
}

TEST(load_config, reads_schools_as_names_or_tables) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "notices", "notice-secret\n");
  const auto config = load_ok(std::string(R"(
[district]
coordinator_email = "engagement@district.example.org"
[district.schools]
lincoln-es = "Lincoln Elementary"
roosevelt-ms = { name = "Roosevelt Middle", language = "es", reply_email = "office@roosevelt.example.org" }
[district.schools.washington-hs]
reply_email = "front.desk@washington.example.org"
reply_webhook = "https://sis.washington.example.org/liaison/replies"
[notices]
secret_file = "notices"
)") + std::string(minimal_provider),
                              dir.path());
  const auto& schools = config.district.schools;
  ASSERT_EQ(schools.size(), 3U);
  EXPECT_EQ(schools.at("lincoln-es"), (school_config{"Lincoln Elementary", "", "", "", ""}));
  EXPECT_EQ(schools.at("roosevelt-ms"),
            (school_config{"Roosevelt Middle", "es", "office@roosevelt.example.org", "", ""}));
  EXPECT_EQ(schools.at("washington-hs"),
            (school_config{"", "", "front.desk@washington.example.org",
                           "https://sis.washington.example.org/liaison/replies", ""}));
  EXPECT_EQ(config.district.coordinator_email, "engagement@district.example.org");
}

TEST(load_config, reports_bad_school_entries_with_their_paths) {
  const auto result = load_with(R"(
[district]
coordinator_email = "not an address"
[district.schools]
a = 7
b = { language = "es_MX", reply_email = "office", room = "12" }
)");
  EXPECT_THAT(result.errors,
              UnorderedElementsAre(error_at("district.coordinator_email", "not an email address"),
                                   error_at("district.schools.a", "expected the school's name"),
                                   error_at("district.schools.b.language", "not a BCP 47"),
                                   error_at("district.schools.b.reply_email", "not an email"),
                                   error_at("district.schools.b.room", "unknown key")));
}

TEST(load_config, reports_an_unknown_logging_level_and_sink) {
  EXPECT_THAT(load_with("[logging]\nlevel = \"verbose\"\nsink = \"syslog\"\n").errors,
              UnorderedElementsAre(error_at("logging.level", "unknown value \"verbose\""),
                                   error_at("logging.sink", "auto, stderr, journald")));
}

TEST(load_config, reports_reconnect_min_delay_above_max) {
  EXPECT_THAT(
      load_with("[redis]\nreconnect_min_delay = \"10s\"\nreconnect_max_delay = \"1s\"\n").errors,
      ElementsAre(error_at("redis.reconnect_min_delay", "reconnect_max_delay")));
}

TEST(load_config, reports_a_missing_providers_table) {
  EXPECT_THAT(load("[http]\nport = 80\n").errors,
              ElementsAre(error_at("providers", "[[providers]]")));
}

TEST(load_config, reports_an_empty_providers_array) {
  EXPECT_THAT(load("providers = []\n").errors, ElementsAre(error_at("providers", "[[providers]]")));
}

TEST(load_config, reports_providers_that_are_not_an_array_of_tables) {
  EXPECT_THAT(load("[providers]\nname = \"x\"\n").errors,
              ElementsAre(error_at("providers", "expected an array of tables ([[providers]])")));
}

TEST(load_config, reports_missing_required_provider_keys) {
  EXPECT_THAT(load("[[providers]]\nrate_per_second = 1\n").errors,
              UnorderedElementsAre(error_at("providers[0].name", "missing required key"),
                                   error_at("providers[0].kind", "missing required key"),
                                   error_at("providers[0].channels", "missing required key")));
}

TEST(load_config, reports_keys_a_kind_requires) {
  EXPECT_THAT(
      load("[[providers]]\nname = \"t\"\nkind = \"twilio\"\nchannels = [\"sms\"]\n").errors,
      UnorderedElementsAre(error_at("providers[0].base_url", "missing required key"),
                           error_at("providers[0].account_sid", "missing required key"),
                           error_at("providers[0].auth_token_file", "missing required key")));
  EXPECT_THAT(load("[[providers]]\nname = \"o\"\nkind = \"outbox\"\nchannels = [\"sms\"]\n").errors,
              ElementsAre(error_at("providers[0].directory", "missing required key")));
  // Kannel's delivery reports are authenticated by an HMAC in the dlr-url: a key is required.
  EXPECT_THAT(
      load("[[providers]]\nname = \"k\"\nkind = \"kannel\"\nchannels = [\"sms\"]\n"
           "base_url = \"http://127.0.0.1:13013\"\nusername = \"u\"\n")
          .errors,
      UnorderedElementsAre(error_at("providers[0].password_file", "missing required key"),
                           error_at("providers[0].dlr_secret_file", "missing required key")));
}

TEST(load_config, reports_an_unknown_provider_kind_and_channel) {
  EXPECT_THAT(load("[[providers]]\nname = \"p\"\nkind = \"pigeon\"\nchannels = [\"fax\"]\n").errors,
              UnorderedElementsAre(error_at("providers[0].kind", "unknown value \"pigeon\""),
                                   error_at("providers[0].channels[0]", "unknown value \"fax\"")));
}

TEST(load_config, reports_an_empty_channel_list) {
  EXPECT_THAT(load(R"(
[[providers]]
name = "o"
kind = "outbox"
channels = []
directory = "x"
)")
                  .errors,
              ElementsAre(error_at("providers[0].channels", "at least one channel")));
}

TEST(load_config, reports_a_channel_the_kind_cannot_send) {
  EXPECT_THAT(load(R"(
[[providers]]
name = "mail"
kind = "smtp"
channels = ["email", "sms"]
base_url = "smtp://mail.example.org"
from = "a@example.org"
)")
                  .errors,
              ElementsAre(error_at("providers[0].channels[1]", "cannot send sms")));
}

TEST(load_config, reports_an_invalid_base_url) {
  EXPECT_THAT(load(R"(
[[providers]]
name = "mail"
kind = "smtp"
channels = ["email"]
base_url = "https://mail.example.org"
from = "a@example.org"

[[providers]]
name = "hook"
kind = "webhook"
channels = ["sms"]
base_url = "::not a url::"
secret_file = "/dev/null"
)")
                  .errors,
              Contains(error_at("providers[0].base_url", "scheme must be smtp or smtps")));
  EXPECT_THAT(load(R"(
[[providers]]
name = "o"
kind = "outbox"
channels = ["sms"]
directory = "x"
base_url = "nope"
)")
                  .errors,
              ElementsAre(error_at("providers[0].base_url", "not a valid URL")));
}

TEST(load_config, reports_a_rate_that_is_not_positive) {
  EXPECT_THAT(load(std::string(minimal_provider) + "rate_per_second = 0\n").errors,
              ElementsAre(error_at("providers[0].rate_per_second", "greater than zero")));
}

TEST(load_config, reports_duplicate_provider_names) {
  EXPECT_THAT(
      load(std::string(minimal_provider) + std::string(minimal_provider)).errors,
      ElementsAre(error_at("providers[1].name", "duplicate provider name (also providers[0])")));
}

TEST(load_config, reports_a_directory_on_a_provider_that_is_not_an_outbox) {
  EXPECT_THAT(load(R"(
[[providers]]
name = "mail"
kind = "smtp"
channels = ["email"]
base_url = "smtp://mail.example.org"
from = "a@example.org"
directory = "/tmp"
)")
                  .errors,
              ElementsAre(error_at("providers[0].directory", "only outbox providers")));
}

TEST(load_config, reports_a_typo_of_a_provider_key_instead_of_taking_it_as_a_setting) {
  EXPECT_THAT(load(std::string(minimal_provider) + "request_timout = \"5s\"\n").errors,
              ElementsAre(error_at("providers[0].request_timout",
                                   "unknown key (did you mean \"request_timeout\"?)")));
}

TEST(load_config, reports_a_provider_setting_that_is_not_a_string) {
  EXPECT_THAT(load(std::string(minimal_provider) + "retries = 3\n").errors,
              ElementsAre(error_at("providers[0].retries", "unknown key")));
}

TEST(load_config, reports_an_api_key_hash_that_is_not_64_hex_digits) {
  const auto errors = load_with(R"(
[[auth.api_keys]]
name = "short"
sha256 = "abc123"
role = "admin"

[[auth.api_keys]]
name = "not-hex"
sha256 = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
role = "admin"
)")
                          .errors;
  EXPECT_THAT(errors, UnorderedElementsAre(error_at("auth.api_keys[0].sha256", "64 hex digits"),
                                           error_at("auth.api_keys[1].sha256", "64 hex digits")));
}

TEST(load_config, reports_an_unknown_role) {
  EXPECT_THAT(load_with(R"(
[[auth.api_keys]]
name = "k"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
role = "superuser"
)")
                  .errors,
              ElementsAre(error_at("auth.api_keys[0].role", "school, coordinator, admin")));
}

TEST(load_config, reports_a_school_key_without_schools) {
  EXPECT_THAT(load_with(R"(
[[auth.api_keys]]
name = "k"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
role = "school"

[[auth.api_keys]]
name = "j"
sha256 = "2222222222222222222222222222222222222222222222222222222222222222"
role = "school"
schools = []
)")
                  .errors,
              UnorderedElementsAre(error_at("auth.api_keys[0].schools", "missing required key"),
                                   error_at("auth.api_keys[1].schools", "at least one school")));
}

TEST(load_config, reports_schools_on_a_key_that_is_not_a_school_key) {
  EXPECT_THAT(load_with(R"(
[[auth.api_keys]]
name = "k"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
role = "coordinator"
schools = ["a"]
)")
                  .errors,
              ElementsAre(error_at("auth.api_keys[0].schools", "reaches every school")));
}

TEST(load_config, reports_duplicate_api_key_names_and_hashes) {
  constexpr std::string_view key = R"(
[[auth.api_keys]]
name = "k"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
role = "admin"
)";
  EXPECT_THAT(load_with(std::string(key) + std::string(key)).errors,
              UnorderedElementsAre(error_at("auth.api_keys[1].name", "duplicate"),
                                   error_at("auth.api_keys[1].sha256", "duplicate")));
}

TEST(load_config, reports_a_plain_token_in_an_api_key) {
  EXPECT_THAT(load_with(R"(
[[auth.api_keys]]
name = "k"
token = "liaison-demo-key"
role = "admin"
)")
                  .errors,
              UnorderedElementsAre(error_at("auth.api_keys[0].token", "liaisonctl hash-key"),
                                   error_at("auth.api_keys[0].sha256", "missing required key")));
}

TEST(load_config, reports_a_toml_syntax_error_with_line_and_column) {
  const auto errors = load("[http]\nport = = 1\n").errors;
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].key_path, "");
  EXPECT_THAT(errors[0].message, ::testing::HasSubstr("syntax error at 2:"));
}

TEST(load_config, reports_every_error_at_once) {
  const auto errors = load(R"(
[http]
prot = 1
port = 0
read_timeout = 30

[redis]
password = "hunter2"

[logging]
level = "loud"

[[providers]]
name = "t"
kind = "twilio"
channels = ["sms"]
base_url = "https://api.twilio.com"
account_sid = "AC123"
auth_token_file = "/nonexistent/liaison-test/token"
rate_per_second = -1
)")
                          .errors;
  EXPECT_THAT(errors,
              UnorderedElementsAre(
                  error_at("http.prot", "unknown key"), error_at("http.port", "range"),
                  error_at("http.read_timeout", "unit"),
                  error_at("redis.password", "password_file"), error_at("logging.level", "loud"),
                  error_at("providers[0].auth_token_file", "/nonexistent/liaison-test/token"),
                  error_at("providers[0].rate_per_second", "greater than zero")));
}

// --- secrets ----------------------------------------------------------------------------------

TEST(load_config_secrets, provider_file_keys_are_read_into_secrets_without_the_suffix) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "twilio-token", "s3cret-token\n");
  const auto config = load_ok(R"(
[[providers]]
name = "twilio"
kind = "twilio"
channels = ["sms", "voice"]
base_url = "https://api.twilio.com"
account_sid = "AC123"
auth_token_file = ")" + (dir.path() / "twilio-token").string() +
                              R"("
from = "+15555550100"
)");
  ASSERT_THAT(config.providers, SizeIs(1));
  EXPECT_THAT(config.providers[0].secrets, ElementsAre(Pair("auth_token", "s3cret-token")));
  EXPECT_THAT(config.providers[0].settings,
              UnorderedElementsAre(Pair("account_sid", "AC123"), Pair("from", "+15555550100")));
}

TEST(load_config_secrets, a_kannel_mo_token_too_short_to_resist_guessing_is_refused) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "password", "p\n");
  write_file(dir.path() / "dlr", "d\n");
  write_file(dir.path() / "short-token", "0123456789abcdef0123456789abcde\n");  // 31
  write_file(dir.path() / "token", "0123456789abcdef0123456789abcdef\n");
  const auto kannel = [&dir](const char* token_file) {
    return "[[providers]]\nname = \"k\"\nkind = \"kannel\"\nchannels = [\"sms\"]\n"
           "base_url = \"http://127.0.0.1:13013\"\nusername = \"u\"\n"
           "password_file = \"" +
           (dir.path() / "password").string() + "\"\ndlr_secret_file = \"" +
           (dir.path() / "dlr").string() + "\"\nmo_token_file = \"" +
           (dir.path() / token_file).string() + "\"\n";
  };
  EXPECT_THAT(load(kannel("short-token")).errors,
              ElementsAre(error_at("providers[0].mo_token_file",
                                   "the token must have at least 32 characters (e.g. `openssl "
                                   "rand -hex 32`)")));
  EXPECT_EQ(load_ok(kannel("token")).providers[0].secrets.at("mo_token"),
            "0123456789abcdef0123456789abcdef");
}

TEST(load_config_secrets, notices_are_signed_with_the_secret_from_its_file) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "notices", "notice-secret\n");
  const auto config = load_ok(
      "[notices]\nurl = \"https://sis.example.org/liaison\"\n"
      "secret_file = \"notices\"\ntimeout = \"3s\"\n"
      "[interpretation]\nreminders = [\"48h\", \"1h\"]\n"
      "late_cancellation_window = \"12h\"\n" +
          std::string(minimal_provider),
      dir.path());
  EXPECT_EQ(config.notices.url, "https://sis.example.org/liaison");
  EXPECT_EQ(config.notices.secret, "notice-secret");
  EXPECT_EQ(config.notices.timeout, 3s);
  EXPECT_THAT(config.interpretation.reminders, ElementsAre(48h, 1h));
  EXPECT_EQ(config.interpretation.late_cancellation_window, 12h);
  // Unsigned notices are refused, for the district and for a school's reply_webhook alike.
  EXPECT_THAT(load_with("[notices]\nurl = \"https://sis.example.org/liaison\"\n").errors,
              ElementsAre(error_at("notices.secret_file", "missing required key")));
  EXPECT_THAT(
      load_with("[district.schools.a]\nreply_webhook = \"https://a.example.org/r\"\n").errors,
      ElementsAre(error_at("notices.secret_file", "missing required key")));
  EXPECT_THAT(load_with("[interpretation]\nreminders = [\"soon\"]\n").errors,
              ElementsAre(error_at("interpretation.reminders[0]", "")));
}

TEST(load_config_secrets, a_school_signs_its_reply_webhook_with_its_own_secret) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "lincoln", "lincoln-secret\n");
  write_file(dir.path() / "parks", "parks-secret\n");
  // No district secret needed when every school with a webhook has its own.
  const auto config = load_ok(
      "[district.schools.lincoln-es]\nreply_webhook = \"https://lincoln.example.org/r\"\n"
      "reply_webhook_secret_file = \"lincoln\"\n"
      "[district.schools.parks-ms]\nreply_webhook = \"https://parks.example.org/r\"\n"
      "reply_webhook_secret_file = \"parks\"\n" +
          std::string(minimal_provider),
      dir.path());
  EXPECT_EQ(config.district.schools.at("lincoln-es").reply_webhook_secret, "lincoln-secret");
  EXPECT_EQ(config.notices.secret, "");
  EXPECT_EQ(config.notices.secret_by_url,
            (std::map<std::string, std::string>{{"https://lincoln.example.org/r", "lincoln-secret"},
                                                {"https://parks.example.org/r", "parks-secret"}}));
  // Two schools may share an endpoint, not with two secrets.
  EXPECT_THAT(
      load("[district.schools.a]\nreply_webhook = \"https://x.example.org/r\"\n"
           "reply_webhook_secret_file = \"lincoln\"\n"
           "[district.schools.b]\nreply_webhook = \"https://x.example.org/r\"\n"
           "reply_webhook_secret_file = \"parks\"\n" +
               std::string(minimal_provider),
           dir.path())
          .errors,
      ElementsAre(error_at("district.schools.b.reply_webhook_secret_file", "another school")));
}

TEST(load_config_secrets, redis_password_is_read_from_its_file) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "redis-password", "hunter2\n");
  const auto config = load_ok(
      "[redis]\npassword_file = \"redis-password\"\n" + std::string(minimal_provider), dir.path());
  EXPECT_EQ(config.redis.password, "hunter2");
}

TEST(load_config_secrets, a_missing_secret_file_is_reported_with_its_path) {
  liaison::testing::temp_dir dir;
  const auto missing = (dir.path() / "absent").string();
  EXPECT_THAT(load_with("[redis]\npassword_file = \"" + missing + "\"\n").errors,
              ElementsAre(error_at("redis.password_file", missing)));
}

TEST(load_config_secrets, an_empty_secret_file_is_reported_with_its_path) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "empty", "\n");
  const auto path = (dir.path() / "empty").string();
  EXPECT_THAT(load_with("[redis]\npassword_file = \"" + path + "\"\n").errors,
              ElementsAre(error_at("redis.password_file", path + " is empty")));
}

TEST(load_config_secrets, a_plain_secret_in_a_provider_is_rejected_naming_the_file_key) {
  EXPECT_THAT(load(R"(
[[providers]]
name = "twilio"
kind = "twilio"
channels = ["sms"]
base_url = "https://api.twilio.com"
account_sid = "AC123"
auth_token = "s3cret"
)")
                  .errors,
              ElementsAre(error_at("providers[0].auth_token", "auth_token_file")));
}

TEST(load_config_secrets, a_plain_password_in_redis_is_rejected_naming_the_file_key) {
  EXPECT_THAT(load_with("[redis]\npassword = \"hunter2\"\n").errors,
              ElementsAre(error_at("redis.password", "password_file")));
}

TEST(load_config_secrets, credentials_directory_is_expanded_from_the_environment) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "redis-password", "from-systemd");
  const scoped_env env("CREDENTIALS_DIRECTORY", dir.path().string());
  const auto config =
      load_ok("[redis]\npassword_file = \"${CREDENTIALS_DIRECTORY}/redis-password\"\n" +
              std::string(minimal_provider));
  EXPECT_EQ(config.redis.password, "from-systemd");
}

TEST(load_config_secrets, credentials_directory_unset_is_reported) {
  const scoped_env env("CREDENTIALS_DIRECTORY", std::nullopt);
  EXPECT_THAT(
      load_with("[redis]\npassword_file = \"${CREDENTIALS_DIRECTORY}/redis-password\"\n").errors,
      ElementsAre(error_at("redis.password_file", "CREDENTIALS_DIRECTORY}, which is not set")));
}

TEST(load_config_secrets, other_variables_are_not_expanded) {
  EXPECT_THAT(load_with("[redis]\npassword_file = \"${HOME}/pw\"\n").errors,
              ElementsAre(error_at("redis.password_file", "only ${CREDENTIALS_DIRECTORY}")));
}

// --- paths ------------------------------------------------------------------------------------

TEST(load_config_paths, relative_paths_are_resolved_against_the_config_folder) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "secrets" / "hook", "hmac-key");
  const auto config = load_ok(R"(
[redis]
unix_socket = "../run/redis.sock"

[[providers]]
name = "files"
kind = "outbox"
channels = ["email"]
directory = "../var/outbox"

[[providers]]
name = "hook"
kind = "webhook"
channels = ["sms"]
base_url = "https://gateway.example.org/send"
secret_file = "../secrets/hook"
)",
                              dir.path() / "etc");
  EXPECT_EQ(config.redis.unix_socket, (dir.path() / "run" / "redis.sock").string());
  EXPECT_EQ(config.providers[0].outbox_directory, dir.path() / "var" / "outbox");
  EXPECT_THAT(config.providers[1].secrets, ElementsAre(Pair("secret", "hmac-key")));
}

TEST(load_config_paths, absolute_paths_are_kept) {
  const auto config = load_ok(R"(
[redis]
unix_socket = "/run/redis/redis-server.sock"
)" + std::string(minimal_provider));
  EXPECT_EQ(config.redis.unix_socket, "/run/redis/redis-server.sock");
}

TEST(load_config_paths, a_unix_socket_path_too_long_for_sockaddr_un_is_reported) {
  EXPECT_THAT(load_with("[redis]\nunix_socket = \"/" + std::string(120, 's') + "\"\n").errors,
              ElementsAre(error_at("redis.unix_socket", "longer than 107 bytes")));
}

TEST(load_config_file, resolves_relative_paths_against_the_file_folder) {
  liaison::testing::temp_dir dir;
  write_file(dir.path() / "conf" / "liaison.toml", std::string(minimal_provider));
  const auto result = load_config_file(dir.path() / "conf" / "liaison.toml");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.config->providers[0].outbox_directory, dir.path() / "conf" / "outbox");
}

TEST(load_config_file, reports_a_missing_file) {
  liaison::testing::temp_dir dir;
  const auto path = dir.path() / "absent.toml";
  const auto result = load_config_file(path);
  EXPECT_FALSE(result.config);
  EXPECT_THAT(result.errors, ElementsAre(error_at("", path.string())));
}

TEST(load_config_file, reports_a_directory_given_as_the_file) {
  liaison::testing::temp_dir dir;
  EXPECT_THAT(load_config_file(dir.path()).errors, ElementsAre(error_at("", "not a regular file")));
}

}  // namespace
}  // namespace liaison::config
