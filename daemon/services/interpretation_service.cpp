#include "daemon/services/interpretation_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <random>
#include <stdexcept>

#include "daemon/services/directory_store.hpp"
#include "daemon/services/notice_sender.hpp"
#include "i18n/keywords.hpp"
#include "i18n/sentences.hpp"
#include "support/crypto.hpp"
#include "support/time_format.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

// Words that decline an offer, in the comparison form of i18n::normalize_reply.
constexpr std::string_view decline_words[] = {"no",  "non", "nao", "khong", "nein",
                                              "nie", "net", "нет", "la",    "لا"};

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find(' ', start);
    const auto word = text.substr(start, end == std::string::npos ? end : end - start);
    if (!word.empty()) {
      out.push_back(word);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return out;
}

// The catalog's select keys for a meeting type (interpreter_offer).
std::string_view meeting_key(meeting_type t) {
  switch (t) {
    case meeting_type::iep:
    case meeting_type::section_504:
      return "iep";
    case meeting_type::conference:
      return "conference";
    case meeting_type::orientation:
      return "orientation";
    default:
      return "other";
  }
}

// What a coordinator (or a vendor) needs to know about a request, for emails.
std::string request_details(const interpretation_request& r) {
  auto language_name = i18n::display_name(r.language, "en");
  std::string text = "Language: " + (language_name ? *language_name.value : r.language) +
                     "\nMeeting: " + std::string(to_string(r.meeting)) + " (" +
                     std::string(to_string(r.mode)) + ")\nSchool: " + r.school +
                     "\nFamily: " + r.family_id + "\nStart: " + format_rfc3339_utc(r.start) + " (" +
                     r.time_zone + "), " + std::to_string(r.duration.count()) + " minutes";
  if (!r.location.empty()) {
    text += "\nWhere: " + r.location;
  }
  return text;
}

// The same for notices (JSON).
boost::json::object request_summary(const interpretation_request& r) {
  return {{"request_id", r.id},
          {"school", r.school},
          {"family_id", r.family_id},
          {"language", r.language},
          {"meeting_type", to_string(r.meeting)},
          {"mode", to_string(r.mode)},
          {"start", format_rfc3339_utc(r.start)},
          {"time_zone", r.time_zone}};
}

i18n::language_matcher make_matcher(const i18n::message_catalog& catalog,
                                    const std::string& district_default) {
  auto matcher = i18n::language_matcher::create(catalog.languages(), district_default);
  if (!matcher) {
    throw std::runtime_error("catalog languages: " + matcher.error);
  }
  return std::move(*matcher.value);
}

}  // namespace

std::string offer_page_path(std::string_view code, std::string_view token) {
  return "/offers/" + std::string(code) + "/" + std::string(token);
}

bool looks_like_offer_link(std::string_view code, std::string_view token) noexcept {
  const auto all_of = [](std::string_view text, std::string_view allowed) {
    return text.find_first_not_of(allowed) == std::string_view::npos;
  };
  return code.size() == 4 && all_of(code, "0123456789") && token.size() == 32 &&
         all_of(token, "0123456789abcdef");
}

bool matches(const interpreter& i, const interpretation_request& r) {
  const auto has = [](const auto& list, const auto& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  // The request's language or its base language ("es-MX" is served by an "es" interpreter).
  const auto base = r.language.substr(0, r.language.find('-'));
  return i.active && (!i.phone.empty() || !i.email.empty()) && has(i.modes, r.mode) &&
         (has(i.languages, r.language) || has(i.languages, base)) &&
         (i.schools.empty() || has(i.schools, r.school));
}

std::optional<offer_answer> parse_offer_answer(std::string_view text) {
  const auto tokens = words(i18n::normalize_reply(text));
  if (tokens.empty() || tokens.size() > 3) {
    return std::nullopt;
  }
  const auto& code = tokens.back();
  if (code.size() != 4 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const bool declines =
      tokens.size() > 1 && std::find(std::begin(decline_words), std::end(decline_words),
                                     tokens.front()) != std::end(decline_words);
  return offer_answer{code, !declines};
}

std::optional<meeting_answer> parse_meeting_answer(std::string_view text) {
  const auto normalized = i18n::normalize_reply(text);
  if (normalized == "1") {
    return meeting_answer::confirm;
  }
  if (normalized == "2") {
    return meeting_answer::reschedule;
  }
  return std::nullopt;
}

std::vector<std::pair<system_clock::time_point, std::string>> reminder_schedule(
    std::string_view request_id, system_clock::time_point start,
    const std::vector<std::chrono::milliseconds>& offsets, system_clock::time_point now) {
  std::vector<std::pair<system_clock::time_point, std::string>> due;
  for (const auto offset : offsets) {
    const auto at = start - offset;
    if (at <= now) {
      continue;  // assigned too late for this one
    }
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
    due.emplace_back(at, std::string(request_id) + "|" + std::to_string(minutes));
  }
  return due;
}

interpretation_service::interpretation_service(
    interpretation_store& store, directory_store& directory, queue::delivery_queue& queue,
    const i18n::message_catalog& catalog, const config::district_config& district,
    const config::interpretation_config& rules, notice_sender& notices, const clock& clock,
    std::string public_url)
    : store_(store),
      directory_(directory),
      queue_(queue),
      catalog_(catalog),
      district_(district),
      rules_(rules),
      notices_(notices),
      clock_(clock),
      public_url_(std::move(public_url)),
      renderer_(catalog),
      catalog_languages_(make_matcher(catalog, district.default_language)) {}

std::string interpretation_service::render(i18n::message_key key, const std::string& language,
                                           const std::string& time_zone,
                                           const i18n::message_arguments& arguments) {
  const auto text_language = catalog_languages_.best(language);
  i18n::render_target target{text_language ? *text_language.value : district_.default_language,
                             language, time_zone};
  auto rendered = renderer_.render(key, target, arguments);
  if (!rendered) {
    target = {"en", "en", time_zone};
    rendered = renderer_.render(key, target, arguments);
  }
  return rendered ? *rendered.value : std::string();
}

boost::asio::awaitable<boost::system::result<void>> interpretation_service::send_message(
    config::channel channel, std::string delivery_id, std::string address, std::string language,
    std::string subject, std::string text) {
  const auto now = format_rfc3339_utc(clock_.now_system());
  const std::string channel_name(config::to_string(channel));
  queue::record_fields record = {{"id", delivery_id},    {"channel", channel_name},
                                 {"priority", "urgent"}, {"address", address},
                                 {"language", language}, {"body", text},
                                 {"state", "queued"},    {"attempts", "0"},
                                 {"created_at", now},    {"retry_window_start", now}};
  if (!subject.empty()) {
    record["subject"] = subject;
  }
  // Deterministic ids ("offer:<request>:<interpreter>"): a step run again queues nothing new.
  auto queued = co_await queue_.enqueue_once(channel_name, delivery_id, record);
  if (!queued) {
    co_return queued.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<void>> interpretation_service::send_sms(
    std::string delivery_id, std::string address, std::string language, std::string text) {
  co_return co_await send_message(config::channel::sms, std::move(delivery_id), std::move(address),
                                  std::move(language), {}, std::move(text));
}

boost::asio::awaitable<boost::system::result<void>> interpretation_service::send_to_interpreter(
    std::string delivery_id, const interpreter& i, std::string text) {
  if (!i.phone.empty()) {
    co_return co_await send_sms(std::move(delivery_id), i.phone, i.language, std::move(text));
  }
  if (i.email.empty()) {
    co_return boost::system::result<void>{};  // nowhere to tell them
  }
  std::string subject = text;
  co_return co_await send_message(config::channel::email, std::move(delivery_id), i.email,
                                  i.language, std::move(subject), std::move(text));
}

boost::asio::awaitable<boost::system::result<std::optional<interpretation_service::offer_page>>>
interpretation_service::find_offer_page(std::string code, std::string token) {
  using page = std::optional<offer_page>;
  auto offer = co_await store_.find_offer(code, "link:" + token);
  if (!offer) {
    co_return offer.error();
  }
  if (!*offer || (*offer)->first.starts_with("tr_")) {
    co_return page{};
  }
  const auto [request_id, interpreter_id] = **offer;
  auto request = co_await store_.load_request(request_id);
  if (!request) {
    co_return request.error();
  }
  auto found = co_await store_.get_interpreter(interpreter_id);
  if (!found) {
    co_return found.error();
  }
  if (!*request || !*found) {
    co_return page{};
  }
  const auto& r = (*request)->value;
  const auto& i = **found;
  auto language_name = i18n::display_name(r.language, i.language);
  i18n::message_arguments arguments = {
      {"language", language_name ? *language_name.value : r.language},
      {"meeting_type", std::string(meeting_key(r.meeting))},
      {"date", r.start},
      {"code", code}};
  offer_page shown;
  shown.language = i.language;
  shown.title = render(i18n::message_key::interpreter_offer_email_subject, i.language, r.time_zone,
                       arguments);
  // The email's words without its last sentence (the link to this very page): the page has
  // buttons instead.
  arguments.push_back({"link", public_url_ + offer_page_path(code, token)});
  shown.details = i18n::without_last_sentence(
      render(i18n::message_key::interpreter_offer_email, i.language, r.time_zone, arguments),
      i.language);
  shown.open = (*request)->state == request_state::offered;
  shown.accept_label =
      render(i18n::message_key::offer_page_accept, i.language, district_.time_zone, {});
  shown.decline_label =
      render(i18n::message_key::offer_page_decline, i.language, district_.time_zone, {});
  shown.closed_text =
      render(i18n::message_key::interpreter_offer_filled, i.language, district_.time_zone, {});
  // By SMS, silence answers a decline; the page says it was taken.
  shown.declined_text =
      render(i18n::message_key::interpreter_offer_declined, i.language, district_.time_zone, {});
  co_return page{std::move(shown)};
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::answer_offer_page(std::string code, std::string token, bool accepts) {
  co_return co_await answer_offer(std::move(code), "link:" + token, accepts, "the offer page");
}

boost::asio::awaitable<boost::system::result<std::size_t>>
interpretation_service::escalate_unfilled() {
  const auto now = clock_.now_system();
  auto due = co_await store_.past_deadline(now, 100);
  if (!due) {
    co_return due.error();
  }
  std::size_t escalated = 0;
  for (const auto& id : *due) {
    auto moved = co_await store_.transition(id, request_event::expire, "liaison",
                                            "nobody accepted by the deadline", now);
    if (!moved) {
      co_return moved.error();
    }
    if (moved->result != transition_result::applied) {
      continue;  // another instance escalated it, or it was filled meanwhile
    }
    ++escalated;
    auto request = co_await store_.load_request(id);
    if (!request) {
      co_return request.error();
    }
    if (!*request) {
      continue;
    }
    const auto& r = (*request)->value;
    auto language_name = i18n::display_name(r.language, "en");
    const std::string subject =
        "Unfilled interpreter request: " + (language_name ? *language_name.value : r.language) +
        ", " + std::string(to_string(r.meeting)) + ", " + format_rfc3339_utc(r.start);
    std::string text = "No interpreter accepted request " + id + " by its deadline (" +
                       format_rfc3339_utc(r.needed_by) + ").\n\n" + request_details(r) +
                       "\n\nPlease book a vendor or reschedule.";
    if (auto told = co_await tell_coordinator(
            r, "unfilled:" + id, "interpretation_request.unfilled", subject, std::move(text));
        !told) {
      co_return told.error();
    }
  }
  co_return escalated;
}

boost::asio::awaitable<boost::system::result<std::string>> interpretation_service::reserve_code(
    std::string offer, std::chrono::system_clock::time_point until) {
  // A code that no other open offer uses, kept until the deadline.
  for (int attempt = 0; attempt < 20; ++attempt) {
    const auto hex = random_hex(4);
    const auto candidate = std::to_string(1000 + std::stoul(hex, nullptr, 16) % 9000);
    auto reserved = co_await store_.reserve_offer_code(candidate, offer, until);
    if (!reserved) {
      co_return reserved.error();
    }
    if (*reserved) {
      co_return candidate;
    }
  }
  co_return make_error_code(queue::queue_errc::redis_error);
}

boost::asio::awaitable<boost::system::result<std::size_t>> interpretation_service::send_offers(
    const interpretation_request& request) {
  auto pool = co_await store_.interpreters_for_language(request.language);
  if (!pool) {
    co_return pool.error();
  }
  std::vector<interpreter> chosen;
  std::copy_if(pool->begin(), pool->end(), std::back_inserter(chosen),
               [&](const interpreter& i) { return matches(i, request); });
  if (chosen.empty()) {
    co_return std::size_t{0};
  }
  auto code = co_await reserve_code(request.id, request.needed_by);
  if (!code) {
    co_return code.error();
  }
  // Who answers from where: a phone number, or the secret link of an offer by email.
  std::vector<std::pair<std::string, std::string>> offered;  // address, interpreter id
  for (const auto& i : chosen) {
    offered.emplace_back(i.phone.empty() ? "link:" + random_hex(16) : i.phone, i.id);
  }
  if (auto noted = co_await store_.note_offers(request.id, *code, offered); !noted) {
    co_return noted.error();
  }
  for (std::size_t n = 0; n < chosen.size(); ++n) {
    const auto& i = chosen[n];
    auto language_name = i18n::display_name(request.language, i.language);
    i18n::message_arguments arguments = {
        {"language", language_name ? *language_name.value : request.language},
        {"meeting_type", std::string(meeting_key(request.meeting))},
        {"date", request.start},
        {"code", *code}};
    const std::string delivery_id = "offer:" + request.id + ":" + i.id;
    if (!i.phone.empty()) {
      auto text =
          render(i18n::message_key::interpreter_offer, i.language, request.time_zone, arguments);
      if (auto sent = co_await send_sms(delivery_id, i.phone, i.language, std::move(text)); !sent) {
        co_return sent.error();
      }
      continue;
    }
    const auto token = std::string_view(offered[n].first).substr(std::string_view("link:").size());
    arguments.push_back({"link", public_url_ + offer_page_path(*code, token)});
    auto subject = render(i18n::message_key::interpreter_offer_email_subject, i.language,
                          request.time_zone, arguments);
    auto text = render(i18n::message_key::interpreter_offer_email, i.language, request.time_zone,
                       arguments);
    if (auto sent = co_await send_message(config::channel::email, delivery_id, i.email, i.language,
                                          std::move(subject), std::move(text));
        !sent) {
      co_return sent.error();
    }
  }
  auto moved = co_await store_.transition(
      request.id, request_event::offer, "liaison",
      "offered to " + std::to_string(chosen.size()) + " interpreters, code " + *code,
      clock_.now_system());
  if (!moved) {
    co_return moved.error();
  }
  co_return chosen.size();
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::handle_reply(std::string_view phone, std::string_view text) {
  const auto answer = parse_offer_answer(text);
  if (!answer) {
    co_return std::optional<std::string>{};
  }
  co_return co_await answer_offer(answer->code, std::string(phone), answer->accepts, "SMS");
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::answer_offer(std::string code, std::string address, bool accepts,
                                     std::string how) {
  auto offer = co_await store_.find_offer(code, address);
  if (!offer) {
    co_return offer.error();
  }
  if (!*offer) {
    co_return std::optional<std::string>{};  // not a code this number (or link) was offered
  }
  const auto [request_id, interpreter_id] = **offer;
  if (request_id.starts_with("tr_")) {
    co_return co_await handle_translation_answer(request_id, interpreter_id, code, accepts);
  }
  auto found = co_await store_.get_interpreter(interpreter_id);
  if (!found) {
    co_return found.error();
  }
  const std::string language = *found ? (*found)->language : std::string("en");
  if (!accepts) {
    co_return std::optional<std::string>{std::string()};  // noted by silence; others may take it
  }
  const std::map<std::string, std::string> assignee = {{"assigned_to", interpreter_id}};
  auto outcome = co_await store_.transition(request_id, request_event::assign, interpreter_id,
                                            "accepted by " + how, clock_.now_system(), assignee);
  if (!outcome) {
    co_return outcome.error();
  }
  if (outcome->result != transition_result::applied) {
    // Someone was faster (or the request was cancelled): tell this one it is filled.
    co_return std::optional<std::string>{
        render(i18n::message_key::interpreter_offer_filled, language, district_.time_zone, {})};
  }
  // The others stop waiting: each is told, in their language, that it is filled.
  auto numbers = co_await store_.offered_numbers(code);
  if (!numbers) {
    co_return numbers.error();
  }
  for (const auto& [number, other_id] : *numbers) {
    if (other_id == interpreter_id) {
      continue;
    }
    auto other = co_await store_.get_interpreter(other_id);
    if (!other) {
      co_return other.error();
    }
    if (!*other) {
      continue;  // removed from the pool since
    }
    auto filled = render(i18n::message_key::interpreter_offer_filled, (*other)->language,
                         district_.time_zone, {});
    if (auto sent =
            co_await send_to_interpreter("filled:" + request_id + ":" + other_id, **other, filled);
        !sent) {
      co_return sent.error();
    }
  }
  // The family hears it in its own language, with the meeting time where the meeting is, and
  // both sides are reminded before the meeting.
  auto request = co_await store_.load_request(request_id);
  if (request && *request) {
    const auto& r = (*request)->value;
    auto g = co_await family_contact(r);
    if (!g) {
      co_return g.error();
    }
    if (*g) {
      auto language_name = i18n::display_name(r.language, (*g)->language);
      const i18n::message_arguments arguments = {
          {"date", r.start}, {"language", language_name ? *language_name.value : r.language}};
      auto confirmation = render(i18n::message_key::meeting_confirmation_family, (*g)->language,
                                 r.time_zone, arguments);
      if (auto sent = co_await send_sms("confirm:" + request_id + ":" + (*g)->id, (*g)->phone,
                                        (*g)->language, std::move(confirmation));
          !sent) {
        co_return sent.error();
      }
    }
    const auto due = reminder_schedule(request_id, r.start, rules_.reminders, clock_.now_system());
    if (auto scheduled = co_await store_.add_reminders(due); !scheduled) {
      co_return scheduled.error();
    }
  }
  co_return std::optional<std::string>{
      render(i18n::message_key::interpreter_confirmation, language, district_.time_zone, {})};
}

boost::asio::awaitable<boost::system::result<std::optional<guardian>>>
interpretation_service::family_contact(const interpretation_request& r) {
  auto family = co_await directory_.get(r.family_id);
  if (!family) {
    co_return family.error();
  }
  if (!*family) {
    co_return std::optional<guardian>{};
  }
  const auto& guardians = (*family)->guardians;
  auto g = std::find_if(guardians.begin(), guardians.end(), [&](const guardian& x) {
    return !x.phone.empty() && (r.guardian_id.empty() || x.id == r.guardian_id) &&
           std::find(x.opted_out.begin(), x.opted_out.end(), config::channel::sms) ==
               x.opted_out.end();
  });
  if (g == guardians.end()) {
    co_return std::optional<guardian>{};
  }
  co_return std::optional<guardian>{*g};
}

boost::asio::awaitable<boost::system::result<void>> interpretation_service::tell_coordinator(
    const interpretation_request& r, std::string event_id, std::string notice_type,
    std::string subject, std::string text) {
  // Staff read it in English (the office's working language).
  if (!district_.coordinator_email.empty()) {
    if (auto sent =
            co_await send_message(config::channel::email, event_id, district_.coordinator_email,
                                  "en", std::move(subject), std::move(text));
        !sent) {
      co_return sent.error();
    }
  }
  co_return co_await notices_.notify_district(std::move(event_id), std::move(notice_type),
                                              request_summary(r));
}

boost::asio::awaitable<boost::system::result<std::size_t>>
interpretation_service::send_due_reminders() {
  const auto now = clock_.now_system();
  auto due = co_await store_.due_reminders(now, 100);
  if (!due) {
    co_return due.error();
  }
  std::size_t sent = 0;
  for (const auto& member : *due) {
    const auto bar = member.find('|');
    const auto id = member.substr(0, bar);
    auto request = co_await store_.load_request(id);
    if (!request) {
      co_return request.error();
    }
    // Sent (or pointless) first, removed after: a crash in between sends it again, and the
    // deterministic ids make that a no-op.
    if (*request && ((*request)->state == request_state::assigned ||
                     (*request)->state == request_state::confirmed)) {
      const auto which = bar == std::string::npos ? std::string() : member.substr(bar + 1);
      if (auto reminded = co_await remind((*request)->value, (*request)->assigned_to, which);
          !reminded) {
        co_return reminded.error();
      }
      ++sent;
    }
    if (auto removed = co_await store_.remove_reminder(member); !removed) {
      co_return removed.error();
    }
  }
  co_return sent;
}

boost::asio::awaitable<boost::system::result<void>> interpretation_service::remind(
    const interpretation_request& r, const std::string& assigned_to, const std::string& which) {
  auto g = co_await family_contact(r);
  if (!g) {
    co_return g.error();
  }
  if (*g) {
    const i18n::message_arguments arguments = {{"date", r.start}};
    auto text =
        render(i18n::message_key::meeting_reminder_family, (*g)->language, r.time_zone, arguments);
    text += " " +
            render(i18n::message_key::meeting_reply_prompt_family, (*g)->language, r.time_zone, {});
    // The number's 1 or 2 now answers this meeting, until it starts.
    if (auto awaiting = co_await store_.await_family_answer((*g)->phone, r.id, r.start);
        !awaiting) {
      co_return awaiting.error();
    }
    if (auto sent = co_await send_sms("reminder:" + r.id + ":" + which + ":" + (*g)->id,
                                      (*g)->phone, (*g)->language, std::move(text));
        !sent) {
      co_return sent.error();
    }
  }
  auto interpreter = co_await store_.get_interpreter(assigned_to);
  if (!interpreter) {
    co_return interpreter.error();
  }
  if (*interpreter) {
    const auto& i = **interpreter;
    auto language_name = i18n::display_name(r.language, i.language);
    const i18n::message_arguments arguments = {
        {"date", r.start}, {"language", language_name ? *language_name.value : r.language}};
    auto text =
        render(i18n::message_key::meeting_reminder_interpreter, i.language, r.time_zone, arguments);
    if (auto sent = co_await send_to_interpreter("reminder:" + r.id + ":" + which + ":" + i.id, i,
                                                 std::move(text));
        !sent) {
      co_return sent.error();
    }
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::handle_family_answer(std::string_view phone, std::string_view text) {
  const auto answer = parse_meeting_answer(text);
  if (!answer) {
    co_return std::optional<std::string>{};
  }
  auto awaited = co_await store_.awaited_request(phone);
  if (!awaited) {
    co_return awaited.error();
  }
  if (!*awaited) {
    co_return std::optional<std::string>{};
  }
  auto request = co_await store_.load_request(**awaited);
  if (!request) {
    co_return request.error();
  }
  if (!*request || is_final((*request)->state)) {
    co_return std::optional<std::string>{};  // over: the text is an ordinary reply
  }
  const auto& r = (*request)->value;
  auto g = co_await family_contact(r);
  if (!g) {
    co_return g.error();
  }
  const std::string language = *g ? (*g)->language : district_.default_language;
  const auto now = clock_.now_system();
  if (*answer == meeting_answer::confirm) {
    auto moved =
        co_await store_.transition(r.id, request_event::confirm, "family", "confirmed by SMS", now);
    if (!moved) {
      co_return moved.error();
    }
    co_return std::optional<std::string>{
        render(i18n::message_key::meeting_confirmed_family, language, r.time_zone, {})};
  }
  auto moved = co_await store_.transition(r.id, request_event::reschedule, "family",
                                          "the family asked for another time (SMS)", now);
  if (!moved) {
    co_return moved.error();
  }
  if (moved->result == transition_result::applied) {
    if (auto forgotten = co_await store_.forget_family_answer(phone); !forgotten) {
      co_return forgotten.error();
    }
    // One notice per answer: the history entry count tells them apart.
    const auto event_id = "reschedule:" + r.id + ":" + std::to_string((*request)->history.size());
    auto language_name = i18n::display_name(r.language, "en");
    const std::string subject =
        "Family asks to reschedule: " + (language_name ? *language_name.value : r.language) + ", " +
        std::string(to_string(r.meeting)) + ", " + format_rfc3339_utc(r.start);
    std::string body = "The family of request " + r.id +
                       " answered the reminder with 2: they need another time.\n\n" +
                       request_details(r) +
                       "\n\nPlease call the family, then cancel or keep the request.";
    if (auto told = co_await tell_coordinator(
            r, event_id, "interpretation_request.reschedule_requested", subject, std::move(body));
        !told) {
      co_return told.error();
    }
  }
  co_return std::optional<std::string>{
      render(i18n::message_key::meeting_reschedule_family, language, r.time_zone, {})};
}

boost::asio::awaitable<boost::system::result<transition_outcome>> interpretation_service::cancel(
    const stored_request& found, std::string by, std::string note) {
  const auto now = clock_.now_system();
  const auto& r = found.value;
  const bool booked =
      found.state == request_state::assigned || found.state == request_state::confirmed;
  const bool late =
      is_late_cancellation(found.state, r.start, now, rules_.late_cancellation_window);
  std::map<std::string, std::string> extra;
  if (late) {
    extra["late_cancellation"] = "true";
  }
  auto outcome = co_await store_.transition(r.id, request_event::cancel, by, note, now, extra);
  if (!outcome || outcome->result != transition_result::applied) {
    co_return outcome;
  }
  if (booked) {
    // Both sides were told of the meeting: both hear it is off, each in their language.
    const i18n::message_arguments arguments = {{"date", r.start}};
    auto g = co_await family_contact(r);
    if (!g) {
      co_return g.error();
    }
    if (*g) {
      auto text =
          render(i18n::message_key::meeting_cancelled, (*g)->language, r.time_zone, arguments);
      if (auto sent = co_await send_sms("cancelled:" + r.id + ":" + (*g)->id, (*g)->phone,
                                        (*g)->language, std::move(text));
          !sent) {
        co_return sent.error();
      }
    }
    auto interpreter = co_await store_.get_interpreter(found.assigned_to);
    if (!interpreter) {
      co_return interpreter.error();
    }
    if (*interpreter) {
      const auto& i = **interpreter;
      auto text = render(i18n::message_key::meeting_cancelled, i.language, r.time_zone, arguments);
      if (auto sent =
              co_await send_to_interpreter("cancelled:" + r.id + ":" + i.id, i, std::move(text));
          !sent) {
        co_return sent.error();
      }
    }
  }
  auto data = request_summary(r);
  data["late_cancellation"] = late;
  data["cancelled_by"] = by;
  if (auto noticed = co_await notices_.notify_district(
          "cancelled:" + r.id, "interpretation_request.cancelled", std::move(data));
      !noticed) {
    co_return noticed.error();
  }
  co_return outcome;
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::request_for_rsvp(std::string_view phone, std::string announcement_id,
                                         std::string school, std::string request_template) {
  auto families = co_await directory_.families_with_phone(phone);
  if (!families) {
    co_return families.error();
  }
  const family* f = nullptr;
  const guardian* g = nullptr;
  for (const auto& candidate : *families) {
    for (const auto& x : candidate.guardians) {
      if (x.phone == phone && g == nullptr) {
        f = &candidate;
        g = &x;
      }
    }
  }
  if (g == nullptr) {
    co_return std::optional<std::string>{};
  }
  boost::system::error_code ec;
  auto input = boost::json::parse(request_template, ec);
  if (ec || !input.is_object()) {
    co_return std::optional<std::string>{};
  }
  auto& fields = input.as_object();
  fields["school"] = school;
  fields["family_id"] = f->id;
  fields["guardian_id"] = g->id;
  fields["language"] = g->language;
  fields["notes"] = "Requested by the family in answer to announcement " + announcement_id +
                    (fields.contains("notes") && fields["notes"].is_string()
                         ? ". " + std::string(fields["notes"].as_string())
                         : std::string());
  const auto now = clock_.now_system();
  auto validated = validate_interpretation_request(input, now, district_.time_zone);
  if (!validated.value) {
    co_return std::optional<std::string>{};  // e.g. the meeting has passed
  }
  auto request = std::move(*validated.value);
  request.id = new_interpretation_request_id(now);
  auto first = co_await store_.claim_rsvp_request(announcement_id, f->id, request.id);
  if (!first) {
    co_return first.error();
  }
  if (!*first) {
    co_return std::optional<std::string>{};  // the family asked already
  }
  if (auto created = co_await store_.create_request(request, "rsvp:" + announcement_id, now);
      !created) {
    co_return created.error();
  }
  if (auto offered = co_await send_offers(request); !offered) {
    co_return offered.error();
  }
  co_return std::optional<std::string>{request.id};
}

boost::asio::awaitable<boost::system::result<std::size_t>>
interpretation_service::send_translation_offers(const translation_request& request) {
  std::size_t sent = 0;
  for (const auto& language : request.target_languages) {
    auto pool = co_await store_.interpreters_for_language(language);
    if (!pool) {
      co_return pool.error();
    }
    std::vector<interpreter> chosen;
    std::copy_if(pool->begin(), pool->end(), std::back_inserter(chosen), [&](const interpreter& i) {
      return i.active && i.translator && !i.phone.empty() &&
             (i.schools.empty() ||
              std::find(i.schools.begin(), i.schools.end(), request.school) != i.schools.end());
    });
    if (chosen.empty()) {
      continue;
    }
    const auto offer = request.id + "|" + language;
    auto code = co_await reserve_code(offer, request.due);
    if (!code) {
      co_return code.error();
    }
    std::vector<std::pair<std::string, std::string>> numbers;
    for (const auto& i : chosen) {
      numbers.emplace_back(i.phone, i.id);
    }
    if (auto noted = co_await store_.note_offers(offer, *code, numbers); !noted) {
      co_return noted.error();
    }
    for (const auto& i : chosen) {
      auto language_name = i18n::display_name(language, i.language);
      const i18n::message_arguments arguments = {
          {"language", language_name ? *language_name.value : language},
          {"title", request.title},
          {"date", request.due},
          {"code", *code}};
      auto text =
          render(i18n::message_key::translation_offer, i.language, district_.time_zone, arguments);
      if (auto queued = co_await send_sms("offer:" + request.id + ":" + language + ":" + i.id,
                                          i.phone, i.language, std::move(text));
          !queued) {
        co_return queued.error();
      }
      ++sent;
    }
    const std::map<std::string, std::string> noted_code = {{"code:" + language, *code}};
    if (auto moved = co_await store_.translation_step(request.id, language,
                                                      translation_event::offer, noted_code);
        !moved) {
      co_return moved.error();
    }
  }
  co_return sent;
}

boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
interpretation_service::handle_translation_answer(std::string offer, std::string translator_id,
                                                  std::string code, bool accepts) {
  const auto bar = offer.find('|');
  const auto id = offer.substr(0, bar);
  const auto language = bar == std::string::npos ? std::string() : offer.substr(bar + 1);
  auto found = co_await store_.get_interpreter(translator_id);
  if (!found) {
    co_return found.error();
  }
  const std::string own_language = *found ? (*found)->language : std::string("en");
  if (!accepts) {
    co_return std::optional<std::string>{std::string()};
  }
  const std::map<std::string, std::string> translator = {{"translator:" + language, translator_id}};
  auto step = co_await store_.translation_step(id, language, translation_event::assign, translator);
  if (!step) {
    co_return step.error();
  }
  if (step->result != transition_result::applied) {
    co_return std::optional<std::string>{
        render(i18n::message_key::interpreter_offer_filled, own_language, district_.time_zone, {})};
  }
  auto numbers = co_await store_.offered_numbers(code);
  if (!numbers) {
    co_return numbers.error();
  }
  for (const auto& [number, other_id] : *numbers) {
    if (other_id == translator_id) {
      continue;
    }
    auto other = co_await store_.get_interpreter(other_id);
    const std::string other_language = other && *other ? (*other)->language : std::string("en");
    auto filled = render(i18n::message_key::interpreter_offer_filled, other_language,
                         district_.time_zone, {});
    if (auto sent = co_await send_sms("filled:" + id + ":" + language + ":" + other_id, number,
                                      other_language, std::move(filled));
        !sent) {
      co_return sent.error();
    }
  }
  co_return std::optional<std::string>{
      render(i18n::message_key::translation_confirmation, own_language, district_.time_zone, {})};
}

}  // namespace liaison::services
