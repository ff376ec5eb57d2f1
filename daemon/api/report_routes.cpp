// GET /v1/reports/reach and /v1/reports/interpretation (docs/reports.md): coordinator and admin
// keys; JSON, or CSV with ?format=csv (or Accept: text/csv) for a spreadsheet.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/announcement_service.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "daemon/services/reports.hpp"
#include "support/clock.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

struct report_query {
  std::optional<services::report_period> period;
  bool csv = false;
};

report_query read_query(const http::request& req, const clock& time) {
  std::optional<std::string> from;
  std::optional<std::string> to;
  report_query query;
  if (auto target = boost::urls::parse_origin_form(req.target())) {
    for (const auto& param : target->params()) {
      if (param.key == "from") {
        from = param.value;
      } else if (param.key == "to") {
        to = param.value;
      } else if (param.key == "format") {
        query.csv = param.value == "csv";
      }
    }
  }
  const auto accept = req[boost::beast::http::field::accept];
  query.csv = query.csv || accept.find("text/csv") != std::string_view::npos;
  query.period = services::parse_report_period(from, to, time.now_system());
  return query;
}

http::response bad_period(const http::request& req) {
  return http::make_problem_response(
      http::validation_problem(
          {{"from", "from and to are RFC 3339 times or dates (YYYY-MM-DD), from before to"}}),
      req.version(), req.keep_alive());
}

http::response csv_response(std::string body, const char* name, const http::request& req) {
  auto res =
      http::make_text_response(http::status::ok, "text/csv; charset=utf-8", std::move(body), req);
  res.set(boost::beast::http::field::content_disposition,
          std::string("attachment; filename=\"") + name + ".csv\"");
  return res;
}

}  // namespace

void add_report_routes(http::router& routes, services::announcement_service& announcements,
                       services::interpretation_store& interpretation, const clock& time) {
  const auto office =
      http::access_rule::roles_only({config::role::coordinator, config::role::admin});
  routes.add(http::verb::get, "/v1/reports/reach", office,
             [&announcements, &time](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto query = read_query(req, time);
               if (!query.period) {
                 co_return bad_period(req);
               }
               auto figures = co_await announcements.reach(query.period->from, query.period->to);
               if (!figures) {
                 co_return redis_unavailable(req);
               }
               const auto rows = services::reach_rows(*figures);
               if (query.csv) {
                 co_return csv_response(services::reach_csv(rows), "reach", req);
               }
               co_return http::make_json_response(
                   http::status::ok,
                   services::reach_json(rows, *query.period, figures->announcements), req);
             });
  routes.add(http::verb::get, "/v1/reports/interpretation", office,
             [&interpretation, &time](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto query = read_query(req, time);
               if (!query.period) {
                 co_return bad_period(req);
               }
               constexpr std::size_t max_requests = 100'000;
               auto requests = co_await interpretation.requests_created_between(
                   query.period->from, query.period->to, max_requests);
               if (!requests) {
                 co_return redis_unavailable(req);
               }
               const auto rows = services::interpretation_rows(*requests);
               if (query.csv) {
                 co_return csv_response(services::interpretation_csv(rows), "interpretation", req);
               }
               co_return http::make_json_response(
                   http::status::ok, services::interpretation_json(rows, *query.period), req);
             });
}

}  // namespace liaison::api
