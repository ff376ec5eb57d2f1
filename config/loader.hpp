// Loads and validates a TOML configuration file, reporting every error with its key path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace liaison::config {

struct config_error {
  std::string key_path;  // e.g. "providers[1].rate_per_second"
  std::string message;
};

struct load_result {
  std::optional<liaison_config> config;  // set only when errors is empty
  std::vector<config_error> errors;
};

// Relative `*_file` and directory paths are resolved against the config file's folder;
// `${CREDENTIALS_DIRECTORY}` in a path expands to systemd's credentials directory.
load_result load_config_file(const std::filesystem::path& path);
load_result load_config_string(std::string_view toml_text, const std::filesystem::path& base_dir);

}  // namespace liaison::config
