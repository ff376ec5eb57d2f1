#include "support/secret_file.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

namespace liaison {

secret_read_result read_secret_file(const std::filesystem::path& path) {
  constexpr std::uintmax_t max_secret_size = 64 * 1024;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return {std::nullopt, "cannot read secret file " + path.string() + ": " + ec.message()};
  }
  if (size > max_secret_size) {
    return {std::nullopt, "secret file " + path.string() + " is larger than 64 KiB"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return {std::nullopt, "cannot open secret file " + path.string()};
  }
  std::string secret{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return {std::nullopt, "secret file " + path.string() + " is empty"};
  }
  return {std::move(secret), {}};
}

}  // namespace liaison
