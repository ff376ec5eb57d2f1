// Maps (method, path) to a handler. Patterns are literal segments and `{name}` parameters,
// e.g. "/v1/messages/{id}"; a last segment `{name...}` takes the rest of the path
// ("/console/{path...}" matches /console/assets/app.js with path = "assets/app.js"). The router
// also knows which routes need which roles, so auth is decided in one place (api_dispatcher) and
// handlers stay plain functions of the request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "daemon/http/auth.hpp"
#include "daemon/http/body_stream.hpp"
#include "daemon/http/message.hpp"

namespace liaison::http {

struct request_context {
  const request& req;
  std::map<std::string, std::string, std::less<>> path_params;
  std::optional<principal> caller;  // set on authenticated routes
};

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;
// A handler that reads the body itself, as it arrives (ctx.req has the header and no body).
using streamed_handler =
    std::function<boost::asio::awaitable<response>(request_context&, body_stream&)>;

// Who may call a route: nobody needs a key for `open`; otherwise one of `roles` (all when empty).
struct access_rule {
  bool open = false;
  std::vector<config::role> roles;

  static access_rule anyone() { return {true, {}}; }
  static access_rule any_key() { return {false, {}}; }
  static access_rule roles_only(std::vector<config::role> r) { return {false, std::move(r)}; }
  bool allows(config::role r) const;
};

struct route {
  verb method;
  std::string pattern;  // also the metrics label, so label cardinality stays bounded
  access_rule access;
  handler handle;
  streamed_handler handle_streamed;  // set instead of handle for streamed routes
  std::size_t max_body_bytes = 0;    // streamed routes: the body's limit
};

struct route_match {
  const route* matched = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<verb> allowed;  // when the path exists under other methods only (405)
};

class router {
 public:
  router();
  ~router();
  router(router&&) noexcept;
  router& operator=(router&&) noexcept;

  void add(verb method, std::string pattern, access_rule access, handler h);
  // A route whose body is streamed to the handler (bulk uploads), up to `max_body_bytes`.
  void add_streamed(verb method, std::string pattern, access_rule access, streamed_handler h,
                    std::size_t max_body_bytes);
  route_match match(verb method, std::string_view path) const;

 private:
  struct compiled_route;  // a route with its pattern split into segments once, when added
  std::vector<compiled_route> routes_;
};

}  // namespace liaison::http
