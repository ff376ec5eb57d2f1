#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <memory>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/announcement_service.hpp"
#include "daemon/services/family_message.hpp"
#include "daemon/services/json_input.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

// A message to a family: an announcement to that family (services/family_message.hpp).
awaitable<http::response> accept_family_message(http::request_context& ctx,
                                                services::announcement_service& announcements,
                                                const boost::json::value& input) {
  const auto& req = ctx.req;
  auto validation = services::validate_family_message(input, announcements.now(),
                                                      announcements.district_language());
  if (!validation.value) {
    co_return http::make_problem_response(http::validation_problem(std::move(validation.errors)),
                                          req.version(), req.keep_alive());
  }
  const services::requester who{ctx.caller->key_name, ctx.caller->role, ctx.caller->schools};
  auto accepted =
      co_await announcements.accept(std::move(*validation.value), who, idempotency_of(ctx));
  if (!accepted) {
    co_return redis_unavailable(req);
  }
  if (!accepted->errors.empty()) {
    for (auto& e : accepted->errors) {
      e.field = services::family_message_field(e.field);
    }
    co_return http::make_problem_response(http::validation_problem(std::move(accepted->errors)),
                                          req.version(), req.keep_alive());
  }
  const auto& outcome = accepted->outcome;
  if (outcome.result == queue::intake_result::conflict) {
    co_return idempotency_key_reused(req, "message " + outcome.delivery_id);
  }
  const std::string& id = outcome.delivery_id;
  // Its progress and cancel are the announcement's.
  boost::json::object body{{"id", id},
                           {"status", "accepted"},
                           {"to", input.at("to")},
                           {"links", {{"self", "/v1/announcements/" + id}}}};
  auto res = http::make_json_response(http::status::accepted, body, req);
  res.set(boost::beast::http::field::location, "/v1/announcements/" + id);
  if (outcome.result == queue::intake_result::replayed) {
    res.set("Idempotent-Replayed", "true");
  }
  co_return res;
}

}  // namespace

void add_message_routes(http::router& routes, services::message_service& messages,
                        services::announcement_service& announcements,
                        std::function<void()> on_family_message) {
  // Numbers and language tags checked before, for this event loop's requests.
  auto memo = std::make_shared<services::direct_message_memo>();
  routes.add(http::verb::post, "/v1/messages", http::access_rule::any_key(),
             [&messages, &announcements, on_family_message,
              memo](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               if (!is_json(req)) {
                 co_return not_json(req, "message");
               }
               if (auto bad_key = check_idempotency_key(req)) {
                 co_return std::move(*bad_key);
               }
               auto parsed = services::parse_json_body(req.body());
               if (!parsed.value) {
                 co_return malformed_json(req, parsed.error);
               }
               if (services::is_family_message(*parsed.value)) {
                 auto res = co_await accept_family_message(ctx, announcements, *parsed.value);
                 if (res.result() == http::status::accepted && on_family_message) {
                   on_family_message();
                 }
                 co_return res;
               }
               auto validation = services::validate_direct_message(*parsed.value, "US", memo.get());
               if (!validation.message) {
                 co_return http::make_problem_response(
                     http::validation_problem(std::move(validation.errors)), req.version(),
                     req.keep_alive());
               }
               const auto& message = *validation.message;
               if (ctx.caller->role == config::role::school) {
                 if (message.school.empty()) {
                   co_return http::make_problem_response(
                       http::validation_problem({{"school", "required for a school's API key"}}),
                       req.version(), req.keep_alive());
                 }
                 if (!ctx.caller->may_act_for_school(message.school)) {
                   co_return http::make_problem_response(
                       {http::status::forbidden,
                        "urn:liaison:problem:forbidden",
                        "Forbidden",
                        "this API key may not send for school '" + message.school + "'",
                        {}},
                       req.version(), req.keep_alive());
                 }
               }
               const auto idempotency = idempotency_of(ctx);
               auto accepted = co_await messages.accept(message, idempotency);
               if (!accepted) {
                 co_return redis_unavailable(req);
               }
               if (accepted->result == queue::intake_result::conflict) {
                 co_return idempotency_key_reused(req, "message " + accepted->delivery_id);
               }
               // A replay answers exactly as the first time: the body is a function of the
               // (identical) request and the id.
               const std::string* id = &accepted->delivery_id;
               boost::json::object body{{"id", *id},
                                        {"status", "queued"},
                                        {"channel", config::to_string(message.channel)},
                                        {"language", message.language},
                                        {"links", {{"self", "/v1/messages/" + *id}}}};
               auto res = http::make_json_response(http::status::accepted, body, req);
               res.set(boost::beast::http::field::location, "/v1/messages/" + *id);
               if (accepted->result == queue::intake_result::replayed) {
                 res.set("Idempotent-Replayed", "true");
               }
               co_return res;
             });

  routes.add(
      http::verb::get, "/v1/messages/{id}", http::access_rule::any_key(),
      [&messages](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        const std::string& id = ctx.path_params.at("id");
        auto record = co_await messages.find(id);
        if (!record) {
          co_return redis_unavailable(req);
        }
        // A school key sees only its own schools' messages; others get a 404, not a 403,
        // so ids of other schools' messages are not confirmed to exist.
        if (!*record ||
            !ctx.caller->may_act_for_school((*record)->contains("school") ? (*record)->at("school")
                                                                          : std::string())) {
          co_return http::make_problem_response(http::not_found_problem("no message with id " + id),
                                                req.version(), req.keep_alive());
        }
        const auto& fields = **record;
        boost::json::object body;
        for (const char* key :
             {"id", "channel", "address", "language", "state", "created_at", "updated_at",
              "sent_at", "provider", "provider_message_id", "last_error", "school", "priority",
              "next_attempt_at", "dead_reason", "provider_status", "provider_error", "voice_answer",
              "voice_answer_at"}) {
          if (auto it = fields.find(key); it != fields.end()) {
            body[key] = it->second;
          }
        }
        if (auto it = fields.find("attempts"); it != fields.end()) {
          body["attempts"] = std::stoll(it->second);
        }
        co_return http::make_json_response(http::status::ok, body, req);
      });
}

}  // namespace liaison::api
