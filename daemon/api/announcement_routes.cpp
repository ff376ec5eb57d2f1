#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "daemon/api/callback_input.hpp"
#include "daemon/api/intake.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/api/text_sources.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/problem.hpp"
#include "daemon/services/announcement_service.hpp"
#include "daemon/services/json_input.hpp"
#include "support/time_format.hpp"

namespace liaison::api {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

constexpr const char* phases[] = {"queued", "deferred",  "sent",     "delivered",
                                  "failed", "opted_out", "cancelled"};

http::response not_found(const http::request& req, const std::string& id) {
  return http::make_problem_response(http::not_found_problem("no announcement with id " + id),
                                     req.version(), req.keep_alive());
}

services::requester requester_of(const http::principal& caller) {
  return {caller.key_name, caller.role, caller.schools};
}

// A school key sees its own schools' announcements; others do not exist for it.
bool reaches(const http::principal& caller, const services::stored_announcement& stored) {
  return caller.role != config::role::school || caller.may_act_for_school(stored.value.school);
}

json::object& object_at(json::object& parent, const std::string& key) {
  auto& value = parent[key];
  if (!value.is_object()) {
    value.emplace_object();
  }
  return value.get_object();
}

// Counts per language and channel, and totals per phase, from the tally's
// "<language>|<channel>|<phase>" fields.
json::object progress_json(const services::announcement_progress& p) {
  const auto& s = p.stored;
  json::object body;
  body["id"] = s.value.id;
  body["state"] = services::to_string(s.state);
  if (!s.value.school.empty()) {
    body["school"] = s.value.school;
  }
  body["created_by"] = s.created_by;
  body["created_at"] = s.created_at;
  if (s.value.send_at) {
    body["send_at"] = format_rfc3339_utc(*s.value.send_at);
  }
  if (!s.cancelled_at.empty()) {
    body["cancelled_by"] = s.cancelled_by;
    body["cancelled_at"] = s.cancelled_at;
  }
  json::object fanout;
  fanout["families"] = s.audience < 0 ? json::value(nullptr) : json::value(s.audience);
  fanout["families_done"] = s.families_done;
  fanout["deliveries"] = s.deliveries;
  body["fan_out"] = std::move(fanout);

  json::object totals;
  for (const char* phase : phases) {
    totals[phase] = 0;
  }
  json::object by_language;
  for (const auto& [key, count] : p.tally) {
    const auto first = key.find('|');
    const auto second = key.find('|', first + 1);
    if (first == std::string::npos || second == std::string::npos || count == 0) {
      continue;
    }
    const auto language = key.substr(0, first);
    const auto channel = key.substr(first + 1, second - first - 1);
    const auto phase = key.substr(second + 1);
    auto& per_language = object_at(by_language, language);
    auto& per_channel = object_at(per_language, channel);
    if (!per_channel.contains(phase)) {
      per_channel[phase] = 0;
    }
    per_channel[phase] = per_channel[phase].as_int64() + count;
    totals[phase] = totals[phase].as_int64() + count;
  }
  body["totals"] = std::move(totals);
  body["by_language"] = std::move(by_language);
  if (!s.value.rsvp.empty()) {
    json::array options;
    for (const auto& option : s.value.rsvp) {
      const auto n = p.rsvp.find(option.label);
      options.push_back({{"label", option.label}, {"answers", n == p.rsvp.end() ? 0 : n->second}});
    }
    body["rsvp"] = {{"options", std::move(options)}};
  }
  // Keypad answers on calls: numbers that confirmed (1) and that asked for a call back (3).
  if (std::find(s.value.channels.begin(), s.value.channels.end(), config::channel::voice) !=
      s.value.channels.end()) {
    const auto count = [&p](const char* answer) {
      const auto n = p.voice_answers.find(answer);
      return n == p.voice_answers.end() ? 0LL : n->second;
    };
    body["voice_answers"] = {{"confirmed", count("confirmed")}, {"call_back", count("call_back")}};
  }
  body["announcement"] = services::to_json(s.value);
  body["links"] = {{"self", "/v1/announcements/" + s.value.id},
                   {"cancel", "/v1/announcements/" + s.value.id + "/cancel"}};
  return body;
}

json::object preview_json(const services::announcement_preview& p) {
  json::object body;
  body["families"] = p.families;
  body["sms_segments_estimate"] = p.sms_segments_estimate;
  json::array languages;
  for (const auto& l : p.languages) {
    json::object language;
    language["language"] = l.language;
    language["families"] = l.families;
    language["text_language"] = l.text_language;
    language["text_source"] = l.text_source;
    language["fallback"] = l.fallback;
    if (!l.machine_translation_error.empty()) {
      language["machine_translation_error"] = l.machine_translation_error;
    }
    language["direction"] = l.right_to_left ? "rtl" : "ltr";
    if (!l.error.empty()) {
      language["error"] = l.error;
    }
    json::object channels;
    for (const auto& c : l.channels) {
      json::object channel;
      channel["available"] = c.available;
      if (!c.note.empty()) {
        channel["note"] = c.note;
      }
      if (!c.subject.empty()) {
        channel["subject"] = c.subject;
      }
      if (!c.text.empty()) {
        channel["text"] = c.text;
      }
      if (!c.voice_language.empty()) {
        channel["voice_language"] = c.voice_language;
      }
      if (c.channel == config::channel::sms && c.available) {
        channel["encoding"] = c.encoding;
        channel["characters"] = c.characters;
        channel["segments"] = c.segments;
        if (!c.first_non_gsm7_character.empty()) {
          channel["first_non_gsm7_character"] = c.first_non_gsm7_character;
        }
      }
      channels[config::to_string(c.channel)] = std::move(channel);
    }
    language["channels"] = std::move(channels);
    languages.push_back(std::move(language));
  }
  body["languages"] = std::move(languages);
  return body;
}

// The announcement of the request's {id} when the caller may see it, or the answer to give
// instead (404 for unknown ids and other schools' announcements alike, 503).
struct visible_announcement {
  std::optional<services::announcement_progress> progress;
  std::optional<http::response> answer;
};

awaitable<visible_announcement> find_visible(services::announcement_service& announcements,
                                             const http::request_context& ctx) {
  const auto& req = ctx.req;
  const std::string& id = ctx.path_params.at("id");
  visible_announcement out;
  if (!services::looks_like_announcement_id(id)) {
    out.answer = not_found(req, id);
    co_return out;
  }
  auto progress = co_await announcements.progress(id);
  if (!progress) {
    out.answer = redis_unavailable(req);
  } else if (!*progress || !reaches(*ctx.caller, (*progress)->stored)) {
    out.answer = not_found(req, id);
  } else {
    out.progress = std::move(**progress);
  }
  co_return out;
}

// `?limit=`: absent gives `fallback`; otherwise a whole number in [1, max], or nullopt.
std::optional<std::size_t> page_limit(const http::request& req, std::size_t fallback,
                                      std::size_t max) {
  const auto text = query_parameter(req, "limit");
  if (text.empty()) {
    return fallback;
  }
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max) {
    return std::nullopt;
  }
  return n;
}

http::response bad_query(const http::request& req, std::string field, std::string detail) {
  return http::make_problem_response(
      http::validation_problem({{std::move(field), std::move(detail)}}), req.version(),
      req.keep_alive());
}

// One line of GET /v1/announcements: what it is, where it stands.
json::object summary_json(const services::announcement_progress& p) {
  auto full = progress_json(p);
  json::object o;
  for (const char* key :
       {"id", "state", "school", "created_by", "created_at", "send_at", "cancelled_at", "totals"}) {
    if (const auto* value = full.if_contains(key)) {
      o[key] = *value;
    }
  }
  const auto& text = p.stored.value.original;
  if (!text.subject.empty()) {
    o["subject"] = text.subject;
  }
  o["body"] = text.body;
  o["source_language"] = p.stored.value.source_language;
  return o;
}

json::object failure_json(const services::failed_delivery& f) {
  return {{"delivery", f.delivery}, {"family", f.family},     {"guardian", f.guardian},
          {"language", f.language}, {"channel", f.channel},   {"state", f.state},
          {"reason", f.reason},     {"attempts", f.attempts}, {"failed_at", f.failed_at}};
}

// The texts an announcement takes from elsewhere: a translation request's delivered translations
// first (they are the announcement's own), then a named template for whatever is still missing.
// A problem answer when one of them is unknown or unreachable.
awaitable<std::optional<http::response>> resolve_text_sources(
    json::value& body, services::interpretation_store& translations,
    services::template_store& templates, const http::principal& caller, const http::request& req) {
  if (auto refused = co_await use_translation_request(body, translations, caller, req)) {
    co_return std::move(refused);
  }
  co_return co_await use_template(body, templates, req);
}

}  // namespace

void add_announcement_routes(http::router& routes, services::announcement_service& announcements,
                             services::interpretation_store& translations,
                             services::template_store& templates,
                             std::function<void()> on_accepted) {
  routes.add(
      http::verb::post, "/v1/announcements", http::access_rule::any_key(),
      [&announcements, &translations, &templates,
       on_accepted](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (!is_json(req)) {
          co_return not_json(req, "announcement");
        }
        if (auto bad_key = check_idempotency_key(req)) {
          co_return std::move(*bad_key);
        }
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        if (auto refused = co_await resolve_text_sources(*parsed.value, translations, templates,
                                                         *ctx.caller, req)) {
          co_return std::move(*refused);
        }
        auto validation = services::validate_announcement(*parsed.value, announcements.now());
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        const auto who = requester_of(*ctx.caller);
        const auto idempotency = idempotency_of(ctx);
        auto accepted =
            co_await announcements.accept(std::move(*validation.value), who, idempotency);
        if (!accepted) {
          co_return redis_unavailable(req);
        }
        if (!accepted->errors.empty()) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(accepted->errors)), req.version(),
              req.keep_alive());
        }
        const auto& outcome = accepted->outcome;
        if (outcome.result == queue::intake_result::conflict) {
          co_return idempotency_key_reused(req, "announcement " + outcome.delivery_id);
        }
        if (outcome.result == queue::intake_result::created && on_accepted) {
          on_accepted();
        }
        const std::string& id = outcome.delivery_id;
        json::object body{
            {"id", id}, {"status", "accepted"}, {"links", {{"self", "/v1/announcements/" + id}}}};
        auto res = http::make_json_response(http::status::accepted, body, req);
        res.set(boost::beast::http::field::location, "/v1/announcements/" + id);
        if (outcome.result == queue::intake_result::replayed) {
          res.set("Idempotent-Replayed", "true");
        }
        co_return res;
      });

  routes.add(
      http::verb::post, "/v1/announcements/preview", http::access_rule::any_key(),
      [&announcements, &translations,
       &templates](http::request_context& ctx) -> awaitable<http::response> {
        const auto& req = ctx.req;
        if (!is_json(req)) {
          co_return not_json(req, "announcement");
        }
        auto parsed = services::parse_json_body(req.body());
        if (!parsed.value) {
          co_return malformed_json(req, parsed.error);
        }
        if (auto refused = co_await resolve_text_sources(*parsed.value, translations, templates,
                                                         *ctx.caller, req)) {
          co_return std::move(*refused);
        }
        auto validation = services::validate_announcement(*parsed.value, announcements.now());
        if (!validation.value) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(validation.errors)), req.version(),
              req.keep_alive());
        }
        auto preview = co_await announcements.preview(*validation.value, requester_of(*ctx.caller));
        if (!preview) {
          co_return redis_unavailable(req);
        }
        if (!preview->errors.empty()) {
          co_return http::make_problem_response(
              http::validation_problem(std::move(preview->errors)), req.version(),
              req.keep_alive());
        }
        co_return http::make_json_response(http::status::ok, preview_json(*preview), req);
      });

  routes.add(http::verb::get, "/v1/announcements", http::access_rule::any_key(),
             [&announcements](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto limit = page_limit(req, 20, 100);
               if (!limit) {
                 co_return bad_query(req, "limit", "a whole number from 1 to 100");
               }
               auto before = query_parameter(req, "before");
               if (!before.empty() && !services::looks_like_stream_id(before)) {
                 co_return bad_query(req, "before", "the `next` of an earlier page");
               }
               auto page = co_await announcements.recent(std::move(before), *limit);
               if (!page) {
                 co_return redis_unavailable(req);
               }
               json::array listed;
               for (const auto& p : page->first) {
                 if (reaches(*ctx.caller, p.stored)) {
                   listed.push_back(summary_json(p));
                 }
               }
               json::object body{{"announcements", std::move(listed)}};
               body["next"] =
                   page->second.empty() ? json::value(nullptr) : json::value(page->second);
               co_return http::make_json_response(http::status::ok, body, req);
             });

  routes.add(http::verb::get, "/v1/announcements/{id}/failures", http::access_rule::any_key(),
             [&announcements](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const auto limit = page_limit(req, 50, 200);
               if (!limit) {
                 co_return bad_query(req, "limit", "a whole number from 1 to 200");
               }
               std::optional<services::failure_cursor> after;
               if (const auto text = query_parameter(req, "after"); !text.empty()) {
                 after = services::failure_cursor::parse(text);
                 if (!after) {
                   co_return bad_query(req, "after", "the `next` of an earlier page");
                 }
               }
               auto found = co_await find_visible(announcements, ctx);
               if (found.answer) {
                 co_return std::move(*found.answer);
               }
               const auto& id = found.progress->stored.value.id;
               auto page = co_await announcements.failures(id, std::move(after), *limit);
               if (!page) {
                 co_return redis_unavailable(req);
               }
               json::array listed;
               for (const auto& f : page->failures) {
                 listed.push_back(failure_json(f));
               }
               json::object body{
                   {"announcement", id}, {"total", page->total}, {"failures", std::move(listed)}};
               body["next"] = page->next ? json::value(page->next->text()) : json::value(nullptr);
               co_return http::make_json_response(http::status::ok, body, req);
             });

  routes.add(http::verb::get, "/v1/announcements/{id}", http::access_rule::any_key(),
             [&announcements](http::request_context& ctx) -> awaitable<http::response> {
               auto found = co_await find_visible(announcements, ctx);
               if (found.answer) {
                 co_return std::move(*found.answer);
               }
               co_return http::make_json_response(http::status::ok, progress_json(*found.progress),
                                                  ctx.req);
             });

  routes.add(http::verb::post, "/v1/announcements/{id}/cancel", http::access_rule::any_key(),
             [&announcements](http::request_context& ctx) -> awaitable<http::response> {
               const auto& req = ctx.req;
               const std::string& id = ctx.path_params.at("id");
               auto found = co_await find_visible(announcements, ctx);
               if (found.answer) {
                 co_return std::move(*found.answer);
               }
               auto cancelled = co_await announcements.cancel(id, requester_of(*ctx.caller));
               if (!cancelled) {
                 co_return redis_unavailable(req);
               }
               auto after = co_await announcements.progress(id);
               if (!after || !*after) {
                 co_return redis_unavailable(req);
               }
               co_return http::make_json_response(http::status::ok, progress_json(**after), req);
             });
}

}  // namespace liaison::api
