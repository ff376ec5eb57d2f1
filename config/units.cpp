// Duration and byte-size syntax of the config file, parsed with std::from_chars (no regex, no
// locale): the grammar is tiny and the error messages should point at the exact part.
#include "config/units.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <system_error>

namespace liaison::config::detail {
namespace {

struct unit {
  std::string_view name;
  std::uint64_t factor;
};

bool is_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string quote(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Largest first: a duration's parts must follow this order.
constexpr std::array<unit, 4> duration_units{{
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::array<unit, 8> size_units{{
    {"B", 1},
    {"KiB", 1024},
    {"MiB", 1024 * 1024},
    {"GiB", 1024 * 1024 * 1024},
    {"KB", 1'000},
    {"kB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
}};

template <std::size_t N>
const unit* find_unit(const std::array<unit, N>& units, std::string_view name) {
  for (const auto& u : units) {
    if (u.name == name) {
      return &u;
    }
  }
  return nullptr;
}

}  // namespace

parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto fail = [&](std::string why) {
    return parsed<std::chrono::milliseconds>{std::nullopt, std::move(why)};
  };
  if (text.empty()) {
    return fail("empty duration; write it with a unit, e.g. \"30s\"");
  }
  // Durations are stored as signed milliseconds; stay well inside that.
  constexpr auto max_ms = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t total_ms = 0;
  std::size_t previous_unit = duration_units.size();  // none yet
  const char* position = text.data();
  const char* const end = text.data() + text.size();
  while (position != end) {
    std::uint64_t amount = 0;
    const auto [after_number, ec] = std::from_chars(position, end, amount);
    if (ec == std::errc::result_out_of_range) {
      return fail("duration " + quote(text) + " is too large");
    }
    if (ec != std::errc{}) {
      return fail("expected a number at " + quote(std::string_view(position, end)) + " in " +
                  quote(text) + "; write durations like \"30s\" or \"1m30s\"");
    }
    const char* after_unit = after_number;
    while (after_unit != end && is_letter(*after_unit)) {
      ++after_unit;
    }
    const std::string_view unit_name(after_number,
                                     static_cast<std::size_t>(after_unit - after_number));
    if (unit_name.empty()) {
      if (after_number != end && *after_number == '.') {
        return fail("durations take whole numbers: write \"1s500ms\", not \"1.5s\" (in " +
                    quote(text) + ")");
      }
      if (position == text.data() && after_number == end) {
        return fail("duration needs a unit, e.g. \"30s\"");
      }
      return fail("missing unit after " + quote(std::string_view(position, after_number)) + " in " +
                  quote(text) + " (use h, m, s or ms)");
    }
    const unit* u = find_unit(duration_units, unit_name);
    if (u == nullptr) {
      return fail("unknown unit " + quote(unit_name) + " in " + quote(text) +
                  " (use h, m, s or ms)");
    }
    const auto index = static_cast<std::size_t>(u - duration_units.data());
    if (previous_unit != duration_units.size() && index <= previous_unit) {
      return fail("in " + quote(text) + ", units must go from largest to smallest, each once");
    }
    previous_unit = index;
    if (amount > (max_ms - total_ms) / u->factor) {
      return fail("duration " + quote(text) + " is too large");
    }
    total_ms += amount * u->factor;
    position = after_unit;
  }
  return {std::chrono::milliseconds(static_cast<std::int64_t>(total_ms)), {}};
}

parsed<std::uint64_t> parse_byte_size(std::string_view text) {
  const auto fail = [](std::string why) {
    return parsed<std::uint64_t>{std::nullopt, std::move(why)};
  };
  const char* const end = text.data() + text.size();
  std::uint64_t amount = 0;
  const auto [after_number, ec] = std::from_chars(text.data(), end, amount);
  if (ec == std::errc::result_out_of_range) {
    return fail("size " + quote(text) + " is too large");
  }
  if (ec != std::errc{}) {
    return fail("expected a size like \"1MiB\" or \"512KiB\", got " + quote(text));
  }
  const std::string_view unit_name(after_number, static_cast<std::size_t>(end - after_number));
  if (unit_name.empty()) {
    return fail("size needs a unit, e.g. \"1MiB\" (or write a plain integer number of bytes)");
  }
  const unit* u = find_unit(size_units, unit_name);
  if (u == nullptr) {
    return fail("unknown unit " + quote(unit_name) + " in " + quote(text) +
                " (use B, KiB, MiB, GiB, KB, MB or GB)");
  }
  if (amount > std::numeric_limits<std::uint64_t>::max() / u->factor) {
    return fail("size " + quote(text) + " is too large");
  }
  return {amount * u->factor, {}};
}

}  // namespace liaison::config::detail
