// The staff console's built files (web/, built by Vite), read into memory once at start and
// served from there under /console/. Only the files loaded at start exist: no request names a
// path on disk, so no request can reach outside the folder (docs/console.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/http/message.hpp"

namespace liaison::http {

struct static_file {
  std::string content_type;
  std::string body;
  std::string etag;        // a strong validator: a hash of the body, quoted
  bool immutable = false;  // a content-hashed asset (under assets/): cached for a year
};

// Bounds on what is read at start, so a wrong console_dir (a home folder, /) cannot fill memory.
struct static_limits {
  std::size_t max_files = 2000;
  std::size_t max_file_bytes = std::size_t{8} * 1024 * 1024;
  std::size_t max_total_bytes = std::size_t{64} * 1024 * 1024;
};

struct static_load_result;

class static_site {
 public:
  // Reads every regular file under `directory` (not symbolic links, not names starting with
  // '.'); fails when the folder is missing, has no index.html, or exceeds `limits`.
  static static_load_result load(const std::filesystem::path& directory,
                                 const static_limits& limits = {});

  // `relative_path` as in the URL after /console/ ("index.html", "assets/app-1f2e3d.js").
  const static_file* find(std::string_view relative_path) const;
  std::size_t file_count() const noexcept { return files_.size(); }
  std::size_t total_bytes() const noexcept { return total_bytes_; }

 private:
  std::map<std::string, static_file, std::less<>> files_;
  std::size_t total_bytes_ = 0;
};

struct static_load_result {
  std::optional<static_site> site;
  std::string error;  // why nothing was loaded
};

// The Content-Type for a file name, by its extension (application/octet-stream when unknown).
std::string_view content_type_for(std::string_view file_name);

// The Content-Security-Policy of every console answer: scripts, styles and connections from
// this origin only, so no inline script runs even if text got into the page.
inline constexpr std::string_view console_content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The answer to a GET or HEAD of `relative_path`: the file (304 when If-None-Match names its
// ETag), or 404; always with the console's security headers.
response serve_static(const static_site& site, std::string_view relative_path, const request& req);

}  // namespace liaison::http
