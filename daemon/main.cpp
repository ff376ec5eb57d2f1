// liaisond: the Liaison daemon. Thin: parse flags, load config, run.
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include "config/loader.hpp"
#include "daemon/app/liaisond.hpp"

namespace {

constexpr const char* usage =
    "Usage: liaisond [-c|--config FILE] [--consumer-name NAME] [--workers on|off]\n"
    "                [--port PORT] [--check-config]\n"
    "\n"
    "Liaison: district-to-family messaging in each family's language.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   configuration file (default /etc/liaison/liaison.toml);\n"
    "                      also --config=FILE\n"
    "      --consumer-name NAME\n"
    "                      this instance's name in the queue's consumer group, over\n"
    "                      [workers] consumer_name: one config file for several instances\n"
    "      --workers on|off\n"
    "                      over [workers] enabled: off serves the API only and sends\n"
    "                      nothing; instances with workers on send what it accepts\n"
    "      --port PORT     over [http] port: a sender's own port beside API-only instances\n"
    "      --check-config  validate the configuration, print every error, and exit\n"
    "  -h, --help          show this help and exit\n"
    "      --version       print the version and exit\n"
    "\n"
    "Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the configuration (an invalid\n"
    "file is rejected and the running configuration kept).\n"
    "\n"
    "Exit status: 0 after a drain or a passed check, 1 invalid configuration or cannot start,\n"
    "2 wrong argument. Manual: liaisond(8).\n";

std::optional<bool> parse_on_off(std::string_view text) {
  if (text == "on") {
    return true;
  }
  if (text == "off") {
    return false;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  // hiredis and libcurl write to sockets with plain write(): when Redis or a provider dies, the
  // next write would raise SIGPIPE and kill the daemon with every job in flight. Ignored, the
  // write fails with EPIPE and the connection's own error handling (reconnect, retry) runs.
  std::signal(SIGPIPE, SIG_IGN);
  std::string config_path = "/etc/liaison/liaison.toml";
  bool check_only = false;
  std::string consumer_name;
  std::optional<bool> workers;
  std::optional<std::uint16_t> port;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.starts_with("--config=")) {
      config_path = std::string(arg.substr(9));
    } else if (arg == "--consumer-name" && i + 1 < argc && argv[i + 1][0] != '\0') {
      consumer_name = argv[++i];
    } else if (arg == "--workers") {
      workers = i + 1 < argc ? parse_on_off(argv[++i]) : std::nullopt;
      if (!workers) {
        std::fprintf(stderr, "liaisond: --workers takes on or off\n\n%s", usage);
        return 2;
      }
    } else if (arg == "--port") {
      port = i + 1 < argc ? parse_port(argv[++i]) : std::nullopt;
      if (!port) {
        std::fprintf(stderr, "liaisond: --port takes a port number, 1 to 65535\n\n%s", usage);
        return 2;
      }
    } else if (arg == "--check-config") {
      check_only = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::puts("liaisond " LIAISON_VERSION);
      return 0;
    } else {
      std::fprintf(stderr, "liaisond: unknown argument '%s'\n\n%s", argv[i], usage);
      return 2;
    }
  }

  auto loaded = liaison::config::load_config_file(config_path);
  if (!loaded.config) {
    std::fprintf(stderr, "liaisond: %s is not valid:\n", config_path.c_str());
    for (const auto& e : loaded.errors) {
      std::fprintf(stderr, "  %s: %s\n", e.key_path.c_str(), e.message.c_str());
    }
    return 1;
  }
  if (!consumer_name.empty()) {
    loaded.config->workers.consumer_name = consumer_name;
  }
  if (workers) {
    loaded.config->workers.enabled = *workers;
  }
  if (port) {
    loaded.config->http.port = *port;
  }
  if (check_only) {
    std::printf("%s: OK\n", config_path.c_str());
    return 0;
  }
  try {
    liaison::app::liaisond daemon(config_path, std::move(*loaded.config));
    return daemon.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "liaisond: cannot start: %s\n", e.what());
    return 1;
  }
}
