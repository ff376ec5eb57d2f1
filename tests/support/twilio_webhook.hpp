// Posts to liaisond as Twilio does: a form body signed with X-Twilio-Signature (HMAC-SHA1 over
// the public URL of the target and the sorted key+value pairs, Base64), for webhook tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/http_client.hpp"

namespace liaison::testing {

using form_params = std::vector<std::pair<std::string, std::string>>;

http_reply post_as_twilio(std::uint16_t port, const std::string& public_url,
                          const std::string& auth_token, const std::string& target,
                          const form_params& params, bool tamper_signature = false);

// An inbound SMS from `from` with `body`, to /v1/providers/twilio/sms.
http_reply text_as_twilio(std::uint16_t port, const std::string& public_url,
                          const std::string& auth_token, const std::string& from,
                          const std::string& body, bool tamper_signature = false);

}  // namespace liaison::testing
