// The HTTP API's front door: raw request bytes through Beast's parser (with the server's limits),
// the dispatcher (target, route match, 404/405, API keys, roles) over the API's routes, and for
// each JSON route the intake its handler does before touching Redis (media type,
// Idempotency-Key, parse_json_body, the route's validate_* function). The roster import route is
// streamed in pieces, as the server streams it.
//
// Checks: no request makes a handler throw (a 500), every error is problem+json naming its
// status, and whatever intake accepts can be stored and read back: the stores keep to_json and
// read it back with the same validate_* function (without `now`), so a value that does not
// survive that round trip would be accepted and then be unreadable.
//
// Input: one HTTP/1.1 request.
#include <prometheus/registry.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "daemon/api/intake.hpp"
#include "daemon/http/api_dispatcher.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/announcement.hpp"
#include "daemon/services/contact.hpp"
#include "daemon/services/direct_message.hpp"
#include "daemon/services/family.hpp"
#include "daemon/services/family_message.hpp"
#include "daemon/services/interpretation.hpp"
#include "daemon/services/json_input.hpp"
#include "daemon/services/roster_import.hpp"
#include "fuzz/fuzz_target.hpp"
#include "support/crypto.hpp"

namespace {

using namespace liaison;
using boost::asio::awaitable;
namespace json = boost::json;

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

// The same limits as daemon/http/server.cpp and config's defaults.
constexpr std::uint32_t header_limit_bytes = 16 * 1024;
constexpr std::size_t max_body_bytes = 1024 * 1024;
constexpr std::size_t max_import_bytes = 64 * 1024;

std::string stored(const json::value& v) {
  return json::serialize(v);
}

// What each JSON route validates, and the store's round trip of what it accepts.
enum class intake_kind { message, announcement, family, contact, interpreter, request, patch };

std::vector<field_error> validate(intake_kind kind, const http::request_context& ctx,
                                  const json::value& input) {
  using fuzz::check;
  const auto id = [&ctx] {
    const auto it = ctx.path_params.find("id");
    return it == ctx.path_params.end() ? std::string() : it->second;
  };
  switch (kind) {
    case intake_kind::message: {
      if (services::is_family_message(input)) {
        auto v = services::validate_family_message(input, now, "en");
        if (v.value) {
          const auto back = services::validate_announcement(services::to_json(*v.value), {});
          check(back.value.has_value(), "a family message accepted at intake reads back");
          check(stored(services::to_json(*back.value)) == stored(services::to_json(*v.value)),
                "a family message reads back unchanged");
        }
        return std::move(v.errors);
      }
      auto v = services::validate_direct_message(input);
      if (v.message) {
        const auto record = services::to_delivery_record(*v.message, "2023-11-14");
        check(record.count("address") == 1 && !record.at("address").empty(),
              "a delivery record has an address");
      }
      return std::move(v.errors);
    }
    case intake_kind::announcement: {
      auto v = services::validate_announcement(input, now);
      if (v.value) {
        const auto back = services::validate_announcement(services::to_json(*v.value), {});
        check(back.value.has_value(), "an announcement accepted at intake reads back");
        check(stored(services::to_json(*back.value)) == stored(services::to_json(*v.value)),
              "an announcement reads back unchanged");
      }
      return std::move(v.errors);
    }
    case intake_kind::family:
    case intake_kind::contact: {
      auto v = kind == intake_kind::family ? services::validate_family(id(), input)
                                           : services::validate_contact(id(), input);
      if (v.value) {
        const auto back =
            services::family_from_stored_json(stored(services::to_json(*v.value, true)));
        check(back.has_value(), "a family accepted at intake reads back");
        check(*back == *v.value, "a family reads back unchanged");
      }
      return std::move(v.errors);
    }
    case intake_kind::interpreter: {
      auto v = services::validate_interpreter(id(), input);
      if (v.value) {
        const auto back = services::validate_interpreter(id(), services::to_json(*v.value));
        check(back.value.has_value(), "an interpreter accepted at intake reads back");
        check(*back.value == *v.value, "an interpreter reads back unchanged");
      }
      return std::move(v.errors);
    }
    case intake_kind::request: {
      auto v = services::validate_interpretation_request(input, now, "America/Chicago");
      if (v.value) {
        const auto back =
            services::validate_interpretation_request(services::to_json(*v.value), {}, "UTC");
        check(back.value.has_value(), "an interpretation request accepted at intake reads back");
        check(stored(services::to_json(*back.value)) == stored(services::to_json(*v.value)),
              "an interpretation request reads back unchanged");
      }
      return std::move(v.errors);
    }
    case intake_kind::patch:
      break;
  }
  return {};
}

http::handler intake(intake_kind kind) {
  return [kind](http::request_context& ctx) -> awaitable<http::response> {
    const auto& req = ctx.req;
    if (kind != intake_kind::patch && !api::is_json(req)) {
      co_return api::not_json(req, "body");
    }
    if (auto bad_key = api::check_idempotency_key(req)) {
      co_return std::move(*bad_key);
    }
    auto parsed = services::parse_json_body(req.body());
    if (!parsed.value) {
      fuzz::check(!parsed.error.empty(), "a parse failure says why");
      co_return api::malformed_json(req, parsed.error);
    }
    auto errors = validate(kind, ctx, *parsed.value);
    if (!errors.empty()) {
      co_return http::make_problem_response(http::validation_problem(std::move(errors)),
                                            req.version(), req.keep_alive());
    }
    if (auto claim = api::idempotency_of(ctx)) {
      fuzz::check(claim->request_hash.size() == 64, "an idempotency claim hashes the request");
    }
    co_return http::make_json_response(http::status::accepted, json::object{{"status", "ok"}}, req);
  };
}

awaitable<http::response> found(http::request_context& ctx) {
  co_return http::make_json_response(http::status::ok, json::object{{"found", true}}, ctx.req);
}

// The roster import's body, handed over in small pieces like a socket's reads.
class piecewise_body final : public http::body_stream {
 public:
  explicit piecewise_body(std::string_view body) : body_(body) {}
  awaitable<boost::system::result<std::string_view>> next() override {
    const auto piece = body_.substr(0, 97);
    body_.remove_prefix(piece.size());
    co_return piece;
  }
  bool finished() const noexcept override { return body_.empty(); }

 private:
  std::string_view body_;
};

awaitable<http::response> import_roster(http::request_context& ctx, http::body_stream& body) {
  const auto format =
      services::roster_format_from_content_type(ctx.req[boost::beast::http::field::content_type]);
  if (!format) {
    co_return http::make_problem_response(
        {http::status::unsupported_media_type, {}, "Unsupported media type", "csv or ndjson", {}},
        ctx.req.version(), false);
  }
  services::roster_parser parser(*format, "en");
  std::size_t families = 0;
  for (;;) {
    auto chunk = co_await body.next();
    if (!chunk || chunk->empty()) {
      break;
    }
    parser.feed(*chunk);
    families += parser.take_families(100).size();
  }
  parser.finish();
  while (!parser.done()) {
    families += parser.take_families(100).size();
  }
  co_return http::make_json_response(
      http::status::ok,
      json::object{{"families", families}, {"errors", parser.take_errors().size()}}, ctx.req);
}

struct api_under_test {
  api_under_test() {
    using http::access_rule;
    using http::verb;
    const auto office = access_rule::roles_only({config::role::coordinator, config::role::admin});
    routes.add(verb::get, "/healthz", access_rule::anyone(), found);
    routes.add(verb::get, "/readyz", access_rule::anyone(), found);
    routes.add(verb::get, "/metrics", access_rule::anyone(), found);
    routes.add(verb::post, "/v1/messages", access_rule::any_key(), intake(intake_kind::message));
    routes.add(verb::get, "/v1/messages/{id}", access_rule::any_key(), found);
    routes.add(verb::post, "/v1/announcements", access_rule::any_key(),
               intake(intake_kind::announcement));
    routes.add(verb::post, "/v1/announcements/preview", access_rule::any_key(),
               intake(intake_kind::announcement));
    routes.add(verb::get, "/v1/announcements/{id}", access_rule::any_key(), found);
    routes.add(verb::post, "/v1/announcements/{id}/cancel", access_rule::any_key(), found);
    routes.add_streamed(verb::post, "/v1/families/import", office, import_roster, max_import_bytes);
    routes.add(verb::put, "/v1/families/{id}", access_rule::any_key(), intake(intake_kind::family));
    routes.add(verb::get, "/v1/families/{id}", access_rule::any_key(), found);
    routes.add(verb::delete_, "/v1/families/{id}", office, found);
    routes.add(verb::put, "/v1/contacts/{id}", office, intake(intake_kind::contact));
    routes.add(verb::get, "/v1/contacts/{id}", office, found);
    routes.add(verb::get, "/v1/conversations", access_rule::any_key(), found);
    routes.add(verb::put, "/v1/interpreters/{id}", office, intake(intake_kind::interpreter));
    routes.add(verb::get, "/v1/interpreters/{id}", office, found);
    routes.add(verb::post, "/v1/interpretation-requests", access_rule::any_key(),
               intake(intake_kind::request));
    routes.add(verb::get, "/v1/interpretation-requests", access_rule::any_key(), found);
    routes.add(verb::get, "/v1/interpretation-requests/{id}", access_rule::any_key(), found);
    routes.add(verb::patch, "/v1/interpretation-requests/{id}", access_rule::any_key(),
               intake(intake_kind::patch));
    routes.add(verb::post, "/v1/providers/webhook/{name}/inbound", access_rule::anyone(), found);
    routes.add(verb::post, "/v1/providers/webhook/{name}/status", access_rule::anyone(), found);
  }

  http::router routes;
  prometheus::Registry registry;
  http::http_metrics metrics{registry};
  http::api_dispatcher dispatcher{
      routes,
      std::make_shared<http::authenticator>(std::vector<config::api_key_config>{
          {"admin", sha256_hex("admin-key"), config::role::admin, {}},
          {"office", sha256_hex("office-key"), config::role::coordinator, {}},
          {"lincoln", sha256_hex("school-key"), config::role::school, {"lincoln"}}}),
      metrics,
      std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>())};
};

// Beast's parser over the whole input, as the server reads a request; nullopt when it is not
// one complete request within the limits.
std::optional<http::request> parse_request(std::string_view bytes) {
  boost::beast::http::request_parser<boost::beast::http::string_body> parser;
  parser.header_limit(header_limit_bytes);
  parser.body_limit(max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!bytes.empty() && !parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) {
      return std::nullopt;
    }
    bytes.remove_prefix(used);
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) {
      return std::nullopt;
    }
    parser.put_eof(ec);
    if (ec || !parser.is_done()) {
      return std::nullopt;
    }
  }
  return parser.release();
}

void check_response(const http::response& res) {
  using fuzz::check;
  check(res.result() != http::status::internal_server_error, "no request makes a handler throw");
  if (res.result_int() < 400) {
    return;
  }
  check(res[boost::beast::http::field::content_type] == "application/problem+json",
        "an error is problem+json");
  boost::system::error_code ec;
  const auto body = json::parse(res.body(), ec);
  check(!ec && body.is_object(), "a problem is a JSON object");
  const auto* status = body.as_object().if_contains("status");
  check(status != nullptr && status->is_int64() && status->as_int64() == res.result_int(),
        "a problem names its status");
}

// Parameters by value: a coroutine may outlive the frame that called it.
awaitable<http::response> answer(api_under_test* api, http::request req) {
  if (api->dispatcher.streamed_body_limit(req)) {
    // The server hands a streamed route the header and the body as it arrives.
    piecewise_body body(req.body());
    const http::request header(req.base());
    co_return co_await api->dispatcher.dispatch_streamed(header, body);
  }
  co_return co_await api->dispatcher.dispatch(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static api_under_test the_api;  // the routes and keys, built once per process
  auto req = parse_request(fuzz::as_text(data, size));
  if (!req) {
    return 0;
  }
  http::response res;
  boost::asio::io_context io;
  boost::asio::co_spawn(io, answer(&the_api, std::move(*req)),
                        [&res](std::exception_ptr e, http::response r) {
                          if (e) {
                            std::rethrow_exception(e);  // escaping the dispatcher: a crash
                          }
                          res = std::move(r);
                        });
  io.run();
  check_response(res);
  return 0;
}
