// Document translation requests (DESIGN.md §4; docs/interpretation.md, "Translation requests"):
// a text (or an announcement's) to translate into one or more languages by a due date. Each
// target language is its own small state machine: requested → offered → assigned → delivered,
// or cancelled. Plain values and validation here; the store and the offers live with the
// interpretation requests (same pool of people, same {i} keys).
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/field_error.hpp"

namespace liaison::services {

struct translation_request {
  std::string id;
  std::string school;
  std::string title;            // what staff call the document ("IEP meeting notice")
  std::string text;             // the document (may be empty when announcement_id is given)
  std::string announcement_id;  // translate an announcement's text instead
  std::string source_language;  // canonical BCP 47
  std::vector<std::string> target_languages;  // canonical, distinct, not the source
  std::chrono::system_clock::time_point due;
  std::string notes;
};

inline constexpr std::size_t max_translation_text_bytes = 64 * 1024;
inline constexpr std::size_t max_translation_targets = 20;

struct translation_request_validation {
  std::optional<translation_request> value;
  std::vector<field_error> errors;
};
// `now` given: `due` must be in the future (a stored request is read back without it).
translation_request_validation validate_translation_request(
    const boost::json::value& input, std::optional<std::chrono::system_clock::time_point> now);
boost::json::value to_json(const translation_request& r);

enum class translation_state { requested, offered, assigned, delivered, cancelled };
std::string_view to_string(translation_state s) noexcept;
std::optional<translation_state> translation_state_from(std::string_view text) noexcept;

// One target language's next state, or nullopt when illegal (409).
enum class translation_event { offer, assign, deliver, cancel };
std::optional<translation_state> next_translation_state(translation_state from,
                                                        translation_event event) noexcept;

std::string new_translation_request_id(std::chrono::system_clock::time_point now);
bool looks_like_translation_request_id(std::string_view id);

}  // namespace liaison::services
