#include "channels/outcome.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <ctime>

namespace liaison::channels {

namespace {

constexpr std::chrono::seconds max_retry_after = std::chrono::hours(24);

std::optional<std::chrono::sys_seconds> parse_imf_fixdate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": the only HTTP-date form senders may generate.
  if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const auto month_at = months.find(text.substr(8, 3));
  if (month_at == std::string_view::npos || month_at % 3 != 0) {
    return std::nullopt;
  }
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int value = 0;
    const auto* first = text.data() + pos;
    const auto [ptr, ec] = std::from_chars(first, first + len, value);
    if (ec != std::errc() || ptr != first + len) {
      return std::nullopt;
    }
    return value;
  };
  const auto day = number(5, 2);
  const auto year = number(12, 4);
  const auto hour = number(17, 2);
  const auto minute = number(20, 2);
  const auto second = number(23, 2);
  if (!day || !year || !hour || !minute || !second || text[19] != ':' || text[22] != ':') {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(*year),
                            std::chrono::month(static_cast<unsigned>(month_at / 3 + 1)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  return sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second);
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.front() >= '0' && value.front() <= '9') {
    long long seconds = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ptr != value.data() + value.size()) {
      return std::nullopt;
    }
    if (ec == std::errc::result_out_of_range) {
      return max_retry_after;
    }
    return std::min(std::chrono::seconds(seconds), max_retry_after);
  }
  const auto when = parse_imf_fixdate(value);
  if (!when) {
    return std::nullopt;
  }
  const auto delay = std::chrono::ceil<std::chrono::seconds>(*when - now);
  return std::clamp(delay, std::chrono::seconds(0), max_retry_after);
}

delivery_outcome classify_transport_error(const boost::system::error_code& ec) {
  delivery_outcome outcome;
  outcome.kind = ec == make_error_code(http_errc::invalid_request) ? outcome_kind::permanent_failure
                                                                   : outcome_kind::retry_later;
  outcome.reason = ec.message();
  return outcome;
}

delivery_outcome classify_http_answer(const http_response& response,
                                      std::chrono::system_clock::time_point now) {
  delivery_outcome outcome;
  outcome.http_status = response.status;
  const unsigned s = response.status;
  if (s >= 200 && s < 300) {
    outcome.kind = outcome_kind::sent;
    return outcome;
  }
  const bool transient = s == 408 || s == 425 || s == 429 || s >= 500 || s == 401 || s == 403 ||
                         s < 200;  // 1xx as a final answer is a broken peer
  outcome.kind = transient ? outcome_kind::retry_later : outcome_kind::permanent_failure;
  outcome.reason = "HTTP " + std::to_string(s);
  if (s == 401 || s == 403) {
    outcome.reason += " (the provider rejected our credentials)";
  }
  const auto excerpt = body_excerpt(response.body);
  if (!excerpt.empty()) {
    outcome.reason += ": " + excerpt;
  }
  if (transient) {
    if (const auto header = response.header("retry-after")) {
      outcome.retry_after = parse_retry_after(*header, now);
    }
  }
  return outcome;
}

std::string body_excerpt(std::string_view body, std::size_t limit) {
  std::string out;
  for (const char c : body) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out.push_back((c == '\n' || c == '\r' || c == '\t') ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

std::string form_encode(std::string_view value) {
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  return boost::urls::encode(value, boost::urls::unreserved_chars, options);
}

}  // namespace liaison::channels
