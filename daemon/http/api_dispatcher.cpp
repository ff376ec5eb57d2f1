#include "daemon/http/api_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include "daemon/http/problem.hpp"

namespace liaison::http {
namespace {

response unauthorized(const request& req, auth_failure failure) {
  problem p{http::status::unauthorized,
            "urn:liaison:problem:unauthorized",
            "Authentication required",
            {},
            {}};
  switch (failure) {
    case auth_failure::missing_credentials:
      p.detail = "send an API key as 'Authorization: Bearer <key>'";
      break;
    case auth_failure::malformed_credentials:
      p.detail = "the Authorization header must use the Bearer scheme";
      break;
    case auth_failure::unknown_key:
      p.detail = "the API key is not known";
      break;
  }
  auto res = make_problem_response(p, req.version(), req.keep_alive());
  res.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"liaison\"");
  return res;
}

// A whole body already in memory, read as a stream (a streamed route called with a full request).
class string_body_stream final : public body_stream {
 public:
  explicit string_body_stream(std::string_view body) : body_(body) {}
  boost::asio::awaitable<boost::system::result<std::string_view>> next() override {
    const auto piece = body_;
    body_ = {};
    co_return piece;
  }
  bool finished() const noexcept override { return body_.empty(); }

 private:
  std::string_view body_;
};

}  // namespace

api_dispatcher::api_dispatcher(const router& routes, std::shared_ptr<const authenticator> auth,
                               http_metrics& metrics, std::shared_ptr<spdlog::logger> logger)
    : routes_(routes), auth_(std::move(auth)), metrics_(metrics), logger_(std::move(logger)) {}

boost::asio::awaitable<response> api_dispatcher::dispatch(const request& req) {
  co_return co_await dispatch_any(req, nullptr);
}

boost::asio::awaitable<response> api_dispatcher::dispatch_streamed(const request& header,
                                                                   body_stream& body) {
  co_return co_await dispatch_any(header, &body);
}

std::optional<std::size_t> api_dispatcher::streamed_body_limit(const request& header) const {
  auto target = boost::urls::parse_origin_form(header.target());
  if (!target) {
    return std::nullopt;
  }
  const auto match = routes_.match(header.method(), target->path());
  if (match.matched == nullptr || !match.matched->handle_streamed) {
    return std::nullopt;
  }
  return match.matched->max_body_bytes;
}

boost::asio::awaitable<response> api_dispatcher::dispatch_any(const request& req,
                                                              body_stream* body) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view route_label = "unmatched";
  response res;

  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) {
    res = make_problem_response({http::status::bad_request,
                                 {},
                                 "Bad request target",
                                 "the request target is not a valid origin-form URI",
                                 {}},
                                req.version(), req.keep_alive());
  } else {
    auto match = routes_.match(req.method(), target->path());
    if (match.matched != nullptr) {
      route_label = match.matched->pattern;
      res = co_await dispatch_matched(req, match, body);
    } else if (!match.allowed.empty()) {
      std::string allow;
      for (auto v : match.allowed) {
        allow += (allow.empty() ? "" : ", ") + std::string(boost::beast::http::to_string(v));
      }
      res = make_problem_response({http::status::method_not_allowed,
                                   {},
                                   "Method not allowed",
                                   "this resource allows " + allow,
                                   {}},
                                  req.version(), req.keep_alive());
      res.set(boost::beast::http::field::allow, allow);
    } else {
      res =
          make_problem_response(not_found_problem("no resource at " + std::string(target->path())),
                                req.version(), req.keep_alive());
    }
  }
  metrics_.observe(req.method(), route_label, res.result_int(),
                   std::chrono::steady_clock::now() - started);
  co_return res;
}

boost::asio::awaitable<response> api_dispatcher::dispatch_matched(const request& req,
                                                                  route_match& match,
                                                                  body_stream* body) {
  const route& r = *match.matched;
  request_context ctx{req, std::move(match.params), std::nullopt};
  if (!r.access.open) {
    const auto auth = auth_;  // keep this request's key set alive across a reload
    auto result = auth->authenticate(req[boost::beast::http::field::authorization]);
    if (!result.caller) {
      co_return unauthorized(req, result.failure);
    }
    if (!r.access.allows(result.caller->role)) {
      co_return make_problem_response(
          {http::status::forbidden,
           "urn:liaison:problem:forbidden",
           "Forbidden",
           "the role '" + std::string(config::to_string(result.caller->role)) + "' may not call " +
               r.pattern,
           {}},
          req.version(), req.keep_alive());
    }
    ctx.caller = std::move(result.caller);
  }
  try {
    if (r.handle_streamed) {
      if (body != nullptr) {
        co_return co_await r.handle_streamed(ctx, *body);
      }
      string_body_stream whole(req.body());
      co_return co_await r.handle_streamed(ctx, whole);
    }
    co_return co_await r.handle(ctx);
  } catch (const std::exception& e) {
    logger_->error("handler for {} {} failed: {}", req.method_string(), r.pattern, e.what());
  }
  co_return make_problem_response({http::status::internal_server_error,
                                   {},
                                   "Internal error",
                                   "the request could not be completed; it was logged",
                                   {}},
                                  req.version(), false);
}

}  // namespace liaison::http
