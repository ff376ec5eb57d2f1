// How provider callbacks arrive: form-encoded bodies (Twilio) and query parameters (Kannel's
// get-url and dlr-url, Twilio's delivery id in the status callback URL), decoded with Boost.URL.
// Plain functions of untrusted bytes, so they are fuzzed (fuzz/webhook_forms.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "channels/twilio.hpp"
#include "daemon/http/message.hpp"

namespace liaison::api {

// application/x-www-form-urlencoded ('+' is a space); nullopt when it is not a query string.
std::optional<channels::form_fields> parse_form(std::string_view body);

// The first value of field `name`, or empty.
std::string form_field(const channels::form_fields& fields, std::string_view name);

// A query parameter of the request target, percent-decoded ('+' stays '+'); empty when absent.
std::string query_parameter(const http::request& req, std::string_view name);

// A query parameter decoded as a form value ('+' is a space: Kannel writes spaces so), or
// nullopt when the target has no such parameter.
std::optional<std::string> form_query_parameter(const http::request& req, std::string_view name);

}  // namespace liaison::api
