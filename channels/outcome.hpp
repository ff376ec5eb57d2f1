// Turning what a provider answered into a delivery outcome: the shared rules (DESIGN.md §6) as
// pure functions. Each provider adds its own codes on top (twilio.hpp, kannel.hpp, ...).
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "channels/http_client.hpp"
#include "channels/provider.hpp"

namespace liaison::channels {

// Retry-After (RFC 9110 §10.2.3): delay-seconds ("120") or an HTTP-date (IMF-fixdate,
// "Wed, 21 Oct 2015 07:28:00 GMT"), as a delay from `now`. A date in the past is 0 s; anything
// unparsable is nothing. Capped at one day so a broken header cannot park a delivery forever.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// No HTTP answer at all: every transport error is worth retrying except a request we could not
// even express (a configuration error, which no retry fixes).
delivery_outcome classify_transport_error(const boost::system::error_code& ec);

// The generic rule for an HTTP answer: 2xx sent; 408, 425, 429, 5xx retry later (honouring
// Retry-After); 401/403 retry later too (our credentials are wrong or revoked: an operator fixes
// the config, the delivery should not be lost meanwhile, and the circuit breaker moves traffic
// to the next provider); every other 4xx is the request's fault: permanent.
delivery_outcome classify_http_answer(const http_response& response,
                                      std::chrono::system_clock::time_point now);

// A short, single-line excerpt of a provider's body for logs and dead-letter reasons.
std::string body_excerpt(std::string_view body, std::size_t limit = 200);

// application/x-www-form-urlencoded, encoded by Boost.URL (space as '+').
std::string form_encode(std::string_view value);

}  // namespace liaison::channels
