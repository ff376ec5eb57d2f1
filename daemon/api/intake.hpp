// What every mutating JSON route checks first, written once: the media type, the
// Idempotency-Key header and what "the same request" means, and the problems they answer with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/http/router.hpp"
#include "daemon/services/message_service.hpp"

namespace liaison::api {

bool is_json(const http::request& req);

// 415 for a body that is not JSON.
http::response not_json(const http::request& req, std::string_view what);

// The request's idempotency claim when it has an Idempotency-Key: "the same request" is the same
// method, path and body bytes, for the same API key.
std::optional<services::idempotency_request> idempotency_of(const http::request_context& ctx);

// 400 when an Idempotency-Key header is present but malformed; nullopt when all is well.
std::optional<http::response> check_idempotency_key(const http::request& req);

// 422: the key was used for another request (which created `earlier_id`).
http::response idempotency_key_reused(const http::request& req, std::string_view earlier_id);

// 400 for a body that is not JSON, with where the parser stopped.
http::response malformed_json(const http::request& req, std::string detail);

// 503 urn:liaison:problem:redis-unavailable: Redis could not be reached, nothing was changed.
http::response redis_unavailable(const http::request& req);

}  // namespace liaison::api
