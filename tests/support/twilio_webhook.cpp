#include "tests/support/twilio_webhook.hpp"

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "support/crypto.hpp"

namespace liaison::testing {

http_reply post_as_twilio(std::uint16_t port, const std::string& public_url,
                          const std::string& auth_token, const std::string& target,
                          const form_params& params, bool tamper_signature) {
  std::string form;
  for (const auto& [key, value] : params) {
    form += (form.empty() ? "" : "&") + key + "=" +
            boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  auto sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string signed_text = public_url + target;
  for (const auto& [key, value] : sorted) {
    signed_text += key + value;
  }
  std::string signature = base64_encode(hmac_sha1(auth_token, signed_text));
  if (tamper_signature) {
    signature[0] = signature[0] == 'A' ? 'B' : 'A';
  }
  return send_http(port, {"POST",
                          target,
                          form,
                          {{"Content-Type", "application/x-www-form-urlencoded"},
                           {"X-Twilio-Signature", signature}}});
}

http_reply text_as_twilio(std::uint16_t port, const std::string& public_url,
                          const std::string& auth_token, const std::string& from,
                          const std::string& body, bool tamper_signature) {
  return post_as_twilio(port, public_url, auth_token, "/v1/providers/twilio/sms",
                        {{"MessageSid", "SM0123456789abcdef0123456789abcdef"},
                         {"From", from},
                         {"To", "+12025550100"},
                         {"Body", body},
                         {"NumMedia", "0"}},
                        tamper_signature);
}

}  // namespace liaison::testing
