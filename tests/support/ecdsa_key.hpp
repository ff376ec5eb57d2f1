// An ECDSA key pair made for one test, to sign as SendGrid's Signed Event Webhook does: the
// public key as SendGrid shows it (Base64 DER SubjectPublicKeyInfo) and Base64 DER signatures
// over SHA-256.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace liaison::testing {

class ecdsa_key {
 public:
  explicit ecdsa_key(const char* curve = "P-256");  // throws std::runtime_error

  std::string public_key_base64() const;
  std::string sign_base64(std::string_view data) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace liaison::testing
