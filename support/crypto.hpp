// Hashes and MACs used for API keys and provider signatures, on OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct evp_md_st;

namespace liaison {

// Lowercase hex SHA-256 of `data` (how API keys are stored in config).
std::string sha256_hex(std::string_view data);

// SHA-256 with the algorithm looked up once. OpenSSL 3 fetches the implementation from its
// provider on every EVP_Digest given EVP_sha256(); a hash on every request (API keys) keeps one.
class sha256_hasher {
 public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;

  // Lowercase hex, as sha256_hex.
  std::string hex(std::string_view data) const;

 private:
  evp_md_st* md_;
};

// Raw HMAC digests (binary strings), for provider signatures.
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

std::string base64_encode(std::string_view bytes);
// Standard Base64 (RFC 4648 §4, padded); nullopt when `text` is not valid Base64.
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);

// Compares without leaking where the first difference is (lengths may differ).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// `count` cryptographically random bytes as lowercase hex (ids, demo keys).
std::string random_hex(std::size_t count);
// Fills `out` with `count` cryptographically random bytes.
void fill_random(unsigned char* out, std::size_t count);

}  // namespace liaison
