// Secrets (API tokens, passwords) are read from files only, never from the TOML itself, so
// they can come from systemd's LoadCredential= or a mode-0600 file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace liaison {

struct secret_read_result {
  std::optional<std::string> value;  // the secret, trailing newline removed
  std::string error;                 // why it could not be read, when !value
};

// Reads at most 64 KiB; a larger or unreadable file is an error, an empty file too.
secret_read_result read_secret_file(const std::filesystem::path& path);

}  // namespace liaison
