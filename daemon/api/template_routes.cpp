// PUT/GET/DELETE /v1/templates/{name}, GET /v1/templates (docs/templates.md): the texts of
// recurring family messages, written and translated once, used by announcements by name.
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/api/text_sources.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/json_input.hpp"
#include "daemon/services/template_store.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

http::response not_found(const http::request& req, const std::string& name) {
  return http::make_problem_response(http::not_found_problem("no template named " + name),
                                     req.version(), req.keep_alive());
}

std::string template_path(const std::string& name) {
  return "/v1/templates/" + name;
}

json::object template_json(const services::message_template& t) {
  auto o = services::to_json(t).as_object();
  o["links"] = {{"self", template_path(t.name)}};
  return o;
}

// One line of the list: enough to choose a template by, without its texts.
json::object summary_json(const services::message_template& t) {
  const auto languages = services::template_languages(t);
  return {{"name", t.name},
          {"description", t.description},
          {"languages", json::array(languages.begin(), languages.end())},
          {"links", {{"self", template_path(t.name)}}}};
}

}  // namespace

void add_template_routes(http::router& routes, services::template_store& templates,
                         services::interpretation_store& translations) {
  const auto office =
      http::access_rule::roles_only({config::role::coordinator, config::role::admin});

  routes.add(http::verb::put, "/v1/templates/{name}", office,
             [&templates, &translations](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& name = ctx.path_params.at("name");
               if (!is_json(req)) {
                 co_return not_json(req, "template");
               }
               auto parsed = services::parse_json_body(req.body());
               if (!parsed.value) {
                 co_return malformed_json(req, parsed.error);
               }
               if (auto refused = co_await use_translation_request(*parsed.value, translations,
                                                                   *ctx.caller, req)) {
                 co_return std::move(*refused);
               }
               auto validation = services::validate_template(name, *parsed.value);
               if (!validation.value) {
                 co_return http::make_problem_response(
                     http::validation_problem(std::move(validation.errors)), req.version(),
                     req.keep_alive());
               }
               auto created = co_await templates.put(*validation.value);
               if (!created) {
                 co_return redis_unavailable(req);
               }
               auto res =
                   http::make_json_response(*created ? http::status::created : http::status::ok,
                                            template_json(*validation.value), req);
               res.set(boost::beast::http::field::location, template_path(name));
               co_return res;
             });

  routes.add(http::verb::get, "/v1/templates/{name}", http::access_rule::any_key(),
             [&templates](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& name = ctx.path_params.at("name");
               if (!services::is_valid_template_name(name)) {
                 co_return not_found(req, name);
               }
               auto found = co_await templates.get(name);
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found) {
                 co_return not_found(req, name);
               }
               co_return http::make_json_response(http::status::ok, template_json(**found), req);
             });

  routes.add(http::verb::get, "/v1/templates", http::access_rule::any_key(),
             [&templates](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto all = co_await templates.list();
               if (!all) {
                 co_return redis_unavailable(req);
               }
               json::array listed;
               for (const auto& t : *all) {
                 listed.push_back(summary_json(t));
               }
               json::object body{{"templates", std::move(listed)}};
               co_return http::make_json_response(http::status::ok, body, req);
             });

  routes.add(http::verb::delete_, "/v1/templates/{name}", office,
             [&templates](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& name = ctx.path_params.at("name");
               if (!services::is_valid_template_name(name)) {
                 co_return not_found(req, name);
               }
               auto removed = co_await templates.remove(name);
               if (!removed) {
                 co_return redis_unavailable(req);
               }
               if (!*removed) {
                 co_return not_found(req, name);
               }
               http::response res{http::status::no_content, req.version()};
               res.keep_alive(req.keep_alive());
               res.prepare_payload();
               co_return res;
             });
}

}  // namespace liaison::api
