#include "daemon/http/static_files.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "daemon/http/problem.hpp"
#include "support/crypto.hpp"

namespace liaison::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view immutable_folder = "assets/";

struct extension_type {
  std::string_view extension;
  std::string_view content_type;
};

constexpr std::array<extension_type, 16> content_types{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
}};

bool hidden(const fs::path& relative) {
  for (const auto& part : relative) {
    if (part.string().starts_with('.')) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> read_whole(const fs::path& file, std::size_t size) {
  std::ifstream in(file, std::ios::binary);
  std::string body(size, '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(size))) {
    return std::nullopt;
  }
  return body;
}

// RFC 9110 §13.1.2: a list of entity tags (weak comparison) or "*".
bool matches_etag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    auto tag = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) {
      tag.remove_prefix(1);
    }
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) {
      tag.remove_suffix(1);
    }
    if (tag.starts_with("W/")) {
      tag.remove_prefix(2);
    }
    if (tag == "*" || tag == etag) {
      return true;
    }
  }
  return false;
}

void set_security_headers(response& res) {
  res.set("Content-Security-Policy", console_content_security_policy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  const auto slash = file_name.rfind('/');
  const auto base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  const auto dot = base.rfind('.');
  if (dot != std::string_view::npos) {
    const auto extension = base.substr(dot);
    for (const auto& [known, type] : content_types) {
      if (extension.size() == known.size() &&
          std::equal(extension.begin(), extension.end(), known.begin(),
                     [](char a, char b) { return std::tolower(a) == b; })) {
        return type;
      }
    }
  }
  return "application/octet-stream";
}

static_load_result static_site::load(const fs::path& directory, const static_limits& limits) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return {std::nullopt, directory.string() + " is not a folder"};
  }
  static_site site;
  fs::recursive_directory_iterator it(directory, fs::directory_options::none, ec);
  if (ec) {
    return {std::nullopt, "cannot read " + directory.string() + ": " + ec.message()};
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      return {std::nullopt, "cannot read " + directory.string() + ": " + ec.message()};
    }
    const auto& entry = *it;
    const auto relative = entry.path().lexically_relative(directory);
    if (hidden(relative)) {
      if (entry.is_directory(ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    // Symbolic links could point anywhere: only what is really in the folder is served.
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) {
      continue;
    }
    const auto size = entry.file_size(ec);
    if (ec) {
      return {std::nullopt, "cannot read " + entry.path().string() + ": " + ec.message()};
    }
    if (site.files_.size() >= limits.max_files) {
      return {std::nullopt,
              "more than " + std::to_string(limits.max_files) + " files in " + directory.string()};
    }
    if (size > limits.max_file_bytes) {
      return {std::nullopt, entry.path().string() + " is larger than " +
                                std::to_string(limits.max_file_bytes) + " bytes"};
    }
    if (site.total_bytes_ + size > limits.max_total_bytes) {
      return {std::nullopt, directory.string() + " holds more than " +
                                std::to_string(limits.max_total_bytes) + " bytes"};
    }
    auto body = read_whole(entry.path(), size);
    if (!body) {
      return {std::nullopt, "cannot read " + entry.path().string()};
    }
    const std::string name = relative.generic_string();
    static_file file;
    file.content_type = std::string(content_type_for(name));
    file.etag = "\"" + sha256_hex(*body).substr(0, 32) + "\"";
    file.immutable = name.starts_with(immutable_folder);
    file.body = std::move(*body);
    site.total_bytes_ += size;
    site.files_.emplace(name, std::move(file));
  }
  if (site.find("index.html") == nullptr) {
    return {std::nullopt, directory.string() + " has no index.html"};
  }
  return {std::move(site), {}};
}

const static_file* static_site::find(std::string_view relative_path) const {
  const auto it = files_.find(relative_path);
  return it == files_.end() ? nullptr : &it->second;
}

response serve_static(const static_site& site, std::string_view relative_path, const request& req) {
  namespace beast_http = boost::beast::http;
  const auto* file = site.find(relative_path.empty() ? "index.html" : relative_path);
  if (file == nullptr) {
    auto res =
        make_problem_response(not_found_problem("no console file " + std::string(relative_path)),
                              req.version(), req.keep_alive());
    set_security_headers(res);
    return res;
  }
  const bool not_modified = matches_etag(req[beast_http::field::if_none_match], file->etag);
  response res{not_modified ? status::not_modified : status::ok, req.version()};
  set_security_headers(res);
  res.set(beast_http::field::content_type, file->content_type);
  res.set(beast_http::field::etag, file->etag);
  // Hashed assets never change under their name; everything else (index.html) is revalidated
  // on every load, so a new build is picked up at once.
  res.set(beast_http::field::cache_control,
          file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.keep_alive(req.keep_alive());
  if (not_modified) {
    return res;
  }
  if (req.method() == verb::head) {
    res.content_length(file->body.size());
    return res;
  }
  res.body() = file->body;
  res.prepare_payload();
  return res;
}

}  // namespace liaison::http
