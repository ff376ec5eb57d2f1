#include "tests/support/liaisond_config.hpp"

#include <fstream>
#include <stdexcept>

#include "support/crypto.hpp"

namespace liaison::testing {
namespace {

std::string toml_list(const std::vector<std::string>& items) {
  std::string list = "[";
  for (const auto& item : items) {
    list += (list.size() > 1 ? ", \"" : "\"") + item + "\"";
  }
  return list + "]";
}

}  // namespace

liaisond_config::liaisond_config(std::uint16_t port, const std::filesystem::path& redis_socket)
    : port_(port), redis_socket_(redis_socket.string()) {}

liaisond_config& liaisond_config::district(std::string lines) {
  district_ += lines;
  return *this;
}

liaisond_config& liaisond_config::http(std::string lines) {
  http_ += lines;
  return *this;
}

liaisond_config& liaisond_config::redis(std::string lines) {
  redis_ += lines;
  return *this;
}

liaisond_config& liaisond_config::api_key(const std::string& name, const std::string& role,
                                          const std::string& key,
                                          const std::vector<std::string>& schools) {
  tables_ += "[[auth.api_keys]]\nname = \"" + name + "\"\nrole = \"" + role + "\"\nsha256 = \"" +
             sha256_hex(key) + "\"\n";
  if (!schools.empty()) {
    tables_ += "schools = " + toml_list(schools) + "\n";
  }
  return *this;
}

liaisond_config& liaisond_config::outbox(const std::filesystem::path& directory,
                                         const std::vector<std::string>& channels) {
  tables_ +=
      "[[providers]]\nname = \"outbox\"\nkind = \"outbox\"\nchannels = " + toml_list(channels) +
      "\ndirectory = \"" + (directory / "outbox").string() + "\"\n";
  return *this;
}

liaisond_config& liaisond_config::tables(std::string toml) {
  tables_ += toml;
  return *this;
}

void liaisond_config::write(const std::filesystem::path& file) const {
  std::ofstream out(file);
  out << "[district]\ncatalog_directory = \"" LIAISON_TEST_SOURCE_DIR "/i18n/catalog\"\n"
      << district_ << "[http]\nport = " << port_ << "\n"
      << http_ << "[redis]\nunix_socket = \"" << redis_socket_ << "\"\n"
      << redis_ << tables_;
  if (!out) {
    throw std::runtime_error("cannot write " + file.string());
  }
}

}  // namespace liaison::testing
