#include "tests/support/apertium_server.hpp"

#include <filesystem>

#include "tests/support/http_client.hpp"

namespace liaison::testing {
namespace {

const std::filesystem::path apy_binary = "/usr/bin/apertium-apy";
// Where Debian's apertium-eng-spa installs its modes; APy serves every mode file in the folder.
const std::filesystem::path modes_directory = "/usr/share/apertium/modes";

}  // namespace

std::string apertium_missing() {
  if (!std::filesystem::exists(apy_binary)) {
    return apy_binary.string() +
           " is not installed (Debian package apertium-apy; scripts/install-deps --for-tests)";
  }
  if (!std::filesystem::exists(modes_directory / "eng-spa.mode")) {
    return "the English-Spanish pair is not installed (Debian package apertium-eng-spa; "
           "scripts/install-deps --for-tests)";
  }
  return {};
}

apertium_server::apertium_server() {
  const auto port = free_tcp_port();
  // -j1: one server process; APy starts each pair's pipeline on the first request.
  process_ = std::make_unique<peer_process>(
      std::vector<std::string>{apy_binary.string(), "-p", std::to_string(port), "-j", "1",
                               modes_directory.string()},
      port, dir_.path() / "apertium-apy.log", std::chrono::seconds(60));
}

std::string apertium_server::url() const {
  return "http://127.0.0.1:" + std::to_string(process_->port());
}

}  // namespace liaison::testing
