// Offers and acceptances: a new request is offered by SMS to every matching interpreter (same
// language, mode and school, active, with a phone), in the interpreter's language, with a short
// code ("Reply YES 4821"); the first YES wins (a compare-and-set on the request's state, safe
// with several liaisond instances), later ones are told it is filled, and the family gets a
// confirmation in its own language with the meeting time in the school's zone.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/services/interpretation.hpp"
#include "daemon/services/interpretation_store.hpp"
#include "i18n/catalog.hpp"
#include "i18n/language.hpp"
#include "i18n/message_format.hpp"
#include "queue/delivery_queue.hpp"
#include "support/clock.hpp"

namespace liaison::services {

class directory_store;

// Who may take a request (pure): active, speaks the language, offers the mode, serves the
// school, and has a phone (SMS offer) or an email address (an offer with a link to a page).
bool matches(const interpreter& i, const interpretation_request& r);

// The page where an interpreter without a phone answers an offer: "/offers/<code>/<token>",
// the token being 32 hex digits from a CSPRNG, one per interpreter and offer.
std::string offer_page_path(std::string_view code, std::string_view token);
bool looks_like_offer_link(std::string_view code, std::string_view token) noexcept;

// "YES 4821" / "sí 4821" / "NO 4821" (pure): the code and whether it accepts. nullopt when the
// text is not an answer to an offer (a code is 4 digits; a reply that starts with a "no" word
// declines).
struct offer_answer {
  std::string code;
  bool accepts = true;
};
std::optional<offer_answer> parse_offer_answer(std::string_view text);

// A family's answer to a meeting reminder (pure): "1" confirms, "2" asks for another time;
// nullopt for anything else.
enum class meeting_answer { confirm, reschedule };
std::optional<meeting_answer> parse_meeting_answer(std::string_view text);

// When the reminders of a meeting starting at `start` are due: one per offset ahead of it,
// skipping those already past at `now`. Each with its member name "<id>|<minutes ahead>".
std::vector<std::pair<std::chrono::system_clock::time_point, std::string>> reminder_schedule(
    std::string_view request_id, std::chrono::system_clock::time_point start,
    const std::vector<std::chrono::milliseconds>& offsets,
    std::chrono::system_clock::time_point now);

class notice_sender;
struct guardian;

class interpretation_service {
 public:
  interpretation_service(interpretation_store& store, directory_store& directory,
                         queue::delivery_queue& queue, const i18n::message_catalog& catalog,
                         const config::district_config& district,
                         const config::interpretation_config& rules, notice_sender& notices,
                         const clock& clock, std::string public_url);

  // Sends the offers of a new request and moves it to `offered`; returns how many went out
  // (0: nobody matches, the request stays `requested` for the coordinator to handle).
  boost::asio::awaitable<boost::system::result<std::size_t>> send_offers(
      const interpretation_request& request);

  // Requests nobody accepted by their deadline become `unfilled`, and the coordinator is told by
  // email ([district] coordinator_email) in time to call a vendor. Safe in every instance at
  // once: the transition is a compare-and-set, so each request is escalated once. Returns how
  // many were.
  boost::asio::awaitable<boost::system::result<std::size_t>> escalate_unfilled();

  // An inbound text from `phone`: when it answers an offer, the reply to send back (accepted,
  // already filled…); nullopt when it is not about an offer.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> handle_reply(
      std::string_view phone, std::string_view text);

  // A family answered an announcement's RSVP option that requests interpreters: the request
  // for this family (the number's guardian, in their language) from the option's template, for
  // the announcement's school, then its offers. Once per family and announcement. Returns the
  // request id, or nullopt when the number is no guardian's or the template no longer validates
  // (e.g. the meeting is past).
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> request_for_rsvp(
      std::string_view phone, std::string announcement_id, std::string school,
      std::string request_template);

  // Offers each target language of a translation request to the translators of that language
  // (active, `translator`, with a phone, serving the school) with its own code, in the
  // translator's language; the first YES per language wins. Returns the offers sent (0 for a
  // language: it stays `requested` for the coordinator).
  boost::asio::awaitable<boost::system::result<std::size_t>> send_translation_offers(
      const translation_request& request);

  // Sends the reminders that are due ([interpretation] reminders, scheduled when an interpreter
  // accepts): the family's, in its language, ending "reply 1 to confirm, 2 for another time",
  // and the interpreter's. A request no longer assigned or confirmed is not reminded of. Safe
  // in every instance at once (deterministic delivery ids). Returns how many reminders went.
  boost::asio::awaitable<boost::system::result<std::size_t>> send_due_reminders();

  // An offer made by email: the page at offer_page_path(code, token) shows it and takes the
  // answer. `token` is the secret of that one interpreter's link.
  struct offer_page {
    std::string language;  // the interpreter's
    std::string title;     // "Interpreter needed: Spanish, December 3"
    std::string details;   // the offer itself, in the interpreter's language
    bool open = false;     // still offered (not assigned, cancelled, unfilled…)
    std::string accept_label;
    std::string decline_label;
    std::string closed_text;    // what a closed offer says instead of the buttons
    std::string declined_text;  // what the page says after a decline
  };
  boost::asio::awaitable<boost::system::result<std::optional<offer_page>>> find_offer_page(
      std::string code, std::string token);
  // The answer given on that page: what to show back (accepted, already filled; empty for a
  // decline: the page's declined_text); nullopt when the link is not (or no longer) an offer.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> answer_offer_page(
      std::string code, std::string token, bool accepts);

  // A family's answer to a reminder from `phone`: 1 confirms the request, 2 moves it back to
  // assigned and tells the coordinator (email and notice). The reply to send back; nullopt when
  // the number awaits no answer, the request is over, or the text is neither.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> handle_family_answer(
      std::string_view phone, std::string_view text);

  // Cancels a request for `by`: flagged late when an interpreter was booked and the meeting is
  // within [interpretation] late_cancellation_window; the family and the interpreter are told
  // (when one was booked), and the district gets a notice.
  boost::asio::awaitable<boost::system::result<transition_outcome>> cancel(
      const stored_request& found, std::string by, std::string note);

 private:
  // A 4-digit code for `offer` (a request id, or "<translation id>|<language>") that no other
  // open offer uses, reserved until `until`.
  boost::asio::awaitable<boost::system::result<std::string>> reserve_code(
      std::string offer, std::chrono::system_clock::time_point until);
  // An interpreter's answer to the offer `code`, from `address` (their phone, or "link:<token>"
  // for an offer by email): the first YES is assigned; see handle_reply.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> answer_offer(
      std::string code, std::string address, bool accepts, std::string how);
  // SMS to an interpreter with a phone, else email (subject: the text itself).
  boost::asio::awaitable<boost::system::result<void>> send_to_interpreter(std::string delivery_id,
                                                                          const interpreter& i,
                                                                          std::string text);
  // A translator's YES or NO to "<translation id>|<language>": the first YES is assigned.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
  handle_translation_answer(std::string offer, std::string translator_id, std::string code,
                            bool accepts);
  // The guardian who hears about the meeting: the request's, else the first with a phone who
  // has not opted out of SMS.
  boost::asio::awaitable<boost::system::result<std::optional<guardian>>> family_contact(
      const interpretation_request& r);
  boost::asio::awaitable<boost::system::result<void>> remind(const interpretation_request& r,
                                                             const std::string& assigned_to,
                                                             const std::string& which);
  // The coordinator's email (when configured) and the district's notice about a request.
  boost::asio::awaitable<boost::system::result<void>> tell_coordinator(
      const interpretation_request& r, std::string event_id, std::string notice_type,
      std::string subject, std::string text);
  std::string render(i18n::message_key key, const std::string& language,
                     const std::string& time_zone, const i18n::message_arguments& arguments);
  boost::asio::awaitable<boost::system::result<void>> send_message(
      config::channel channel, std::string delivery_id, std::string address, std::string language,
      std::string subject, std::string text);
  boost::asio::awaitable<boost::system::result<void>> send_sms(std::string delivery_id,
                                                               std::string address,
                                                               std::string language,
                                                               std::string text);

  interpretation_store& store_;
  directory_store& directory_;
  queue::delivery_queue& queue_;
  const i18n::message_catalog& catalog_;
  config::district_config district_;
  config::interpretation_config rules_;
  notice_sender& notices_;
  const clock& clock_;
  std::string public_url_;  // where offer pages are ([http] public_url)
  i18n::message_renderer renderer_;
  i18n::language_matcher catalog_languages_;
};

}  // namespace liaison::services
