#include "daemon/services/direct_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/services/json_input.hpp"

namespace liaison::services {
namespace {

using ::testing::Contains;
using ::testing::Field;

direct_message_validation validate(std::string_view json) {
  return validate_direct_message(boost::json::parse(json));
}

std::vector<std::string> fields_of(const direct_message_validation& v) {
  std::vector<std::string> fields;
  for (const auto& e : v.errors) {
    fields.push_back(e.field);
  }
  return fields;
}

TEST(direct_message, valid_sms_is_normalized) {
  const auto v = validate(
      R"({"to": {"phone": "(202) 555-0143"}, "channel": "sms", "language": "ES-mx", "body": "Hola"})");
  ASSERT_TRUE(v.message) << (v.errors.empty() ? "" : v.errors[0].message);
  EXPECT_EQ(v.message->address, "+12025550143");
  EXPECT_EQ(v.message->language, "es-MX");
  EXPECT_EQ(v.message->channel, config::channel::sms);
}

TEST(direct_message, valid_email_keeps_its_subject) {
  const auto v = validate(R"({"to": {"email": "ana@example.org"}, "channel": "email",
      "language": "pt-BR", "subject": "Reunião", "body": "Olá"})");
  ASSERT_TRUE(v.message);
  EXPECT_EQ(v.message->address, "ana@example.org");
  EXPECT_EQ(v.message->subject, "Reunião");
}

TEST(direct_message, every_invalid_field_is_reported_at_once) {
  const auto v = validate(R"({"to": {"phone": "12"}, "channel": "fax", "body": 5, "color": 1})");
  EXPECT_FALSE(v.message);
  EXPECT_THAT(fields_of(v),
              ::testing::UnorderedElementsAre("channel", "language", "body", "color"));
}

TEST(direct_message, address_must_match_the_channel) {
  const auto v = validate(
      R"({"to": {"email": "ana@example.org"}, "channel": "sms", "language": "en", "body": "x"})");
  EXPECT_THAT(fields_of(v), Contains("to.phone"));
}

TEST(direct_message, invalid_phone_and_email_are_rejected) {
  EXPECT_THAT(
      fields_of(validate(
          R"({"to": {"phone": "+1 555"}, "channel": "sms", "language": "en", "body": "x"})")),
      Contains("to.phone"));
  EXPECT_THAT(
      fields_of(validate(
          R"({"to": {"email": "ana at school"}, "channel": "email", "language": "en", "body": "x"})")),
      Contains("to.email"));
}

TEST(direct_message, remembered_checks_answer_as_the_first_check_did) {
  direct_message_memo memo;
  const char* inputs[] = {
      R"({"to": {"phone": "(202) 555-0143"}, "channel": "sms", "language": "ES-mx", "body": "a"})",
      R"({"to": {"phone": "+1 555"}, "channel": "sms", "language": "xx-!!", "body": "a"})"};
  for (int round = 0; round < 3; ++round) {
    for (const char* json : inputs) {
      const auto parsed = boost::json::parse(json);
      const auto fresh = validate_direct_message(parsed);
      const auto remembered = validate_direct_message(parsed, "US", &memo);
      ASSERT_EQ(fresh.message.has_value(), remembered.message.has_value()) << json;
      if (fresh.message) {
        EXPECT_EQ(remembered.message->address, fresh.message->address);
        EXPECT_EQ(remembered.message->language, fresh.message->language);
      }
      ASSERT_EQ(fields_of(remembered), fields_of(fresh)) << json;
      for (std::size_t i = 0; i < fresh.errors.size(); ++i) {
        EXPECT_EQ(remembered.errors[i].message, fresh.errors[i].message);
      }
    }
  }
  EXPECT_EQ(memo.phones.size(), 2u);
  EXPECT_EQ(memo.languages.size(), 2u);
  // The region is part of what a number means: the same text in another region is checked anew.
  const auto uk = validate_direct_message(
      boost::json::parse(
          R"({"to": {"phone": "020 7946 0018"}, "channel": "sms", "language": "en", "body": "a"})"),
      "GB", &memo);
  ASSERT_TRUE(uk.message);
  EXPECT_EQ(uk.message->address, "+442079460018");
  EXPECT_EQ(memo.phones.size(), 3u);
}

TEST(direct_message, sms_body_over_1600_characters_is_rejected_counting_characters_not_bytes) {
  const std::string ok_body(1600, 'a');
  std::string accented;
  for (int i = 0; i < 1600; ++i) {
    accented += "é";  // two bytes each: 3200 bytes, 1600 characters
  }
  auto json = [](const std::string& body) {
    return R"({"to": {"phone": "+12025550143"}, "channel": "sms", "language": "fr", "body": ")" +
           body + "\"}";
  };
  EXPECT_TRUE(validate(json(ok_body)).message);
  EXPECT_TRUE(validate(json(accented)).message);
  EXPECT_THAT(fields_of(validate(json(ok_body + "a"))), Contains("body"));
}

TEST(direct_message, body_that_is_not_an_object_is_one_error) {
  const auto v = validate("[1, 2]");
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_EQ(v.errors[0].field, "");
}

TEST(direct_message, delivery_record_carries_what_the_worker_needs) {
  const auto v = validate(
      R"({"to": {"phone": "+12025550143"}, "channel": "sms", "language": "so", "body": "Salaan"})");
  ASSERT_TRUE(v.message);
  const auto record = to_delivery_record(*v.message, "2026-01-05T07:00:00.000Z");
  EXPECT_FALSE(record.contains("id"));  // the queue names the message by its entry
  EXPECT_EQ(record.at("state"), "queued");
  EXPECT_EQ(record.at("channel"), "sms");
  EXPECT_EQ(record.at("language"), "so");
  EXPECT_EQ(record.at("body"), "Salaan");
}

TEST(json_input, syntax_error_names_the_byte_offset) {
  const auto r = parse_json_body(R"({"a": )");
  EXPECT_FALSE(r.value);
  EXPECT_THAT(r.error, ::testing::HasSubstr("malformed JSON at byte"));
}

TEST(json_input, trailing_data_is_an_error) {
  EXPECT_FALSE(parse_json_body(R"({"a": 1} {"b": 2})").value);
}

TEST(json_input, deep_nesting_is_refused_not_a_crash) {
  EXPECT_FALSE(parse_json_body(std::string(10000, '[') + std::string(10000, ']')).value);
}

TEST(json_input, invalid_utf8_is_refused) {
  EXPECT_FALSE(parse_json_body("{\"a\": \"\xff\"}").value);
}

}  // namespace
}  // namespace liaison::services
