#include "daemon/http/auth.hpp"

#include <algorithm>

namespace liaison::http {

bool principal::may_act_for_school(std::string_view school) const {
  if (role != config::role::school) {
    return true;
  }
  return std::find(schools.begin(), schools.end(), school) != schools.end();
}

authenticator::authenticator(std::vector<config::api_key_config> keys) : keys_(std::move(keys)) {}

auth_result authenticator::authenticate(std::string_view authorization) const {
  if (authorization.empty()) {
    return {std::nullopt, auth_failure::missing_credentials};
  }
  constexpr std::string_view scheme = "Bearer ";
  // The scheme is case-insensitive (RFC 9110 §11.1).
  if (authorization.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return {std::nullopt, auth_failure::malformed_credentials};
  }
  const std::string token_hash = sha256_.hex(authorization.substr(scheme.size()));
  // Every key is compared, so the time taken does not tell which one matched.
  const config::api_key_config* match = nullptr;
  for (const auto& key : keys_) {
    if (constant_time_equal(token_hash, key.sha256_hex)) {
      match = &key;
    }
  }
  if (match == nullptr) {
    return {std::nullopt, auth_failure::unknown_key};
  }
  return {principal{match->name, match->key_role, match->schools}, {}};
}

}  // namespace liaison::http
