// A liaison.toml for end-to-end tests: the catalog of this source tree, a port, a private
// redis-server's socket, API keys and an outbox, plus whatever a test adds. One place for the
// lines every daemon test needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace liaison::testing {

class liaisond_config {
 public:
  liaisond_config(std::uint16_t port, const std::filesystem::path& redis_socket);

  // More keys of [district] or [http], as TOML lines ("time_zone = \"America/Chicago\"\n").
  liaisond_config& district(std::string lines);
  liaisond_config& http(std::string lines);
  // More keys of [redis] (timeouts, reconnect delays), as TOML lines.
  liaisond_config& redis(std::string lines);
  // An API key (stored as its SHA-256); `schools` for school keys.
  liaisond_config& api_key(const std::string& name, const std::string& role, const std::string& key,
                           const std::vector<std::string>& schools = {});
  // The outbox provider writing to `directory`/outbox.ndjson for these channels.
  liaisond_config& outbox(const std::filesystem::path& directory,
                          const std::vector<std::string>& channels);
  // Whole tables ([workers], [[providers]] …), appended as written.
  liaisond_config& tables(std::string toml);

  void write(const std::filesystem::path& file) const;

 private:
  std::uint16_t port_;
  std::string redis_socket_;
  std::string district_;
  std::string http_;
  std::string redis_;
  std::string tables_;
};

}  // namespace liaison::testing
