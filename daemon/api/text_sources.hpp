// Request bodies that take their texts from elsewhere, resolved before validation so the texts
// are checked as if the client had written them out: `"translation_request": "tr_…"` (its
// delivered translations) in announcements and templates, `"template": "<name>"` (a named
// template's texts) in announcements. Each removes its field from the body; a problem answer
// (422 on the field, 503) when the source is unknown or Redis is unavailable.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <optional>

#include "daemon/http/auth.hpp"
#include "daemon/http/message.hpp"

namespace liaison::services {
class interpretation_store;
class template_store;
}  // namespace liaison::services

namespace liaison::api {

// The delivered translations of the named translation request become the body's human
// translations (bodies; for languages `translations` does not give a body already). A school key
// may name only its schools' requests.
boost::asio::awaitable<std::optional<http::response>> use_translation_request(
    boost::json::value& body, services::interpretation_store& translations,
    const http::principal& caller, const http::request& req);

// The named template fills in the announcement's texts (services::fill_from_template).
boost::asio::awaitable<std::optional<http::response>> use_template(
    boost::json::value& body, services::template_store& templates, const http::request& req);

}  // namespace liaison::api
