#include "tests/support/ecdsa_key.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "support/crypto.hpp"

namespace liaison::testing {

ecdsa_key::ecdsa_key(const char* curve) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  if (key == nullptr) {
    throw std::runtime_error(std::string("cannot generate an EC key on ") + curve);
  }
  key_.reset(key, EVP_PKEY_free);
}

std::string ecdsa_key::public_key_base64() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) {
    throw std::runtime_error("i2d_PUBKEY failed");
  }
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return base64_encode(bytes);
}

std::string ecdsa_key::sign_base64(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  signature.resize(len);
  return base64_encode(signature);
}

}  // namespace liaison::testing
