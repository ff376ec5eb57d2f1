#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/static_files.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

json::object school_json(const std::string& id, const config::district_config& district) {
  json::object school{{"id", id}, {"name", id}};
  if (const auto it = district.schools.find(id); it != district.schools.end()) {
    if (!it->second.name.empty()) {
      school["name"] = it->second.name;
    }
    if (!it->second.language.empty()) {
      school["language"] = it->second.language;
    }
  }
  return school;
}

}  // namespace

void add_session_route(http::router& routes, config::district_config district) {
  routes.add(
      http::verb::get, "/v1/me", http::access_rule::any_key(),
      [district = std::move(district)](http::request_context& ctx) -> awaitable<http::response> {
        const auto& caller = *ctx.caller;
        json::array schools;
        if (caller.role == config::role::school) {
          for (const auto& id : caller.schools) {
            schools.push_back(school_json(id, district));
          }
        } else {
          for (const auto& [id, school] : district.schools) {
            schools.push_back(school_json(id, district));
          }
        }
        json::object body{{"name", caller.key_name},
                          {"role", config::to_string(caller.role)},
                          {"district",
                           {{"name", district.name},
                            {"default_language", district.default_language},
                            {"time_zone", district.time_zone},
                            {"schools", std::move(schools)}}}};
        if (caller.role == config::role::school) {
          body["schools"] = json::array(caller.schools.begin(), caller.schools.end());
        }
        co_return http::make_json_response(http::status::ok, body, ctx.req);
      });
}

void add_console_routes(http::router& routes, const http::static_site& site) {
  // /console without the slash: relative asset URLs need the slash, so say where it is.
  for (const auto method : {http::verb::get, http::verb::head}) {
    routes.add(method, "/console", http::access_rule::anyone(),
               [](http::request_context& ctx) -> awaitable<http::response> {
                 http::response res{http::status::moved_permanently, ctx.req.version()};
                 res.set(boost::beast::http::field::location, "/console/");
                 res.set(boost::beast::http::field::cache_control, "no-cache");
                 res.keep_alive(ctx.req.keep_alive());
                 res.prepare_payload();
                 co_return res;
               });
    routes.add(method, "/console/", http::access_rule::anyone(),
               [&site](http::request_context& ctx) -> awaitable<http::response> {
                 co_return http::serve_static(site, "index.html", ctx.req);
               });
    routes.add(method, "/console/{path...}", http::access_rule::anyone(),
               [&site](http::request_context& ctx) -> awaitable<http::response> {
                 co_return http::serve_static(site, ctx.path_params.at("path"), ctx.req);
               });
  }
}

}  // namespace liaison::api
