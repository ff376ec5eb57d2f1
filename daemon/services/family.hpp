// The directory's unit: a family, i.e. the guardians who receive messages and the students who
// link them to schools and grades. Validation and JSON mapping are plain functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "support/field_error.hpp"

namespace liaison::services {

struct guardian {
  std::string id;
  std::string name;
  std::string language;                   // canonical BCP 47
  std::string phone;                      // E.164, empty when none
  std::string email;                      // empty when none
  std::vector<config::channel> channels;  // the channels this guardian accepts
  std::string time_zone;                  // IANA; empty = the district's
  // Channels the guardian's addresses opted out of (STOP). Not part of the stored family:
  // opt-outs are kept per address (a carrier's STOP is about the number), so a PUT or an
  // import can never clear them; they are filled in when a family is read.
  std::vector<config::channel> opted_out;

  bool operator==(const guardian&) const = default;
};

struct student {
  std::string id;
  std::string name;
  std::string school;  // school id (OneRoster orgSourcedId)
  std::string grade;   // OneRoster grade code: PK, TK, KG, 01..13, ...

  bool operator==(const student&) const = default;
};

struct family {
  std::string id;
  std::vector<guardian> guardians;
  std::vector<student> students;
  std::vector<std::string> tags;  // e.g. "newcomer", "parent-academy"

  bool operator==(const family&) const = default;
};

struct family_validation {
  std::optional<family> value;
  std::vector<field_error> errors;  // every problem, with its JSON path ("guardians[0].phone")
};

inline constexpr std::size_t max_guardians_per_family = 20;
inline constexpr std::size_t max_students_per_family = 30;
inline constexpr std::size_t max_tags_per_family = 50;

// `id` comes from the URL; the body must not contradict it. Opt-outs in the body are ignored.
family_validation validate_family(std::string_view id, const boost::json::value& input,
                                  std::string_view default_phone_region = "US");

// Ids are what a student information system exports (OneRoster sourcedId): 1..128 characters
// of letters, digits and - _ . : (no slashes, so they are safe in URLs and Redis keys).
bool is_valid_directory_id(std::string_view id);

// A OneRoster grade code (CEDS): "PK", "KG", "01".."13", "UG", …
bool is_valid_grade(std::string_view grade);

// The API form (with opted_out); `for_storage` leaves opted_out out.
boost::json::value to_json(const family& f, bool for_storage = false);
// The stored form back into a family; nullopt when it is not a valid family.
std::optional<family> family_from_stored_json(std::string_view text);

// The index entries a family belongs to, for audiences: "school:<id>", "grade:<school>:<grade>",
// "tag:<tag>", and "phone:<e164>" to find a guardian from an inbound text.
std::vector<std::string> index_terms(const family& f);

}  // namespace liaison::services
