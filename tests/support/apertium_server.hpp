// A real Apertium APy server for integration tests (Debian apertium-apy + apertium-eng-spa, see
// scripts/install-deps --for-tests): started on a free loopback port with its log in a temporary
// directory, stopped with the test. Tests skip (never pass) when it is not installed.
#pragma once

#include <memory>
#include <string>

#include "tests/support/peer_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {

// Why APy with English → Spanish cannot run here, or empty when it can.
std::string apertium_missing();

class apertium_server {
 public:
  apertium_server();        // throws std::runtime_error when it does not start
  std::string url() const;  // "http://127.0.0.1:PORT"
  std::string log() const { return process_->log(); }

 private:
  temp_dir dir_;
  std::unique_ptr<peer_process> process_;
};

}  // namespace liaison::testing
