// SHA-256 as API keys are hashed (sha256_hasher, sha256_hex), and constant_time_equal, which
// compares API key hashes and callback signatures (daemon/http/auth.cpp, channels/*): its
// answers, for every position of a difference. That it takes the same time wherever the
// difference is comes from OpenSSL's CRYPTO_memcmp, which it calls; no timing is measured here.
#include "support/crypto.hpp"

#include <gtest/gtest.h>

#include <string>

namespace liaison {
namespace {

TEST(sha256, the_kept_algorithm_gives_the_known_digests) {
  // FIPS 180-2's examples, from the hasher kept by the authenticator and from the free function.
  const sha256_hasher hasher;
  EXPECT_EQ(hasher.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hasher.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), hasher.hex("abc"));
}

TEST(constant_time_equal, equal_strings_are_equal) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(sha256_hex("key"), sha256_hex("key")));
  const std::string with_nul("a\0b", 3);
  EXPECT_TRUE(constant_time_equal(with_nul, std::string("a\0b", 3)));
}

TEST(constant_time_equal, a_difference_anywhere_is_found) {
  const std::string hash = sha256_hex("key");
  for (std::size_t i = 0; i < hash.size(); ++i) {
    std::string other = hash;
    other[i] = other[i] == '0' ? '1' : '0';
    EXPECT_FALSE(constant_time_equal(hash, other)) << "difference at " << i;
  }
  // A difference after a NUL byte counts (no C-string comparison).
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(constant_time_equal, prefixes_and_other_lengths_are_not_equal) {
  const std::string hash = sha256_hex("key");
  EXPECT_FALSE(constant_time_equal(hash, hash.substr(0, 63)));
  EXPECT_FALSE(constant_time_equal(hash, hash + "0"));
  EXPECT_FALSE(constant_time_equal(hash, ""));
  EXPECT_FALSE(constant_time_equal("", hash));
}

}  // namespace
}  // namespace liaison
