#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/json_input.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

http::response unavailable(const http::request& req) {
  return http::make_problem_response({http::status::service_unavailable,
                                      "urn:liaison:problem:directory-unavailable",
                                      "Directory unavailable",
                                      "the directory could not be reached; nothing was changed",
                                      {}},
                                     req.version(), req.keep_alive());
}

http::response family_not_found(const http::request& req, const std::string& id) {
  return http::make_problem_response(http::not_found_problem("no family with id " + id),
                                     req.version(), req.keep_alive());
}

// A school key reaches a family when one of the family's students attends one of its schools.
bool reaches(const http::principal& caller, const services::family& f) {
  if (caller.role != config::role::school) {
    return true;
  }
  return std::any_of(f.students.begin(), f.students.end(), [&](const services::student& s) {
    return caller.may_act_for_school(s.school);
  });
}

// ... and may write it only when every student, before and after, is in its schools.
bool may_write(const http::principal& caller, const services::family& f) {
  return std::all_of(f.students.begin(), f.students.end(), [&](const services::student& s) {
    return caller.may_act_for_school(s.school);
  });
}

}  // namespace

void add_family_routes(http::router& routes, services::directory_store& directory) {
  routes.add(
      http::verb::put, "/v1/families/{id}", http::access_rule::any_key(),
      [&directory](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        const std::string& id = ctx.path_params.at("id");
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return http::make_problem_response({http::status::bad_request,
                                                 "urn:liaison:problem:malformed-json",
                                                 "Malformed JSON",
                                                 parsed.error,
                                                 {}},
                                                req.version(), req.keep_alive());
        }
        auto validation = services::validate_family(id, *parsed.value);
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        const auto& caller = *ctx.caller;
        if (caller.role == config::role::school) {
          auto existing = co_await directory.get(id);
          if (!existing) {
            co_return unavailable(req);
          }
          if (!may_write(caller, *validation.value) ||
              (*existing && !may_write(caller, **existing))) {
            co_return http::make_problem_response(
                {http::status::forbidden,
                 "urn:liaison:problem:forbidden",
                 "Forbidden",
                 "a school's key may only write families whose students all attend its schools",
                 {}},
                req.version(), req.keep_alive());
          }
        }
        auto created = co_await directory.put(*validation.value);
        if (!created) {
          co_return unavailable(req);
        }
        auto stored = co_await directory.get(id);
        if (!stored || !*stored) {
          co_return unavailable(req);
        }
        auto res = http::make_json_response(*created ? http::status::created : http::status::ok,
                                            services::to_json(**stored), req);
        res.set(boost::beast::http::field::location, "/v1/families/" + id);
        co_return res;
      });

  routes.add(http::verb::get, "/v1/families/{id}", http::access_rule::any_key(),
             [&directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               if (!services::is_valid_directory_id(id)) {
                 co_return family_not_found(req, id);
               }
               auto found = co_await directory.get(id);
               if (!found) {
                 co_return unavailable(req);
               }
               // Another school's family is "not found", so its existence is not confirmed.
               if (!*found || !reaches(*ctx.caller, **found)) {
                 co_return family_not_found(req, id);
               }
               co_return http::make_json_response(http::status::ok, services::to_json(**found),
                                                  req);
             });

  routes.add(http::verb::delete_, "/v1/families/{id}",
             http::access_rule::roles_only({config::role::coordinator, config::role::admin}),
             [&directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               if (!services::is_valid_directory_id(id)) {
                 co_return family_not_found(req, id);
               }
               auto removed = co_await directory.remove(id);
               if (!removed) {
                 co_return unavailable(req);
               }
               if (!*removed) {
                 co_return family_not_found(req, id);
               }
               http::response res{http::status::no_content, req.version()};
               res.keep_alive(req.keep_alive());
               res.prepare_payload();
               co_return res;
             });
}

}  // namespace liaison::api
