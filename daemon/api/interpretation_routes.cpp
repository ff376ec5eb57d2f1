#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/json_input.hpp"
#include "support/clock.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

http::response request_not_found(const http::request& req, const std::string& id) {
  return http::make_problem_response(
      http::not_found_problem("no interpretation request with id " + id), req.version(),
      req.keep_alive());
}

json::object request_json(const services::stored_request& s) {
  auto o = services::to_json(s.value).as_object();
  o["id"] = s.value.id;
  o["state"] = services::to_string(s.state);
  if (!s.assigned_to.empty()) {
    o["assigned_to"] = s.assigned_to;
  }
  o["created_by"] = s.created_by;
  o["created_at"] = s.created_at;
  if (s.state == services::request_state::cancelled) {
    o["late_cancellation"] = s.late_cancellation;
  }
  if (!s.history.empty()) {
    json::array history;
    for (const auto& t : s.history) {
      history.push_back({{"from", t.from},
                         {"to", t.to},
                         {"event", t.event},
                         {"by", t.by},
                         {"at", t.at},
                         {"note", t.note}});
    }
    o["history"] = std::move(history);
  }
  o["links"] = {{"self", "/v1/interpretation-requests/" + s.value.id}};
  return o;
}

bool reaches(const http::principal& caller, const services::stored_request& s) {
  return caller.role != config::role::school || caller.may_act_for_school(s.value.school);
}

// PATCH {"state": …}: the states a person may move a request to, as state-machine events.
std::optional<services::request_event> event_for(std::string_view state) {
  if (state == "cancelled") {
    return services::request_event::cancel;
  }
  if (state == "confirmed") {
    return services::request_event::confirm;
  }
  if (state == "completed") {
    return services::request_event::complete;
  }
  return std::nullopt;
}

}  // namespace

void add_interpretation_routes(http::router& routes, services::interpretation_store& store,
                               services::interpretation_service& offers,
                               services::directory_store& directory, const clock& time,
                               std::string district_time_zone) {
  const auto office =
      http::access_rule::roles_only({config::role::coordinator, config::role::admin});

  routes.add(
      http::verb::put, "/v1/interpreters/{id}", office,
      [&store](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        auto validation = services::validate_interpreter(ctx.path_params.at("id"), *parsed.value);
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        auto created = co_await store.put_interpreter(*validation.value);
        if (!created) {
          co_return redis_unavailable(req);
        }
        co_return http::make_json_response(*created ? http::status::created : http::status::ok,
                                           services::to_json(*validation.value), req);
      });

  routes.add(http::verb::get, "/v1/interpreters/{id}", office,
             [&store](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto& id = ctx.path_params.at("id");
               // Checked before it becomes part of a Redis key.
               if (!services::is_valid_interpreter_id(id)) {
                 co_return http::make_problem_response(
                     http::not_found_problem("no interpreter with id " + id), req.version(),
                     req.keep_alive());
               }
               auto found = co_await store.get_interpreter(id);
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found) {
                 co_return http::make_problem_response(
                     http::not_found_problem("no interpreter with id " + id), req.version(),
                     req.keep_alive());
               }
               co_return http::make_json_response(http::status::ok, services::to_json(**found),
                                                  req);
             });

  routes.add(
      http::verb::post, "/v1/interpretation-requests", http::access_rule::any_key(),
      [&store, &offers, &directory, &time,
       district_time_zone](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (!is_json(req)) {
          co_return not_json(req, "request");
        }
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        const auto now = time.now_system();
        auto validation =
            services::validate_interpretation_request(*parsed.value, now, district_time_zone);
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        auto& request = *validation.value;
        const auto& caller = *ctx.caller;
        std::vector<field_error> errors;
        if (caller.role == config::role::school && !caller.may_act_for_school(request.school)) {
          errors.push_back({"school", "this key may not request for school " + request.school});
        }
        auto family = co_await directory.get(request.family_id);
        if (!family) {
          co_return redis_unavailable(req);
        }
        const bool reachable =
            *family && (caller.role != config::role::school ||
                        std::any_of((*family)->students.begin(), (*family)->students.end(),
                                    [&](const services::student& s) {
                                      return caller.may_act_for_school(s.school);
                                    }));
        if (!reachable) {
          errors.push_back({"family_id", "no family with id " + request.family_id});
        } else if (!request.guardian_id.empty() &&
                   std::none_of(
                       (*family)->guardians.begin(), (*family)->guardians.end(),
                       [&](const services::guardian& g) { return g.id == request.guardian_id; })) {
          errors.push_back({"guardian_id", "the family has no guardian " + request.guardian_id});
        }
        if (!errors.empty()) {
          co_return http::make_problem_response(http::validation_problem(std::move(errors)),
                                                req.version(), req.keep_alive());
        }
        request.id = services::new_interpretation_request_id(now);
        if (auto created = co_await store.create_request(request, caller.key_name, now); !created) {
          co_return redis_unavailable(req);
        }
        // The request is stored; offers that fail to go out leave it `requested`, which the
        // coordinator sees (and may offer again by hand).
        auto offered = co_await offers.send_offers(request);
        auto stored = co_await store.load_request(request.id);
        if (!stored || !*stored) {
          co_return redis_unavailable(req);
        }
        auto body = request_json(**stored);
        body["offers"] = offered ? static_cast<std::int64_t>(*offered) : 0;
        auto res = http::make_json_response(http::status::created, body, req);
        res.set(boost::beast::http::field::location, "/v1/interpretation-requests/" + request.id);
        co_return res;
      });

  routes.add(http::verb::get, "/v1/interpretation-requests", http::access_rule::any_key(),
             [&store](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto recent = co_await store.recent_requests(200);
               if (!recent) {
                 co_return redis_unavailable(req);
               }
               json::array listed;
               for (const auto& s : *recent) {
                 if (reaches(*ctx.caller, s)) {
                   listed.push_back(request_json(s));
                 }
               }
               json::object body{{"requests", std::move(listed)}};
               co_return http::make_json_response(http::status::ok, body, req);
             });

  routes.add(http::verb::get, "/v1/interpretation-requests/{id}", http::access_rule::any_key(),
             [&store](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto& id = ctx.path_params.at("id");
               if (!services::looks_like_interpretation_request_id(id)) {
                 co_return request_not_found(req, id);
               }
               auto found = co_await store.load_request(id);
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found || !reaches(*ctx.caller, **found)) {
                 co_return request_not_found(req, id);
               }
               co_return http::make_json_response(http::status::ok, request_json(**found), req);
             });

  routes.add(http::verb::patch, "/v1/interpretation-requests/{id}", http::access_rule::any_key(),
             [&store, &offers, &time](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto& id = ctx.path_params.at("id");
               // Checked before it becomes part of a Redis key, as GET does.
               if (!services::looks_like_interpretation_request_id(id)) {
                 co_return request_not_found(req, id);
               }
               auto parsed = services::parse_json_body(req.body());
               if (!parsed.value) {
                 co_return malformed_json(req, parsed.error);
               }
               const auto* object = parsed.value->if_object();
               const auto* state = object != nullptr ? object->if_contains("state") : nullptr;
               const auto event = state != nullptr && state->is_string()
                                      ? event_for(state->get_string())
                                      : std::nullopt;
               if (!event) {
                 co_return http::make_problem_response(
                     http::validation_problem(
                         {{"state", "one of \"cancelled\", \"confirmed\", \"completed\""}}),
                     req.version(), req.keep_alive());
               }
               std::string note;
               if (const auto* n = object->if_contains("note"); n != nullptr && n->is_string()) {
                 note = std::string(n->get_string()).substr(0, 500);
               }
               auto found = co_await store.load_request(id);
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found || !reaches(*ctx.caller, **found)) {
                 co_return request_not_found(req, id);
               }
               // A cancellation also tells the family and the interpreter.
               boost::system::result<services::transition_outcome> outcome =
                   services::transition_outcome{};
               if (*event == services::request_event::cancel) {
                 outcome = co_await offers.cancel(**found, ctx.caller->key_name, note);
               } else {
                 outcome = co_await store.transition(id, *event, ctx.caller->key_name, note,
                                                     time.now_system());
               }
               if (!outcome) {
                 co_return redis_unavailable(req);
               }
               if (outcome->result == services::transition_result::illegal) {
                 co_return http::make_problem_response(
                     {http::status::conflict,
                      "urn:liaison:problem:illegal-transition",
                      "Illegal transition",
                      "a request that is " + std::string(services::to_string(outcome->state)) +
                          " cannot become " + std::string(state->get_string()),
                      {}},
                     req.version(), req.keep_alive());
               }
               auto after = co_await store.load_request(id);
               if (!after || !*after) {
                 co_return redis_unavailable(req);
               }
               co_return http::make_json_response(http::status::ok, request_json(**after), req);
             });
}

}  // namespace liaison::api
