// The liaisonctl binary, run as an operator would: check-config and hash-key. Skipped when the
// binary has not been built (it is a separate target from this test executable).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/crypto.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace liaison::config {
namespace {

using liaison::testing::shell_quote;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::write_file;

std::filesystem::path liaisonctl() {
  return LIAISON_BINARY_DIR "/daemon/liaisonctl";
}

// Runs `liaisonctl ARGS` through the shell; `args` must already be quoted.
liaison::testing::command_result run(const std::string& args) {
  return liaison::testing::run_command(shell_quote(liaisonctl().string()) + " " + args);
}

class liaisonctl_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(liaisonctl())) {
      GTEST_SKIP() << liaisonctl() << " is not built (cmake --build ... --target liaisonctl)";
    }
  }
};

TEST_F(liaisonctl_test, check_config_prints_ok_for_a_valid_file) {
  const auto dev = std::string(LIAISON_SOURCE_DIR) + "/config/dev.toml";
  const auto result = run("check-config " + shell_quote(dev));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, dev + ": OK\n");
}

TEST_F(liaisonctl_test, check_config_exits_1_printing_each_error_with_its_key_path) {
  liaison::testing::temp_dir dir;
  const auto file = dir.path() / "broken.toml";
  write_file(file, "[http]\nprot = 8080\nport = 0\n");
  const auto result = run("check-config " + shell_quote(file.string()));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("http.prot: unknown key"));
  EXPECT_THAT(result.output, HasSubstr("http.port: "));
  EXPECT_THAT(result.output, HasSubstr("providers: "));
}

TEST_F(liaisonctl_test, check_config_names_the_file_for_a_syntax_error) {
  liaison::testing::temp_dir dir;
  const auto file = dir.path() / "syntax.toml";
  write_file(file, "[http\n");
  const auto result = run("check-config " + shell_quote(file.string()));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr(file.string() + ": TOML syntax error at 1:"));
}

TEST_F(liaisonctl_test, hash_key_prints_the_sha256_of_a_token) {
  const auto result = run("hash-key liaison-demo-key");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, sha256_hex("liaison-demo-key") + "\n");
}

TEST_F(liaisonctl_test, hash_key_reads_the_token_from_stdin_with_a_dash) {
  const auto result = run("hash-key - <<'EOF'\nliaison-demo-key\nEOF\n");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, sha256_hex("liaison-demo-key") + "\n");
}

TEST_F(liaisonctl_test, hash_key_without_a_token_generates_one_with_its_hash) {
  const auto result = run("hash-key");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("token:  lsn_"));
  EXPECT_THAT(result.output, HasSubstr("[[auth.api_keys]]"));
  const auto token_start = result.output.find("lsn_");
  ASSERT_NE(token_start, std::string::npos);
  const auto token =
      result.output.substr(token_start, result.output.find('\n', token_start) - token_start);
  EXPECT_THAT(token, MatchesRegex("lsn_[0-9a-f]{64}"));
  EXPECT_THAT(result.output, HasSubstr("sha256 = \"" + sha256_hex(token) + "\""));
}

TEST_F(liaisonctl_test, an_unknown_command_prints_usage_and_exits_2) {
  const auto result = run("frobnicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("usage: liaisonctl"));
}

TEST_F(liaisonctl_test, help_describes_the_tool_and_each_command) {
  EXPECT_EQ(run("--help").exit_code, 0);
  const auto check = run("check-config --help");
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_THAT(check.output, HasSubstr("usage: liaisonctl check-config FILE"));
  const auto hash = run("hash-key --help");
  EXPECT_EQ(hash.exit_code, 0);
  EXPECT_THAT(hash.output, HasSubstr("usage: liaisonctl hash-key"));
  EXPECT_THAT(hash.output, Not(MatchesRegex("[0-9a-f]{64}\n")));
}

}  // namespace
}  // namespace liaison::config
