// A validation failure of one input field, reported to clients as it is (RFC 9457 `errors`).
#pragma once

#include <string>

namespace liaison {

struct field_error {
  std::string field;  // JSON path of the field at fault, e.g. "to.phone"
  std::string message;

  bool operator==(const field_error&) const = default;
};

}  // namespace liaison
