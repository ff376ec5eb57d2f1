// Provider callbacks as plain decisions: Kannel's signed dlr-url and DLR types, SendGrid's
// signed Event Webhook and its events, the generic webhook's status posts. Forged, tampered,
// replayed and malformed callbacks are refused here, before any route sees them.
#include <gtest/gtest.h>

#include "channels/kannel.hpp"
#include "channels/outcome.hpp"
#include "channels/sendgrid.hpp"
#include "channels/status_report.hpp"
#include "channels/webhook.hpp"
#include "support/crypto.hpp"
#include "tests/support/ecdsa_key.hpp"

namespace liaison::channels {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const auto now = system_clock::time_point(std::chrono::seconds(1'700'000'000));

// --- Kannel -------------------------------------------------------------------------------

TEST(kannel_dlr, the_signature_is_hex_hmac_sha256_of_the_delivery_id) {
  EXPECT_EQ(kannel_dlr_signature("k", "ann_1:fam-1:g-1:sms"),
            hex_encode(hmac_sha256("k", "ann_1:fam-1:g-1:sms")));
  EXPECT_EQ(kannel_dlr_signature("k", "d1").size(), 64u);
}

TEST(kannel_dlr, accepts_the_signature_we_put_in_the_dlr_url) {
  EXPECT_EQ(verify_kannel_dlr("k", "d1", kannel_dlr_signature("k", "d1")), callback_verdict::valid);
}

TEST(kannel_dlr, refuses_forged_tampered_and_missing_signatures) {
  const auto sig = kannel_dlr_signature("k", "d1");
  EXPECT_EQ(verify_kannel_dlr("other key", "d1", sig), callback_verdict::wrong_signature);
  // Another delivery's id with this signature: a tampered URL.
  EXPECT_EQ(verify_kannel_dlr("k", "d2", sig), callback_verdict::wrong_signature);
  EXPECT_EQ(verify_kannel_dlr("k", "d1", ""), callback_verdict::missing);
  EXPECT_EQ(verify_kannel_dlr("k", "", sig), callback_verdict::missing);
  EXPECT_EQ(verify_kannel_dlr("k", "d1", sig.substr(1)), callback_verdict::malformed);
  std::string upper = sig;
  upper[0] = 'G';
  EXPECT_EQ(verify_kannel_dlr("k", "d1", upper), callback_verdict::malformed);
}

TEST(kannel_dlr, maps_each_dlr_type_to_a_queue_state) {
  const auto state = [](std::string_view type) {
    const auto r = interpret_kannel_dlr("d1", type, "");
    return r ? r->state + "/" + r->provider_status : std::string("refused");
  };
  EXPECT_EQ(state("1"), "delivered/delivered");
  EXPECT_EQ(state("2"), "undelivered/failed");
  EXPECT_EQ(state("4"), "sent/buffered");
  EXPECT_EQ(state("8"), "sent/submitted");
  EXPECT_EQ(state("16"), "undelivered/rejected");
  EXPECT_EQ(state("3"), "refused");
  EXPECT_EQ(state(""), "refused");
  EXPECT_EQ(state("%d"), "refused");  // Kannel did not substitute it
}

TEST(kannel_dlr, keeps_the_smsc_answer_of_a_failure_bounded_and_whole_characters) {
  const auto failed = interpret_kannel_dlr("d1", "16", "NACK/0x0000000b/Invalid Destination");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->error, "NACK/0x0000000b/Invalid Destination");
  EXPECT_EQ(interpret_kannel_dlr("d1", "1", "ACK/")->error, "");
  std::string long_answer(199, 'x');
  long_answer += "é";  // two bytes across the 200-byte bound
  EXPECT_EQ(interpret_kannel_dlr("d1", "2", long_answer)->error, std::string(199, 'x'));
  // The answer is not signed and an SMSC may write Latin-1: ill-formed UTF-8 is replaced.
  EXPECT_EQ(interpret_kannel_dlr("d1", "2", "NACK/Num\xe9ro invalide")->error,
            "NACK/Num\xef\xbf\xbdro invalide");
}

TEST(kannel_request, the_dlr_url_carries_the_delivery_id_and_its_signature) {
  kannel_settings settings;
  settings.base_url = "http://127.0.0.1:13013";
  settings.username = "u";
  settings.password = "p";
  settings.public_url = "https://liaison.example.org";
  settings.dlr_secret = "dlr-key";
  rendered_delivery d;
  d.delivery_id = "ann_1:fam-1:g-1:sms";
  d.address = "+12025550143";
  d.text = "hola";
  const auto req = build_kannel_request(settings, d, false);
  const std::string expected =
      "https://liaison.example.org/v1/providers/kannel/dlr?delivery_id=ann_1%3Afam-1%3Ag-1%3Asms"
      "&sig=" +
      kannel_dlr_signature("dlr-key", d.delivery_id) + "&type=%d&answer=%A";
  EXPECT_NE(req.url.find("&dlr-url=" + form_encode(expected)), std::string::npos) << req.url;
}

// Kannel MO: the get-url's token, and the fields smsbox fills in.

constexpr const char* mo_token = "0123456789abcdef0123456789abcdef";

TEST(kannel_mo, accepts_the_configured_token) {
  EXPECT_EQ(verify_kannel_mo_token(mo_token, mo_token), callback_verdict::valid);
}

TEST(kannel_mo, refuses_a_wrong_or_truncated_token) {
  EXPECT_EQ(verify_kannel_mo_token(mo_token, "0123456789abcdef0123456789abcdeF"),
            callback_verdict::wrong_signature);
  EXPECT_EQ(verify_kannel_mo_token(mo_token, "0123456789abcdef"),
            callback_verdict::wrong_signature);
  EXPECT_EQ(verify_kannel_mo_token(mo_token, std::string(mo_token) + "0"),
            callback_verdict::wrong_signature);
}

TEST(kannel_mo, refuses_a_missing_token_and_never_accepts_when_none_is_configured) {
  EXPECT_EQ(verify_kannel_mo_token(mo_token, ""), callback_verdict::missing);
  EXPECT_EQ(verify_kannel_mo_token("", ""), callback_verdict::missing);
  EXPECT_EQ(verify_kannel_mo_token("", "anything"), callback_verdict::missing);
}

TEST(kannel_mo, reads_the_sender_as_e164_whatever_the_smsc_wrote) {
  for (const char* from : {"+12025550111", "12025550111", "2025550111", "+1 (202) 555-0111"}) {
    const auto mo = parse_kannel_mo(from, "12345", "PARAR");
    ASSERT_TRUE(mo) << from;
    EXPECT_EQ(mo->from, "+12025550111") << from;
    EXPECT_EQ(mo->to, "12345");
    EXPECT_EQ(mo->text, "PARAR");
  }
}

TEST(kannel_mo, keeps_the_text_as_written) {
  const auto mo = parse_kannel_mo("+84901234567", "12345", "DỪNG");
  ASSERT_TRUE(mo);
  EXPECT_EQ(mo->from, "+84901234567");
  EXPECT_EQ(mo->text, "DỪNG");
  const auto empty = parse_kannel_mo("+12025550111", "12345", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->text, "");
}

TEST(kannel_mo, refuses_a_sender_that_is_no_phone_number_or_no_text) {
  EXPECT_FALSE(parse_kannel_mo("", "12345", "STOP"));
  EXPECT_FALSE(parse_kannel_mo("SCHOOL", "12345", "STOP"));
  EXPECT_FALSE(parse_kannel_mo("%p", "12345", "STOP"));  // a get-url Kannel did not fill in
  EXPECT_FALSE(parse_kannel_mo("+12025550111", "12345", std::nullopt));
}

// --- SendGrid -----------------------------------------------------------------------------

// SendGrid's own published example (its libraries' tests): key, signature, timestamp, payload.
constexpr const char* sendgrid_example_key =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+"
    "u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHP"
    "TnlvFYPAZFceEu/1FwCM/QmGUhA==";
constexpr const char* sendgrid_example_signature =
    "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/"
    "0=";
constexpr const char* sendgrid_example_timestamp = "1588788367";
constexpr const char* sendgrid_example_payload =
    R"({"category":"example_payload","event":"test_event","message_id":"message_id"})";
const auto sendgrid_example_time = system_clock::time_point(std::chrono::seconds(1'588'788'367));

TEST(sendgrid_signature, verifies_sendgrids_published_example) {
  const sendgrid_event_verifier verifier(sendgrid_example_key);
  EXPECT_EQ(verifier.verify(sendgrid_example_timestamp, sendgrid_example_payload,
                            sendgrid_example_signature, sendgrid_example_time + 30s),
            callback_verdict::valid);
}

TEST(sendgrid_signature, refuses_a_tampered_payload_or_timestamp) {
  const sendgrid_event_verifier verifier(sendgrid_example_key);
  std::string tampered = sendgrid_example_payload;
  tampered.replace(tampered.find("test_event"), 10, "delivered!");
  EXPECT_EQ(verifier.verify(sendgrid_example_timestamp, tampered, sendgrid_example_signature,
                            sendgrid_example_time),
            callback_verdict::wrong_signature);
  EXPECT_EQ(verifier.verify("1588788368", sendgrid_example_payload, sendgrid_example_signature,
                            sendgrid_example_time),
            callback_verdict::wrong_signature);
}

TEST(sendgrid_signature, refuses_a_replay_outside_the_time_window) {
  const sendgrid_event_verifier verifier(sendgrid_example_key);
  EXPECT_EQ(verifier.verify(sendgrid_example_timestamp, sendgrid_example_payload,
                            sendgrid_example_signature, sendgrid_example_time + 6min),
            callback_verdict::stale);
  EXPECT_EQ(verifier.verify(sendgrid_example_timestamp, sendgrid_example_payload,
                            sendgrid_example_signature, sendgrid_example_time - 6min),
            callback_verdict::stale);
}

TEST(sendgrid_signature, refuses_a_signature_by_another_key) {
  const testing::ecdsa_key ours;
  const testing::ecdsa_key forger;
  const sendgrid_event_verifier verifier(ours.public_key_base64());
  const std::string body = R"([{"event":"delivered","delivery_id":"d1"}])";
  EXPECT_EQ(
      verifier.verify("1700000000", body, ours.sign_base64(std::string("1700000000") + body), now),
      callback_verdict::valid);
  EXPECT_EQ(verifier.verify("1700000000", body,
                            forger.sign_base64(std::string("1700000000") + body), now),
            callback_verdict::wrong_signature);
}

TEST(sendgrid_signature, refuses_missing_and_malformed_headers) {
  const sendgrid_event_verifier verifier(sendgrid_example_key);
  EXPECT_EQ(verifier.verify("", "[]", sendgrid_example_signature, now), callback_verdict::missing);
  EXPECT_EQ(verifier.verify("1700000000", "[]", "", now), callback_verdict::missing);
  EXPECT_EQ(verifier.verify("yesterday", "[]", sendgrid_example_signature, now),
            callback_verdict::malformed);
  EXPECT_EQ(verifier.verify("1700000000", "[]", "not base64!", now), callback_verdict::malformed);
  EXPECT_EQ(verifier.verify("1700000000", "[]", "AAAA", now), callback_verdict::wrong_signature);
}

TEST(sendgrid_signature, the_key_must_be_a_p256_public_key) {
  EXPECT_THROW(sendgrid_event_verifier("not a key"), std::invalid_argument);
  EXPECT_THROW(sendgrid_event_verifier(base64_encode("garbage")), std::invalid_argument);
  EXPECT_THROW(sendgrid_event_verifier(testing::ecdsa_key("P-384").public_key_base64()),
               std::invalid_argument);
  const std::string pem = "-----BEGIN PUBLIC KEY-----\n" + std::string(sendgrid_example_key) +
                          "\n-----END PUBLIC KEY-----\n";
  EXPECT_NO_THROW(sendgrid_event_verifier{pem});
}

TEST(sendgrid_events, map_to_queue_states_through_custom_args) {
  const auto reports = interpret_sendgrid_events(R"([
    {"email":"a@example.org","event":"processed","delivery_id":"d1","sg_event_id":"e1"},
    {"email":"a@example.org","event":"delivered","delivery_id":"d1","sg_event_id":"e2"},
    {"email":"b@example.org","event":"bounce","delivery_id":"d2","status":"5.1.1",
     "reason":"550 5.1.1 no such user","type":"bounce"},
    {"email":"c@example.org","event":"dropped","delivery_id":"d3","reason":"Bounced Address"},
    {"email":"d@example.org","event":"deferred","delivery_id":"d4","response":"try later"},
    {"email":"a@example.org","event":"open","delivery_id":"d1"},
    {"email":"x@example.org","event":"delivered"}
  ])");
  ASSERT_TRUE(reports);
  ASSERT_EQ(reports->size(), 5u);
  EXPECT_EQ((*reports)[0].state, "sent");
  EXPECT_EQ((*reports)[1].delivery_id, "d1");
  EXPECT_EQ((*reports)[1].state, "delivered");
  EXPECT_EQ((*reports)[2].state, "undelivered");
  EXPECT_EQ((*reports)[2].provider_status, "bounce");
  EXPECT_EQ((*reports)[2].error, "5.1.1 550 5.1.1 no such user");
  EXPECT_EQ((*reports)[3].state, "undelivered");
  EXPECT_EQ((*reports)[3].error, "Bounced Address");
  EXPECT_EQ((*reports)[4].state, "sent");
  EXPECT_EQ((*reports)[4].provider_status, "deferred");
}

TEST(sendgrid_events, a_body_that_is_not_an_array_of_events_is_malformed) {
  EXPECT_FALSE(interpret_sendgrid_events(R"({"event":"delivered"})"));
  EXPECT_FALSE(interpret_sendgrid_events("[1, 2]"));
  EXPECT_FALSE(interpret_sendgrid_events("[{"));
  EXPECT_TRUE(interpret_sendgrid_events("[]"));
}

// --- Generic webhook ----------------------------------------------------------------------

TEST(webhook_status, maps_the_gateways_words_to_queue_states) {
  const auto state = [](const std::string& status) {
    const auto r = interpret_webhook_status(R"({"delivery_id":"d1","status":")" + status + R"("})");
    return r ? r->state : std::string("refused");
  };
  EXPECT_EQ(state("delivered"), "delivered");
  EXPECT_EQ(state("failed"), "undelivered");
  EXPECT_EQ(state("undelivered"), "undelivered");
  EXPECT_EQ(state("rejected"), "undelivered");
  EXPECT_EQ(state("queued"), "sent");
  EXPECT_EQ(state("lost in the mail"), "refused");
}

TEST(webhook_status, keeps_the_error_and_refuses_what_is_not_a_status) {
  const auto r = interpret_webhook_status(
      R"({"delivery_id":"d1","status":"failed","error":"handset unreachable"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->delivery_id, "d1");
  EXPECT_EQ(r->provider_status, "failed");
  EXPECT_EQ(r->error, "handset unreachable");
  EXPECT_FALSE(interpret_webhook_status(R"({"status":"delivered"})"));
  EXPECT_FALSE(interpret_webhook_status(R"({"delivery_id":"","status":"delivered"})"));
  EXPECT_FALSE(interpret_webhook_status(R"({"delivery_id":7,"status":"delivered"})"));
  EXPECT_FALSE(interpret_webhook_status("delivered"));
}

// --- Shared -------------------------------------------------------------------------------

TEST(callback_time, unix_seconds_and_the_tolerance_window) {
  EXPECT_EQ(parse_unix_seconds("1700000000"), now);
  EXPECT_FALSE(parse_unix_seconds(""));
  EXPECT_FALSE(parse_unix_seconds("17e8"));
  EXPECT_FALSE(parse_unix_seconds("-5"));
  EXPECT_FALSE(parse_unix_seconds("111111111111111"));  // beyond 2262: would overflow
  EXPECT_FALSE(parse_unix_seconds("9223372036854775807"));
  EXPECT_TRUE(within_tolerance(now, now + 5min, 5min));
  EXPECT_FALSE(within_tolerance(now, now + 5min + 1s, 5min));
  EXPECT_FALSE(within_tolerance(now + 5min + 1s, now, 5min));
}

TEST(base64, decodes_what_it_encodes_and_refuses_what_is_not_base64) {
  EXPECT_EQ(base64_decode(base64_encode("Mañana")), "Mañana");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("a*b="));
  EXPECT_FALSE(base64_decode("abc"));  // truncated
}

// The generic webhook's inbound posts.

TEST(webhook_inbound, reads_sender_text_and_receiver) {
  const auto text =
      interpret_webhook_inbound(R"({"from": "+12025550111", "text": "PARAR", "to": "12345"})");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->from, "+12025550111");
  EXPECT_EQ(text->text, "PARAR");
  EXPECT_EQ(text->to, "12345");
}

TEST(webhook_inbound, normalizes_the_sender_and_needs_no_receiver) {
  const auto text = interpret_webhook_inbound(R"({"from": "(202) 555-0111", "text": "¿Sí?"})");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->from, "+12025550111");
  EXPECT_EQ(text->text, "¿Sí?");
  EXPECT_EQ(text->to, "");
}

TEST(webhook_inbound, refuses_what_is_no_inbound_text) {
  for (const char* body :
       {"", "[]", "not json", R"({"text": "STOP"})", R"({"from": "+12025550111"})",
        R"({"from": "nobody", "text": "STOP"})", R"({"from": 12025550111, "text": "STOP"})",
        R"({"from": "+12025550111", "text": 1})"}) {
    EXPECT_FALSE(interpret_webhook_inbound(body)) << body;
  }
}

}  // namespace
}  // namespace liaison::channels
