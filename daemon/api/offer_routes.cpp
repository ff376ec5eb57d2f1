// The page where an interpreter without a phone answers an offer sent by email. The link's token
// is the credential (128 random bits, one per interpreter and offer), so the page needs no API
// key. Opening the link only shows the offer: mail scanners fetch links, so accepting takes a
// POST from the page's button.
#include <boost/beast/http/field.hpp>
#include <optional>

#include "daemon/api/callback_input.hpp"
#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "support/markup.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;

// The token is in the URL: no referrer leaves the page, nothing caches it, nothing runs in it.
http::response html_page(const http::request& req, http::status status, std::string_view language,
                         std::string_view title, std::string body) {
  std::string page = "<!doctype html>\n<html lang=\"" + xml_escape(language) +
                     "\">\n<head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>" +
                     xml_escape(title) + "</title></head>\n<body><main dir=\"auto\">\n<h1>" +
                     xml_escape(title) + "</h1>\n" + body + "</main></body>\n</html>\n";
  auto res = http::make_text_response(status, "text/html; charset=utf-8", std::move(page), req);
  res.set("Content-Security-Policy",
          "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Robots-Tag", "noindex");
  return res;
}

http::response no_such_offer(const http::request& req) {
  return html_page(req, http::status::not_found, "en", "Offer not found",
                   "<p>This offer link is not valid, or the offer has ended.</p>\n");
}

std::string paragraph(std::string_view text) {
  return "<p>" + xml_escape(text) + "</p>\n";
}

// The offer a link shows, or the answer to give instead (not found, Redis unavailable).
struct found_offer {
  std::optional<http::response> answer;
  services::interpretation_service::offer_page page;
};

awaitable<found_offer> find_offer(services::interpretation_service& interpreting,
                                  const http::request_context& ctx) {
  const auto& req = ctx.req;
  const auto& code = ctx.path_params.at("code");
  const auto& token = ctx.path_params.at("token");
  found_offer out;
  if (!services::looks_like_offer_link(code, token)) {
    out.answer = no_such_offer(req);
    co_return out;
  }
  auto found = co_await interpreting.find_offer_page(code, token);
  if (!found) {
    out.answer = redis_unavailable(req);
  } else if (!*found) {
    out.answer = no_such_offer(req);
  } else {
    out.page = std::move(**found);
  }
  co_return out;
}

}  // namespace

void add_offer_routes(http::router& routes, services::interpretation_service& interpreting) {
  routes.add(http::verb::get, "/offers/{code}/{token}", http::access_rule::anyone(),
             [&interpreting](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto found = co_await find_offer(interpreting, ctx);
               if (found.answer) {
                 co_return std::move(*found.answer);
               }
               const auto& offer = found.page;
               std::string body = paragraph(offer.details);
               if (offer.open) {
                 body +=
                     "<form method=\"post\">\n<button type=\"submit\" name=\"answer\" "
                     "value=\"yes\">" +
                     xml_escape(offer.accept_label) +
                     "</button>\n<button type=\"submit\" name=\"answer\" value=\"no\">" +
                     xml_escape(offer.decline_label) + "</button>\n</form>\n";
               } else {
                 body += paragraph(offer.closed_text);
               }
               co_return html_page(req, http::status::ok, offer.language, offer.title,
                                   std::move(body));
             });

  routes.add(http::verb::post, "/offers/{code}/{token}", http::access_rule::anyone(),
             [&interpreting](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               auto found = co_await find_offer(interpreting, ctx);
               if (found.answer) {
                 co_return std::move(*found.answer);
               }
               const auto form = parse_form(req.body());
               const auto answer = form ? form_field(*form, "answer") : std::string();
               if (answer != "yes" && answer != "no") {
                 co_return html_page(req, http::status::bad_request, "en", "Bad request",
                                     paragraph("The form's answer must be yes or no."));
               }
               auto said = co_await interpreting.answer_offer_page(
                   ctx.path_params.at("code"), ctx.path_params.at("token"), answer == "yes");
               if (!said) {
                 co_return redis_unavailable(req);
               }
               if (!*said) {
                 co_return no_such_offer(req);
               }
               const auto& page = found.page;
               co_return html_page(req, http::status::ok, page.language, page.title,
                                   paragraph((*said)->empty() ? page.declined_text : **said));
             });
}

}  // namespace liaison::api
