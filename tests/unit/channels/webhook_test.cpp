// The generic webhook's signatures, both directions.
#include "channels/webhook.hpp"

#include <gtest/gtest.h>

#include "support/crypto.hpp"

namespace liaison::channels {
namespace {

using namespace std::chrono_literals;

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

TEST(webhook_signature, is_hmac_sha256_over_timestamp_dot_body) {
  EXPECT_EQ(webhook_signature("k", "1700000000", "{}"),
            "sha256=" + hex_encode(hmac_sha256("k", "1700000000.{}")));
}

TEST(webhook_verification, accepts_a_fresh_correct_signature) {
  const auto sig = webhook_signature("k", "1700000000", R"({"a":1})");
  EXPECT_EQ(verify_webhook_signature("k", "1700000000", R"({"a":1})", sig, now + 10s),
            webhook_verdict::valid);
}

TEST(webhook_verification, rejects_forged_tampered_replayed_and_malformed_requests) {
  const auto sig = webhook_signature("k", "1700000000", R"({"a":1})");
  EXPECT_EQ(verify_webhook_signature("other", "1700000000", R"({"a":1})", sig, now),
            webhook_verdict::wrong_signature);
  EXPECT_EQ(verify_webhook_signature("k", "1700000000", R"({"a":2})", sig, now),
            webhook_verdict::wrong_signature);
  EXPECT_EQ(verify_webhook_signature("k", "1700000001", R"({"a":1})", sig, now),
            webhook_verdict::wrong_signature);
  EXPECT_EQ(verify_webhook_signature("k", "1700000000", R"({"a":1})", sig, now + 10min),
            webhook_verdict::stale);
  EXPECT_EQ(verify_webhook_signature("k", "", R"({"a":1})", sig, now), webhook_verdict::missing);
  EXPECT_EQ(verify_webhook_signature("k", "soon", R"({"a":1})", sig, now),
            webhook_verdict::malformed);
  EXPECT_EQ(verify_webhook_signature("k", "1700000000", R"({"a":1})", sig.substr(7), now),
            webhook_verdict::malformed);
}

TEST(webhook_request, is_signed_json_with_an_idempotency_key) {
  rendered_delivery d;
  d.delivery_id = "dlv_1";
  d.channel = config::channel::sms;
  d.address = "+12025550143";
  d.text = "Hola";
  const auto req = build_webhook_request("https://gw.example/send", "k", d, now, 5s);
  EXPECT_EQ(req.method, "POST");
  std::string timestamp, signature;
  for (const auto& h : req.headers) {
    if (h.name == webhook_timestamp_header) {
      timestamp = h.value;
    } else if (h.name == webhook_signature_header) {
      signature = h.value;
    }
  }
  EXPECT_EQ(timestamp, "1700000000");
  EXPECT_EQ(verify_webhook_signature("k", timestamp, req.body, signature, now),
            webhook_verdict::valid);
}

}  // namespace
}  // namespace liaison::channels
