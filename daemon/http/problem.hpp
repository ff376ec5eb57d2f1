// RFC 9457 problem details: every error answer is application/problem+json with type, title,
// status, detail and, for validation failures, the list of fields at fault.
#pragma once

#include <string>
#include <vector>

#include "daemon/http/message.hpp"
#include "support/field_error.hpp"

namespace liaison::http {

using liaison::field_error;

struct problem {
  http::status status = http::status::internal_server_error;
  std::string type;  // a URN naming the problem kind; empty means "about:blank"
  std::string title;
  std::string detail;
  std::vector<field_error> errors;
};

problem validation_problem(std::vector<field_error> errors);
problem not_found_problem(std::string detail);

// The response for `p`, keep-alive and version taken from `req`.
response make_problem_response(const problem& p, unsigned version, bool keep_alive);

}  // namespace liaison::http
