// Parsers for the two unit-bearing value syntaxes of the config file: durations ("1m30s") and
// byte sizes ("512KiB"). Internal to liaison_config; exposed in a header so tests can reach them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liaison::config::detail {

template <class T>
struct parsed {
  std::optional<T> value;
  std::string error;  // why `text` was rejected, when !value
};

// One or more <integer><unit> parts, largest unit first, each unit at most once:
// "250ms", "30s", "5m", "1h", "1m30s". Units: h, m, s, ms. A bare number is an error, so
// nobody has to guess whether "30" means seconds or milliseconds.
parsed<std::chrono::milliseconds> parse_duration(std::string_view text);

// <integer><unit>, units B, KiB, MiB, GiB (powers of 1024) and KB/kB, MB, GB (powers of 1000):
// "1MiB", "512KiB". (An integer TOML value is a plain byte count; the loader handles that.)
parsed<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace liaison::config::detail
