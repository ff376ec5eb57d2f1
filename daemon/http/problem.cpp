#include "daemon/http/problem.hpp"

#include <unicode/unistr.h>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "i18n/utf8.hpp"

namespace liaison::http {

problem validation_problem(std::vector<field_error> errors) {
  problem p;
  p.status = http::status::unprocessable_entity;
  p.type = "urn:liaison:problem:validation";
  p.title = "The request is not valid";
  p.detail = errors.size() == 1 ? errors.front().field + ": " + errors.front().message
                                : std::to_string(errors.size()) + " fields are not valid";
  p.errors = std::move(errors);
  return p;
}

problem not_found_problem(std::string detail) {
  return {
      http::status::not_found, "urn:liaison:problem:not-found", "Not found", std::move(detail), {}};
}

response make_problem_response(const problem& p, unsigned version, bool keep_alive) {
  boost::json::object body;
  body["type"] = p.type.empty() ? "about:blank" : p.type;
  body["title"] = p.title.empty() ? std::string(boost::beast::http::obsolete_reason(p.status))
                                  : i18n::repair_utf8(p.title);
  body["status"] = static_cast<unsigned>(p.status);
  // A detail or message may quote what the client sent (an id from the path, a field name),
  // decoded and not necessarily UTF-8: repaired, so the answer stays valid JSON.
  if (!p.detail.empty()) {
    body["detail"] = i18n::repair_utf8(p.detail);
  }
  if (!p.errors.empty()) {
    boost::json::array errors;
    for (const auto& e : p.errors) {
      errors.push_back(boost::json::object{{"field", i18n::repair_utf8(e.field)},
                                           {"message", i18n::repair_utf8(e.message)}});
    }
    body["errors"] = std::move(errors);
  }
  response res{p.status, version};
  res.set(boost::beast::http::field::content_type, "application/problem+json");
  res.keep_alive(keep_alive);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

}  // namespace liaison::http
