// Contacts: the community partners and volunteers a district also reaches (a food bank, a
// church that hosts Parent Academy, volunteer tutors). A contact is one person with a language,
// addresses, channels and tags, stored in the directory as a family of one guardian and no
// students under the id "contact:<id>", so audiences by tag reach contacts and families alike
// through the same indexes and the same fan-out.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/services/family.hpp"

namespace liaison::services {

enum class contact_kind { partner, volunteer };

inline constexpr std::string_view contact_id_prefix = "contact:";
// Every contact carries this tag (audience {"tags": ["contact"]} reaches them all), and the tag
// of its kind ("partner", "volunteer").
inline constexpr std::string_view contact_tag = "contact";

std::string contact_family_id(std::string_view contact_id);
bool is_contact_family(const family& f);

// The body of PUT /v1/contacts/{id}: name, language, phone, email, channels, time_zone, kind,
// tags. Errors carry the contact's own field names ("phone", not "guardians[0].phone").
family_validation validate_contact(std::string_view id, const boost::json::value& input,
                                   std::string_view default_phone_region = "US");

boost::json::value contact_to_json(const family& stored);

}  // namespace liaison::services
