// Helpers shared by the config tests: error matchers, files in a temp dir, environment overrides.
#pragma once

#include <gmock/gmock.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>

#include "config/loader.hpp"

namespace liaison::config {

// So gtest prints errors readably when an expectation fails.
inline void PrintTo(const config_error& error, std::ostream* out) {
  *out << error.key_path << ": " << error.message;
}

namespace testing {

// Matches a config_error at `key_path` whose message contains `text`.
inline auto error_at(const std::string& key_path, const std::string& text = "") {
  return ::testing::AllOf(
      ::testing::Field("key_path", &config_error::key_path, key_path),
      ::testing::Field("message", &config_error::message, ::testing::HasSubstr(text)));
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Sets (or unsets, with nullopt) an environment variable for one test, then restores it.
class scoped_env {
 public:
  scoped_env(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) {
      old_ = old;
    }
    set(value);
  }
  ~scoped_env() { set(old_); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  void set(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace testing
}  // namespace liaison::config
