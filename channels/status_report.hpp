// What a provider's callback says became of one delivery, in the queue's words, and the verdict
// on a callback's signature. Shared by every provider's callback (Kannel DLR, SendGrid events,
// the generic webhook's status posts); the decisions are pure functions, tested without sockets.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace liaison::channels {

struct status_report {
  std::string delivery_id;
  // "delivered" or "undelivered" (final), or "sent" (still on its way: buffered, deferred…;
  // recorded, the state does not move). See queue::delivery_queue::record_provider_report.
  std::string state;
  std::string provider_status;  // the provider's own word ("bounce", "buffered", "16"…)
  std::string error;            // the provider's error code or reason, when it gave one
};

// A text a family sent, as a provider's inbound callback (Kannel MO, a gateway's inbound post)
// hands it over: the sender normalized to E.164 (the directory's key), the number it was sent to,
// and the text as written.
struct inbound_text {
  std::string from;
  std::string to;
  std::string text;
};

inline bool is_final(const status_report& r) noexcept {
  return r.state == "delivered" || r.state == "undelivered";
}

// Why a callback is refused, or that it is not. `missing`: no signature (or timestamp);
// `malformed`: not a signature or timestamp at all; `wrong_signature`: forged or tampered;
// `stale`: correctly signed but too old (or too far ahead): a replay.
enum class callback_verdict { valid, missing, malformed, wrong_signature, stale };
std::string_view to_string(callback_verdict v) noexcept;

// Unix seconds as providers send them in a timestamp header ("1700000000"); nullopt otherwise,
// and for times system_clock cannot hold (after 2262).
std::optional<std::chrono::system_clock::time_point> parse_unix_seconds(std::string_view text);

// Whether `sent` is within `tolerance` of `now`, either way (clocks differ a little).
bool within_tolerance(std::chrono::system_clock::time_point sent,
                      std::chrono::system_clock::time_point now, std::chrono::seconds tolerance);

// How far a signed callback's timestamp may be from our clock before it counts as a replay.
inline constexpr std::chrono::seconds callback_tolerance = std::chrono::minutes(5);

}  // namespace liaison::channels
