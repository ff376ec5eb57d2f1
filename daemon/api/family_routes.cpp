#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/contact.hpp"
#include "daemon/services/conversation_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/json_input.hpp"
#include "daemon/services/roster_import.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

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

// Families are stored in batches as the parser hands them over: one round trip per batch, and
// at most one batch in memory.
constexpr std::size_t import_batch = 500;
// The answer lists at most this many row errors (and says how many there were).
constexpr std::size_t max_reported_import_errors = 1000;

struct import_totals {
  std::size_t created = 0;
  std::size_t updated = 0;
};

boost::asio::awaitable<boost::system::result<void>> store_families(
    services::directory_store& directory, const std::vector<services::family>& families,
    import_totals& totals) {
  if (families.empty()) {
    co_return boost::system::result<void>{};
  }
  auto stored = co_await directory.put_many(families);
  if (!stored) {
    co_return stored.error();
  }
  for (const bool created : *stored) {
    ++(created ? totals.created : totals.updated);
  }
  co_return boost::system::result<void>{};
}

http::response import_report(const http::request& req, const services::roster_parser& parser,
                             const import_totals& totals,
                             const std::vector<services::import_error>& errors) {
  boost::json::array listed;
  for (std::size_t i = 0; i < errors.size() && i < max_reported_import_errors; ++i) {
    listed.push_back(
        {{"row", errors[i].row}, {"field", errors[i].field}, {"message", errors[i].message}});
  }
  boost::json::object body{{"rows", parser.rows_seen()},
                           {"families", {{"created", totals.created}, {"updated", totals.updated}}},
                           {"errors_total", errors.size()},
                           {"errors", std::move(listed)}};
  return http::make_json_response(http::status::ok, body, req);
}

http::response import_failed(const http::request& req, const std::string& detail) {
  return http::make_problem_response({http::status::unprocessable_entity,
                                      "urn:liaison:problem:roster-unreadable",
                                      "Roster cannot be imported",
                                      detail,
                                      {}},
                                     req.version(), req.keep_alive());
}

http::response contact_not_found(const http::request& req, const std::string& id) {
  return http::make_problem_response(http::not_found_problem("no contact with id " + id),
                                     req.version(), req.keep_alive());
}

}  // namespace

void add_family_import_route(http::router& routes, services::directory_store& directory,
                             std::string default_language, std::size_t max_import_bytes) {
  routes.add_streamed(
      http::verb::post, "/v1/families/import",
      http::access_rule::roles_only({config::role::coordinator, config::role::admin}),
      [&directory, default_language](http::request_context& ctx,
                                     http::body_stream& body) -> awaitable<http::response> {
        const auto& req = ctx.req;
        const auto format =
            services::roster_format_from_content_type(req[boost::beast::http::field::content_type]);
        if (!format) {
          co_return http::make_problem_response(
              {http::status::unsupported_media_type,
               {},
               "Unsupported media type",
               "send a OneRoster users.csv as text/csv, or families as application/x-ndjson",
               {}},
              req.version(), false);
        }
        services::roster_parser parser(*format, default_language);
        import_totals totals;
        std::vector<services::import_error> errors;
        // Read, parse and store as the body arrives: NDJSON families are stored at once, CSV
        // families once every row is in (their links may come in any order).
        for (;;) {
          auto chunk = co_await body.next();
          if (!chunk) {
            co_return http::make_problem_response(
                {http::status::bad_request,
                 {},
                 "Upload interrupted",
                 "the roster could not be read to its end (" + chunk.error().message() +
                     "); families stored so far are kept, re-send the file to finish",
                 {}},
                req.version(), false);
          }
          if (chunk->empty()) {
            break;
          }
          parser.feed(*chunk);
          if (parser.failed()) {
            co_return import_failed(req, parser.fatal_error());
          }
          const auto ready = parser.take_families(import_batch);
          if (auto stored = co_await store_families(directory, ready, totals); !stored) {
            co_return redis_unavailable(req);
          }
        }
        parser.finish();
        if (parser.failed()) {
          co_return import_failed(req, parser.fatal_error());
        }
        while (!parser.done()) {
          const auto ready = parser.take_families(import_batch);
          if (auto stored = co_await store_families(directory, ready, totals); !stored) {
            co_return redis_unavailable(req);
          }
        }
        errors = parser.take_errors();
        co_return import_report(req, parser, totals, errors);
      },
      max_import_bytes);
}

namespace {

// Fields a direction does not have are left out rather than sent empty.
boost::json::object conversation_entry_json(const services::conversation_entry& e) {
  boost::json::object o{{"id", e.id},
                        {"direction", e.direction},
                        {"channel", e.channel},
                        {"guardian_id", e.guardian_id}};
  const auto optional = [&o](std::string_view key, const std::string& value) {
    if (!value.empty()) {
      o[key] = value;
    }
  };
  optional("from", e.from);
  optional("to", e.to);
  o["language"] = e.language;
  o["text"] = e.text;
  optional("original", e.original);
  optional("original_language", e.original_language);
  if (e.translation) {
    o["translation"] = {{"language", e.translation->language},
                        {"text", e.translation->text},
                        {"provider", e.translation->provider}};
  }
  optional("school", e.school);
  optional("announcement_id", e.announcement);
  o["at"] = e.at;
  return o;
}

}  // namespace

void add_conversation_routes(http::router& routes, services::directory_store& directory,
                             services::conversation_store& conversations) {
  routes.add(http::verb::get, "/v1/conversations", http::access_rule::any_key(),
             [&directory, &conversations](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               std::string family_id;
               std::size_t limit = 100;
               if (auto target = boost::urls::parse_origin_form(req.target())) {
                 for (const auto& param : target->params()) {
                   if (param.key == "family_id") {
                     family_id = param.value;
                   } else if (param.key == "limit") {
                     limit = std::clamp<std::size_t>(std::strtoul(param.value.c_str(), nullptr, 10),
                                                     1, services::max_conversation_entries);
                   }
                 }
               }
               if (!services::is_valid_directory_id(family_id)) {
                 co_return http::make_problem_response(
                     http::validation_problem({{"family_id", "required: the family's id"}}),
                     req.version(), req.keep_alive());
               }
               auto found = co_await directory.get(family_id);
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found || !reaches(*ctx.caller, **found)) {
                 co_return family_not_found(req, family_id);
               }
               auto entries = co_await conversations.recent(family_id, limit);
               if (!entries) {
                 co_return redis_unavailable(req);
               }
               boost::json::array listed;
               for (const auto& e : *entries) {
                 listed.push_back(conversation_entry_json(e));
               }
               boost::json::object body{{"family_id", family_id}, {"entries", std::move(listed)}};
               co_return http::make_json_response(http::status::ok, body, req);
             });
}

void add_contact_routes(http::router& routes, services::directory_store& directory) {
  const auto office =
      http::access_rule::roles_only({config::role::coordinator, config::role::admin});
  routes.add(http::verb::put, "/v1/contacts/{id}", office,
             [&directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               auto parsed = services::parse_json_body(req.body());
               if (!parsed.value) {
                 co_return malformed_json(req, parsed.error);
               }
               auto validation = services::validate_contact(id, *parsed.value);
               if (!validation.value) {
                 co_return http::make_problem_response(
                     http::validation_problem(std::move(validation.errors)), req.version(),
                     req.keep_alive());
               }
               auto created = co_await directory.put(*validation.value);
               if (!created) {
                 co_return redis_unavailable(req);
               }
               auto stored = co_await directory.get(validation.value->id);
               if (!stored || !*stored) {
                 co_return redis_unavailable(req);
               }
               auto res =
                   http::make_json_response(*created ? http::status::created : http::status::ok,
                                            services::contact_to_json(**stored), req);
               res.set(boost::beast::http::field::location, "/v1/contacts/" + id);
               co_return res;
             });

  routes.add(http::verb::get, "/v1/contacts/{id}", office,
             [&directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               if (!services::is_valid_directory_id(id)) {
                 co_return contact_not_found(req, id);
               }
               auto found = co_await directory.get(services::contact_family_id(id));
               if (!found) {
                 co_return redis_unavailable(req);
               }
               if (!*found) {
                 co_return contact_not_found(req, id);
               }
               co_return http::make_json_response(http::status::ok,
                                                  services::contact_to_json(**found), req);
             });

  routes.add(http::verb::delete_, "/v1/contacts/{id}", office,
             [&directory](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               if (!services::is_valid_directory_id(id)) {
                 co_return contact_not_found(req, id);
               }
               auto removed = co_await directory.remove(services::contact_family_id(id));
               if (!removed) {
                 co_return redis_unavailable(req);
               }
               if (!*removed) {
                 co_return contact_not_found(req, id);
               }
               http::response res{http::status::no_content, req.version()};
               res.keep_alive(req.keep_alive());
               res.prepare_payload();
               co_return res;
             });
}

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
        if (id.starts_with(services::contact_id_prefix)) {
          validation.value.reset();
          validation.errors.push_back({"id", "ids starting with \"contact:\" are contacts'"});
        }
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        const auto& caller = *ctx.caller;
        if (caller.role == config::role::school) {
          auto existing = co_await directory.get(id);
          if (!existing) {
            co_return redis_unavailable(req);
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
          co_return redis_unavailable(req);
        }
        auto stored = co_await directory.get(id);
        if (!stored || !*stored) {
          co_return redis_unavailable(req);
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
                 co_return redis_unavailable(req);
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
                 co_return redis_unavailable(req);
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
