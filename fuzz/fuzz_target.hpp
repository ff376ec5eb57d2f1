// What every fuzz target shares: libFuzzer's entry point, a check that aborts with a message
// (libFuzzer and the corpus replay both report an abort as a failure), and the message catalog
// the i18n targets need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "i18n/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace liaison::fuzz {

// An invariant of the code under test, checked on every input.
inline void check(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The project's own catalog, loaded once per process (libFuzzer calls the target millions of
// times; the catalog is read-only).
inline const i18n::message_catalog& catalog() {
  static const i18n::message_catalog loaded = [] {
    auto r =
        i18n::message_catalog::load(std::filesystem::path(LIAISON_SOURCE_DIR) / "i18n" / "catalog");
    check(static_cast<bool>(r), "the message catalog loads");
    return std::move(*r.value);
  }();
  return loaded;
}

}  // namespace liaison::fuzz
