// liaisonctl: the operator's command-line tool. Thin: each command parses its arguments and
// calls the library (config loader, crypto); exit 0 = done, 1 = the check or command failed,
// 2 = wrong usage.
#include <csignal>
#include <iostream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.hpp"
#include "daemon/liaisonctl/announcement_command.hpp"
#include "daemon/liaisonctl/dlq_command.hpp"
#include "daemon/liaisonctl/export_command.hpp"
#include "daemon/liaisonctl/stats_command.hpp"
#include "support/crypto.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

constexpr std::string_view tool_usage =
    "usage: liaisonctl COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  check-config FILE   validate a configuration file and print every error\n"
    "  hash-key [TOKEN|-]  print the SHA-256 of an API token for [[auth.api_keys]];\n"
    "                      without TOKEN, generate a new token\n"
    "  dlq ACTION          list, show, replay or purge dead letters\n"
    "  stats               queue depths, delayed jobs, dead letters, fan-outs waiting\n"
    "  announcement ID     an announcement's progress (--watch: a live progress bar)\n"
    "  export              every delivery record as NDJSON, for a data warehouse\n"
    "\n"
    "options:\n"
    "  -h, --help, help    show this help and exit\n"
    "      --version       print the version and exit\n"
    "\n"
    "`liaisonctl COMMAND --help` describes a command and its options. dlq, stats, announcement\n"
    "and export take --config FILE, liaisond's configuration (default\n"
    "/etc/liaison/liaison.toml), for its [redis] table. Exit status: 0 done, 1 failed, 2 wrong\n"
    "usage. Manual: liaisonctl(1).\n";

constexpr std::string_view check_config_usage =
    "usage: liaisonctl check-config FILE\n"
    "\n"
    "Loads FILE as liaisond would (secret files included) and validates it.\n"
    "Prints `FILE: OK` and exits 0, or prints each error as `KEY_PATH: MESSAGE`\n"
    "on stderr and exits 1.\n";

constexpr std::string_view hash_key_usage =
    "usage: liaisonctl hash-key [TOKEN | -]\n"
    "\n"
    "Without TOKEN: generates a new random API token and prints it with its SHA-256\n"
    "and the [[auth.api_keys]] lines to paste into the config file.\n"
    "With TOKEN: prints the token's SHA-256 (lowercase hex).\n"
    "With `-`: reads the token from stdin (keeps it out of shell history).\n";

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

int usage_error(std::string_view message, std::string_view usage) {
  std::cerr << "liaisonctl: " << message << "\n\n" << usage;
  return exit_usage;
}

int check_config(std::span<const std::string_view> args) {
  if (args.size() == 1 && is_help(args[0])) {
    std::cout << check_config_usage;
    return exit_ok;
  }
  if (args.size() != 1) {
    return usage_error("check-config takes exactly one FILE", check_config_usage);
  }
  const std::string file(args[0]);
  const auto result = liaison::config::load_config_file(file);
  if (result.errors.empty()) {
    std::cout << file << ": OK\n";
    return exit_ok;
  }
  for (const auto& error : result.errors) {
    // File-level errors (unreadable file, TOML syntax) have no key path: name the file.
    std::cerr << (error.key_path.empty() ? file : error.key_path) << ": " << error.message << '\n';
  }
  return exit_failed;
}

int hash_key(std::span<const std::string_view> args) {
  if (args.size() == 1 && is_help(args[0])) {
    std::cout << hash_key_usage;
    return exit_ok;
  }
  if (args.size() > 1) {
    return usage_error("hash-key takes at most one TOKEN", hash_key_usage);
  }
  if (args.empty()) {
    const std::string token = "lsn_" + liaison::random_hex(32);
    const std::string hash = liaison::sha256_hex(token);
    std::cout << "token:  " << token << "\n"
              << "sha256: " << hash << "\n"
              << "\n"
              << "Give the token to its holder now: it is not stored anywhere.\n"
              << "Paste into the config file:\n"
              << "\n"
              << "[[auth.api_keys]]\n"
              << "name = \"CHANGE-ME\"\n"
              << "sha256 = \"" << hash << "\"\n"
              << "role = \"school\"              # school | coordinator | admin\n"
              << "schools = [\"CHANGE-ME\"]      # role \"school\" only: the schools it may "
                 "address\n";
    return exit_ok;
  }
  std::string token(args[0]);
  if (token == "-") {
    token.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    // `echo TOKEN |` adds a newline that is not part of the token.
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
  }
  if (token.empty()) {
    std::cerr << "liaisonctl: the token is empty\n";
    return exit_failed;
  }
  std::cout << liaison::sha256_hex(token) << '\n';
  return exit_ok;
}

int run(std::span<const std::string_view> args) {
  if (args.empty()) {
    return usage_error("missing COMMAND", tool_usage);
  }
  const auto command = args[0];
  const auto rest = args.subspan(1);
  if (is_help(command)) {
    std::cout << tool_usage;
    return exit_ok;
  }
  if (command == "--version") {
    std::cout << "liaisonctl " LIAISON_VERSION "\n";
    return exit_ok;
  }
  if (command == "check-config") {
    return check_config(rest);
  }
  if (command == "hash-key") {
    return hash_key(rest);
  }
  if (command == "dlq") {
    return liaison::ctl::run_dlq(rest);
  }
  if (command == "stats") {
    return liaison::ctl::run_stats(rest);
  }
  if (command == "announcement") {
    return liaison::ctl::run_announcement(rest);
  }
  if (command == "export") {
    return liaison::ctl::run_export(rest);
  }
  return usage_error("unknown command \"" + std::string(command) + "\"", tool_usage);
}

}  // namespace

int main(int argc, char** argv) {
  // As liaisond: a Redis that goes away mid-command is an error to report, not a SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const std::span<char*> raw(argv, static_cast<std::size_t>(argc));
    std::vector<std::string_view> args(raw.begin() + (raw.empty() ? 0 : 1), raw.end());
    return run(args);
  } catch (const std::exception& e) {
    std::cerr << "liaisonctl: " << e.what() << '\n';
    return exit_failed;
  }
}
