// POST/GET /v1/translation-requests, GET/PATCH …/{id} (docs/interpretation.md, "Translation
// requests"): documents to translate, offered to the district's translators per language.
#include <boost/json.hpp>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/json_input.hpp"
#include "i18n/language.hpp"
#include "support/clock.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

http::response not_found(const http::request& req, const std::string& id) {
  return http::make_problem_response(
      http::not_found_problem("no translation request with id " + id), req.version(),
      req.keep_alive());
}

bool reaches(const http::principal& caller, const services::stored_translation& t) {
  return caller.role != config::role::school || caller.may_act_for_school(t.value.school);
}

// The request, each language's state, translator and text; `translations` is the delivered
// texts in an announcement's `translations` shape, ready to use as its human translations.
json::object translation_json(const services::stored_translation& t) {
  auto o = services::to_json(t.value).as_object();
  o["id"] = t.value.id;
  o["created_by"] = t.created_by;
  o["created_at"] = t.created_at;
  json::object languages;
  json::object delivered;
  for (const auto& language : t.value.target_languages) {
    json::object l;
    const auto state = t.states.find(language);
    l["state"] = services::to_string(
        state == t.states.end() ? services::translation_state::requested : state->second);
    if (const auto who = t.translators.find(language); who != t.translators.end()) {
      l["translator"] = who->second;
    }
    if (const auto text = t.texts.find(language); text != t.texts.end()) {
      l["text"] = text->second;
      delivered[language] = {{"body", text->second}};
    }
    languages[language] = std::move(l);
  }
  o["languages"] = std::move(languages);
  o["translations"] = std::move(delivered);
  o["links"] = {{"self", "/v1/translation-requests/" + t.value.id}};
  return o;
}

}  // namespace

void add_translation_routes(http::router& routes, services::interpretation_store& store,
                            services::interpretation_service& offers, const clock& time) {
  routes.add(
      http::verb::post, "/v1/translation-requests", http::access_rule::any_key(),
      [&store, &offers, &time](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        const auto now = time.now_system();
        auto validation = services::validate_translation_request(*parsed.value, now);
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        auto request = std::move(*validation.value);
        if (ctx.caller->role == config::role::school &&
            !ctx.caller->may_act_for_school(request.school)) {
          co_return http::make_problem_response(
              http::validation_problem(
                  {{"school", "this key may not request for school " + request.school}}),
              req.version(), req.keep_alive());
        }
        request.id = services::new_translation_request_id(now);
        if (auto created = co_await store.create_translation(request, ctx.caller->key_name, now);
            !created) {
          co_return redis_unavailable(req);
        }
        auto offered = co_await offers.send_translation_offers(request);
        auto stored = co_await store.load_translation(request.id);
        if (!stored || !*stored) {
          co_return redis_unavailable(req);
        }
        auto body = translation_json(**stored);
        body["offers"] = offered ? static_cast<std::int64_t>(*offered) : 0;
        auto res = http::make_json_response(http::status::created, body, req);
        res.set(boost::beast::http::field::location, "/v1/translation-requests/" + request.id);
        co_return res;
      });

  routes.add(http::verb::get, "/v1/translation-requests", http::access_rule::any_key(),
             [&store](http::request_context& ctx) -> awaitable<http::response> {
               auto recent = co_await store.recent_translations(200);
               if (!recent) {
                 co_return redis_unavailable(ctx.req);
               }
               json::array listed;
               for (const auto& t : *recent) {
                 if (reaches(*ctx.caller, t)) {
                   listed.push_back(translation_json(t));
                 }
               }
               json::object body{{"requests", std::move(listed)}};
               co_return http::make_json_response(http::status::ok, body, ctx.req);
             });

  routes.add(http::verb::get, "/v1/translation-requests/{id}", http::access_rule::any_key(),
             [&store](http::request_context& ctx) -> awaitable<http::response> {
               const auto& id = ctx.path_params.at("id");
               if (!services::looks_like_translation_request_id(id)) {
                 co_return not_found(ctx.req, id);
               }
               auto found = co_await store.load_translation(id);
               if (!found) {
                 co_return redis_unavailable(ctx.req);
               }
               if (!*found || !reaches(*ctx.caller, **found)) {
                 co_return not_found(ctx.req, id);
               }
               co_return http::make_json_response(http::status::ok, translation_json(**found),
                                                  ctx.req);
             });

  // {"language": "es", "text": "…"} delivers that language's translation (the translator's,
  // or a vendor's); {"language": "es", "state": "cancelled"} cancels it.
  routes.add(
      http::verb::patch, "/v1/translation-requests/{id}", http::access_rule::any_key(),
      [&store](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        const auto& id = ctx.path_params.at("id");
        if (!services::looks_like_translation_request_id(id)) {
          co_return not_found(req, id);
        }
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        const auto* object = parsed.value->if_object();
        const auto text_of = [object](const char* key) -> std::optional<std::string> {
          const auto* v = object != nullptr ? object->if_contains(key) : nullptr;
          if (v == nullptr || !v->is_string()) {
            return std::nullopt;
          }
          return std::string(v->get_string());
        };
        const auto language = text_of("language");
        const auto text = text_of("text");
        const auto state = text_of("state");
        std::vector<field_error> errors;
        std::string canonical;
        if (!language) {
          errors.push_back({"language", "required: the target language"});
        } else if (auto tag = i18n::canonicalize_language_tag(*language)) {
          canonical = *tag.value;
        } else {
          errors.push_back({"language", "not a BCP 47 language tag"});
        }
        if (text.has_value() == state.has_value() || (state && *state != "cancelled") ||
            (text && (text->empty() || text->size() > services::max_translation_text_bytes))) {
          errors.push_back({"text",
                            "give the translation (1 byte to 64 KiB) or "
                            "\"state\": \"cancelled\""});
        }
        if (!errors.empty()) {
          co_return http::make_problem_response(http::validation_problem(std::move(errors)),
                                                req.version(), req.keep_alive());
        }
        auto found = co_await store.load_translation(id);
        if (!found) {
          co_return redis_unavailable(req);
        }
        if (!*found || !reaches(*ctx.caller, **found)) {
          co_return not_found(req, id);
        }
        std::map<std::string, std::string> extra;
        if (text) {
          extra["text:" + canonical] = *text;
          extra["delivered_by:" + canonical] = ctx.caller->key_name;
        }
        auto step = co_await store.translation_step(
            id, canonical,
            text ? services::translation_event::deliver : services::translation_event::cancel,
            extra);
        if (!step) {
          co_return redis_unavailable(req);
        }
        if (step->result == services::transition_result::not_found) {
          co_return http::make_problem_response(
              http::validation_problem({{"language", "not a target language of this request"}}),
              req.version(), req.keep_alive());
        }
        if (step->result == services::transition_result::illegal) {
          co_return http::make_problem_response({http::status::conflict,
                                                 "urn:liaison:problem:illegal-transition",
                                                 "Illegal transition",
                                                 "the " + canonical + " translation is already " +
                                                     std::string(services::to_string(step->state)),
                                                 {}},
                                                req.version(), req.keep_alive());
        }
        auto after = co_await store.load_translation(id);
        if (!after || !*after) {
          co_return redis_unavailable(req);
        }
        co_return http::make_json_response(http::status::ok, translation_json(**after), req);
      });
}

}  // namespace liaison::api
