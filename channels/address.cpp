#include "channels/address.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

namespace liaison::channels {

address_result normalize_phone(std::string_view text, std::string_view default_region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  if (text.empty()) {
    return {std::nullopt, "a phone number is required"};
  }
  if (text.size() > 64) {
    return {std::nullopt, "too long for a phone number"};
  }
  // libphonenumber's utility object is its own process-wide instance; it is immutable.
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const auto parse_error = util.Parse(std::string(text), std::string(default_region), &number);
  if (parse_error != PhoneNumberUtil::NO_PARSING_ERROR) {
    return {std::nullopt, "not a phone number"};
  }
  if (!util.IsValidNumber(number)) {
    return {std::nullopt, "not a valid phone number for its country"};
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return {std::move(e164), {}};
}

address_result normalize_email(std::string_view text) {
  if (text.empty()) {
    return {std::nullopt, "an email address is required"};
  }
  if (text.size() > 254) {  // RFC 5321 path limit
    return {std::nullopt, "longer than 254 characters"};
  }
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) {
    return {std::nullopt, "must look like name@domain"};
  }
  const bool has_bad_char = std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';';
  });
  if (has_bad_char) {
    return {std::nullopt, "contains spaces or characters not allowed in an address"};
  }
  const auto domain = text.substr(at + 1);
  if (domain.find('.') == std::string_view::npos && domain.front() != '[') {
    return {std::nullopt, "the domain needs a dot, e.g. name@school.org"};
  }
  return {std::string(text), {}};
}

}  // namespace liaison::channels
