// API-key authentication: a Bearer token is hashed with SHA-256 and compared in constant time
// with the configured hashes; the matching key gives the caller's role and schools.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "support/crypto.hpp"

namespace liaison::http {

struct principal {
  std::string key_name;
  config::role role = config::role::school;
  std::vector<std::string> schools;  // for role school: the schools it may address

  bool may_act_for_school(std::string_view school) const;
};

enum class auth_failure { missing_credentials, malformed_credentials, unknown_key };

struct auth_result {
  std::optional<principal> caller;
  auth_failure failure = auth_failure::missing_credentials;  // when !caller
};

class authenticator {
 public:
  explicit authenticator(std::vector<config::api_key_config> keys);

  // `authorization` is the whole Authorization header value (empty when absent).
  auth_result authenticate(std::string_view authorization) const;

 private:
  std::vector<config::api_key_config> keys_;
  sha256_hasher sha256_;
};

}  // namespace liaison::http
