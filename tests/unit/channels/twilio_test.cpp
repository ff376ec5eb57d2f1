// Twilio's pure parts: request building, TwiML, answer classification, signatures.
#include "channels/twilio.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <map>

namespace liaison::channels {
namespace {

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

const form_fields documented_params = {
    {"CallSid", "CA1234567890ABCDE"}, {"Caller", "+12349013030"}, {"Digits", "1234"},
    {"From", "+12349013030"},         {"To", "+18005551212"},
};

TEST(twilio_status, final_states_from_message_and_call_statuses) {
  EXPECT_EQ(interpret_twilio_status({{"MessageStatus", "delivered"}}).final_state, "delivered");
  EXPECT_EQ(interpret_twilio_status({{"MessageStatus", "read"}}).final_state, "delivered");
  EXPECT_EQ(interpret_twilio_status({{"CallStatus", "completed"}}).final_state, "delivered");
  EXPECT_EQ(interpret_twilio_status({{"MessageStatus", "undelivered"}}).final_state, "undelivered");
  EXPECT_EQ(interpret_twilio_status({{"CallStatus", "no-answer"}}).final_state, "undelivered");
  EXPECT_EQ(interpret_twilio_status({{"MessageStatus", "sent"}}).final_state, "");
  EXPECT_EQ(interpret_twilio_status({{"CallStatus", "ringing"}}).final_state, "");
  const auto stop = interpret_twilio_status(
      {{"MessageStatus", "failed"}, {"ErrorCode", "21610"}, {"To", "+12025550111"}});
  EXPECT_TRUE(stop.recipient_opted_out);
  EXPECT_EQ(stop.error_code, "21610");
  EXPECT_FALSE(interpret_twilio_status({{"MessageStatus", "failed"}, {"ErrorCode", "30003"}})
                   .recipient_opted_out);
}

TEST(twilio_signature, matches_the_documented_vector) {
  EXPECT_EQ(
      twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", documented_params),
      "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST(twilio_signature, sorts_fields_by_key_whatever_their_order) {
  form_fields shuffled(documented_params.rbegin(), documented_params.rend());
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", shuffled),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST(twilio_signature, verifies_the_documented_vector) {
  EXPECT_TRUE(verify_twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                      documented_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

TEST(twilio_signature, accepts_the_url_with_an_explicit_default_port) {
  EXPECT_TRUE(verify_twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                      documented_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

TEST(twilio_signature, accepts_a_signature_made_over_the_url_with_the_port) {
  const auto with_port = twilio_signature(
      "12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", documented_params);
  EXPECT_TRUE(verify_twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                      documented_params, with_port));
}

TEST(twilio_signature, rejects_a_non_default_port_tampered_fields_and_wrong_tokens) {
  EXPECT_FALSE(verify_twilio_signature("12345", "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
                                       documented_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  auto tampered = documented_params;
  tampered[2].second = "9";
  EXPECT_FALSE(verify_twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                       tampered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  EXPECT_FALSE(verify_twilio_signature("54321", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                       documented_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  EXPECT_FALSE(verify_twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                       documented_params, ""));
}

TEST(twilio_twiml, speaks_escaped_text_in_the_voice_language_inside_a_gather) {
  const auto twiml = build_call_twiml(
      "Reunión <hoy> & \"mañana\"", "es-MX", "Presione 1 para confirmar, 2 para repetir.",
      "https://l.example/v1/providers/twilio/voice?delivery_id=a&b");
  EXPECT_EQ(
      twiml,
      R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
      R"(<Gather numDigits="1" method="POST" action="https://l.example/v1/providers/twilio/voice?delivery_id=a&amp;b">)"
      R"(<Say language="es-MX">Reunión &lt;hoy&gt; &amp; &quot;mañana&quot;</Say>)"
      R"(<Say language="es-MX">Presione 1 para confirmar, 2 para repetir.</Say>)"
      R"(</Gather></Response>)");
}

TEST(twilio_twiml, an_empty_text_says_only_the_prompt_again) {
  EXPECT_EQ(build_call_twiml("", "es-MX", "Oprima 1.", "https://l.example/v"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
            R"(<Gather numDigits="1" method="POST" action="https://l.example/v">)"
            R"(<Say language="es-MX">Oprima 1.</Say></Gather></Response>)");
}

TEST(twilio_twiml, goodbye_says_the_text_in_the_voice_language_and_hangs_up) {
  EXPECT_EQ(build_goodbye_twiml("Gracias & adiós.", "es-MX"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
            R"(<Say language="es-MX">Gracias &amp; adiós.</Say><Hangup/></Response>)");
  EXPECT_EQ(build_goodbye_twiml("", "es-MX"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>)");
  EXPECT_EQ(build_goodbye_twiml("Thanks", ""),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>)");
}

TEST(twilio_twiml, the_gather_action_names_the_delivery_in_our_public_url) {
  EXPECT_EQ(twilio_gather_action("https://liaison.example.org/", "ann_1:fam-1:g 1:voice"),
            "https://liaison.example.org/v1/providers/twilio/"
            "voice?delivery_id=ann_1%3Afam-1%3Ag+1%3Avoice");
}

twilio_settings settings() {
  twilio_settings s;
  s.base_url = "https://api.twilio.com/";
  s.account_sid = "AC123";
  s.auth_token = "tok";
  s.from = "+15005550006";
  s.public_url = "https://liaison.example.org";
  return s;
}

std::map<std::string, std::string> fields_of(const std::string& body) {
  std::map<std::string, std::string> out;
  boost::urls::url query(*boost::urls::parse_relative_ref("?" + body));
  for (const auto& p : query.params()) {
    out[std::string(p.key)] = std::string(p.value);
  }
  return out;
}

TEST(twilio_request, sms_uses_the_messaging_service_when_configured) {
  auto s = settings();
  s.messaging_service_sid = "MG1";
  rendered_delivery d;
  d.address = "+12025550143";
  d.text = "a b+c&d=é";
  const auto req = build_twilio_sms_request(s, d);
  EXPECT_EQ(req.url, "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
  EXPECT_EQ(req.body.find("+c"), std::string::npos);  // '+' in a value is percent-encoded
  const auto fields = fields_of(req.body);
  EXPECT_EQ(fields.at("MessagingServiceSid"), "MG1");
  EXPECT_EQ(fields.count("From"), 0u);
  EXPECT_EQ(fields.at("Body"), "a b+c&d=é");
  ASSERT_TRUE(req.basic_auth);
  EXPECT_EQ(req.basic_auth->username, "AC123");
}

TEST(twilio_request, a_call_whose_twiml_is_too_long_is_not_built) {
  rendered_delivery d;
  d.channel = config::channel::voice;
  d.voice_language = "en-US";
  d.text.assign(4000, 'a');
  EXPECT_FALSE(build_twilio_call_request(settings(), d));
  d.text.assign(100, 'a');
  const auto req = build_twilio_call_request(settings(), d);
  ASSERT_TRUE(req);
  // The delivery id (empty here) rides in the callback URL.
  EXPECT_EQ(fields_of(req->body).at("StatusCallback"),
            "https://liaison.example.org/v1/providers/twilio/status?delivery_id=");
}

http_response answer(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(twilio_classification, created_is_sent_with_the_sid) {
  const auto o = classify_twilio_answer(answer(201, R"({"sid":"SM1","status":"queued"})"), now);
  EXPECT_EQ(o.kind, outcome_kind::sent);
  EXPECT_EQ(o.provider_message_id, "SM1");
}

TEST(twilio_classification, unsubscribed_is_permanent_and_opted_out) {
  const auto o = classify_twilio_answer(
      answer(400, R"({"code":21610,"message":"unsubscribed","status":400})"), now);
  EXPECT_EQ(o.kind, outcome_kind::permanent_failure);
  EXPECT_TRUE(o.recipient_opted_out);
  EXPECT_NE(o.reason.find("21610"), std::string::npos);
}

TEST(twilio_classification, invalid_to_is_permanent) {
  const auto o = classify_twilio_answer(
      answer(400, R"({"code":21211,"message":"Invalid 'To' Phone Number","status":400})"), now);
  EXPECT_EQ(o.kind, outcome_kind::permanent_failure);
  EXPECT_TRUE(o.invalid_address);
  EXPECT_FALSE(o.recipient_opted_out);
}

TEST(twilio_classification, error_20429_is_retried_whatever_the_status) {
  const auto o = classify_twilio_answer(answer(400, R"({"code":20429,"status":400})"), now);
  EXPECT_EQ(o.kind, outcome_kind::retry_later);
}

TEST(twilio_classification, other_validation_errors_are_permanent_and_5xx_retried) {
  EXPECT_EQ(classify_twilio_answer(answer(400, R"({"code":21602,"status":400})"), now).kind,
            outcome_kind::permanent_failure);
  EXPECT_EQ(classify_twilio_answer(answer(503, "<html>down</html>"), now).kind,
            outcome_kind::retry_later);
}

}  // namespace
}  // namespace liaison::channels
