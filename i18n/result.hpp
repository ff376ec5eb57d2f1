// The outcome of an i18n operation that can fail on bad input (a tag, a text): a value, or a
// message saying why not, suitable for an API validation error. Failures are values, not
// exceptions, because bad input from staff or a roster is expected, not a bug.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace liaison::i18n {

template <class T>
struct result {
  std::optional<T> value;
  std::string error;  // why there is no value; empty when there is one

  static result success(T v) { return {std::move(v), {}}; }
  static result failure(std::string why) { return {std::nullopt, std::move(why)}; }

  explicit operator bool() const noexcept { return value.has_value(); }
};

}  // namespace liaison::i18n
