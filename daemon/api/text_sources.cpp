#include "daemon/api/text_sources.hpp"

#include <boost/json.hpp>

#include "daemon/api/intake.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/template_store.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

http::response field_problem(const http::request& req, std::string field, std::string detail) {
  return http::make_problem_response(
      http::validation_problem({{std::move(field), std::move(detail)}}), req.version(),
      req.keep_alive());
}

// The string member `field` of the body, removed from it; nullopt when the body has none.
std::optional<std::string> take_string(json::value& body, std::string_view field) {
  auto* object = body.if_object();
  const auto* value = object != nullptr ? object->if_contains(field) : nullptr;
  if (value == nullptr) {
    return std::nullopt;
  }
  std::string text = value->is_string() ? std::string(value->get_string()) : std::string();
  object->erase(field);
  return text;
}

}  // namespace

awaitable<std::optional<http::response>> use_translation_request(
    json::value& body, services::interpretation_store& translations, const http::principal& caller,
    const http::request& req) {
  const auto named = take_string(body, "translation_request");
  if (!named) {
    co_return std::nullopt;
  }
  const std::string& id = *named;
  if (!services::looks_like_translation_request_id(id)) {
    co_return field_problem(req, "translation_request", "a translation request id (tr_…)");
  }
  auto found = co_await translations.load_translation(id);
  if (!found) {
    co_return redis_unavailable(req);
  }
  if (!*found ||
      (caller.role == config::role::school && !caller.may_act_for_school((*found)->value.school))) {
    co_return field_problem(req, "translation_request", "no translation request with id " + id);
  }
  if ((*found)->texts.empty()) {
    co_return field_problem(req, "translation_request",
                            "no language of " + id + " is delivered yet");
  }
  auto& given = body.as_object()["translations"];
  if (!given.is_object()) {
    given = json::object{};
  }
  for (const auto& [language, text] : (*found)->texts) {
    auto& entry = given.as_object()[language];
    if (!entry.is_object()) {
      entry = json::object{};
    }
    if (!entry.as_object().contains("body")) {
      entry.as_object()["body"] = text;
    }
  }
  co_return std::nullopt;
}

awaitable<std::optional<http::response>> use_template(json::value& body,
                                                      services::template_store& templates,
                                                      const http::request& req) {
  const auto named = take_string(body, "template");
  if (!named) {
    co_return std::nullopt;
  }
  const std::string& name = *named;
  if (!services::is_valid_template_name(name)) {
    co_return field_problem(req, "template", "a template name: 1-64 of a-z, 0-9, '-' and '_'");
  }
  auto found = co_await templates.get(name);
  if (!found) {
    co_return redis_unavailable(req);
  }
  if (!*found) {
    co_return field_problem(req, "template", "no template named " + name);
  }
  services::fill_from_template(body.as_object(), **found);
  co_return std::nullopt;
}

}  // namespace liaison::api
