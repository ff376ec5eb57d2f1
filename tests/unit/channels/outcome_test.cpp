// The shared classification rules and Retry-After parsing.
#include "channels/outcome.hpp"

#include <gtest/gtest.h>

namespace liaison::channels {
namespace {

using namespace std::chrono_literals;

// Wed, 21 Oct 2015 07:28:00 GMT
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1445412480));

TEST(retry_after, reads_delay_seconds) {
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0s);
}

TEST(retry_after, reads_an_http_date_relative_to_now) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now), 0s);  // in the past
}

TEST(retry_after, ignores_garbage_and_caps_huge_values) {
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("12abc", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 32 Oct 2015 07:28:30 GMT", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), std::chrono::seconds(24h));
}

http_response answer(unsigned status) {
  http_response r;
  r.status = status;
  return r;
}

TEST(http_classification, follows_the_status_classes) {
  EXPECT_EQ(classify_http_answer(answer(200), now).kind, outcome_kind::sent);
  EXPECT_EQ(classify_http_answer(answer(202), now).kind, outcome_kind::sent);
  EXPECT_EQ(classify_http_answer(answer(429), now).kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_http_answer(answer(500), now).kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_http_answer(answer(503), now).kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_http_answer(answer(408), now).kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_http_answer(answer(401), now).kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_http_answer(answer(400), now).kind, outcome_kind::permanent_failure);
  EXPECT_EQ(classify_http_answer(answer(404), now).kind, outcome_kind::permanent_failure);
  EXPECT_EQ(classify_http_answer(answer(422), now).kind, outcome_kind::permanent_failure);
}

TEST(http_classification, honours_retry_after_on_transient_answers_only) {
  auto r = answer(429);
  r.headers.push_back({"retry-after", "7"});
  EXPECT_EQ(classify_http_answer(r, now).retry_after, 7s);
  r.status = 400;
  EXPECT_EQ(classify_http_answer(r, now).retry_after, std::nullopt);
}

TEST(transport_classification, retries_everything_but_an_invalid_request) {
  EXPECT_EQ(classify_transport_error(make_error_code(http_errc::timed_out)).kind,
            outcome_kind::retry_later);
  EXPECT_EQ(classify_transport_error(make_error_code(http_errc::connect_failed)).kind,
            outcome_kind::retry_later);
  EXPECT_EQ(classify_transport_error(make_error_code(http_errc::invalid_request)).kind,
            outcome_kind::permanent_failure);
}

TEST(form_encoding, encodes_reserved_characters_and_spaces_as_plus) {
  EXPECT_EQ(form_encode("a b+c&d=é"), "a+b%2Bc%26d%3D%C3%A9");
}

}  // namespace
}  // namespace liaison::channels
