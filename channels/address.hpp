// Recipient addresses: phone numbers normalized to E.164 with libphonenumber, email addresses
// checked for the shape a mail server will accept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace liaison::channels {

struct address_result {
  std::optional<std::string> normalized;
  std::string error;  // why it is not valid, when !normalized
};

// `default_region` (ISO 3166 alpha-2, e.g. "US") applies to numbers written without "+".
address_result normalize_phone(std::string_view text, std::string_view default_region = "US");

// Accepts what RFC 5321 can route (local@domain, no spaces or control characters, a dot in the
// domain or a bracketed literal); the mail server is the final judge.
address_result normalize_email(std::string_view text);

}  // namespace liaison::channels
