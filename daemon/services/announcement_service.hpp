// Announcements end to end: intake (scope and audience checked against the directory, durably
// stored before the answer), fan-out (one page of families at a time, resumable by any
// instance), what a worker needs to send one delivery (the announcement, its state, the rendered
// text, quiet hours), progress and cancel.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "channels/provider.hpp"
#include "config/config.hpp"
#include "daemon/services/announcement.hpp"
#include "daemon/services/announcement_plan.hpp"
#include "daemon/services/announcement_renderer.hpp"
#include "daemon/services/announcement_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/machine_translator.hpp"
#include "i18n/catalog.hpp"
#include "i18n/quiet_hours.hpp"
#include "support/clock.hpp"

namespace liaison::services {

class conversation_store;

// Who is asking, as the HTTP layer authenticated them.
struct requester {
  std::string key_name;
  config::role role = config::role::school;
  std::vector<std::string> schools;  // a school key's schools
};

// What a school key may announce (pure): its own schools only, never the whole district.
std::vector<field_error> check_announcement_scope(const announcement& a, const requester& who);

// The index terms an audience is the union of, and the terms a school key's audience is kept
// within (its schools), for the directory's snapshot.
struct audience_terms {
  std::vector<std::string> union_terms;
  std::vector<std::string> within_terms;
};
audience_terms terms_for(const audience& to, const std::vector<std::string>& within_schools);

struct intake_answer {
  std::vector<field_error> errors;  // not empty: rejected (422), nothing written
  queue::intake_outcome outcome;
};

// Progress: "<language>|<channel>|<phase>" counts, and the announcement.
struct announcement_progress {
  stored_announcement stored;
  std::map<std::string, long long> tally;
  std::map<std::string, long long> rsvp;           // option label -> answers
  std::map<std::string, long long> voice_answers;  // keypad answer -> numbers that gave it
};

// What a call of an announcement says, for answering its keypad input: the message (intro and
// text) and the keypad prompt in the <Say> language the call used, and the thanks said before
// hanging up after an answer was recorded.
struct call_script {
  std::string say_language;
  std::string text;
  std::string prompt;
  std::string thanks;
};

// How long a number's answer still counts for the question it was last sent (and a reply is
// linked to the announcement it was last sent).
inline constexpr auto rsvp_window = std::chrono::days(14);

// The announcement a number was last sent: what a reply most likely answers.
struct last_announcement {
  std::string id;
  std::string school;   // empty when the district sent it, or it is no longer stored
  std::string summary;  // its subject or the start of its text; empty when no longer stored
};

// What a worker does with one announcement delivery.
struct send_now {
  channels::rendered_delivery delivery;
};
struct stop_cancelled {};
struct wait_until {
  std::chrono::system_clock::time_point when;  // quiet hours
};
struct cannot_send {
  std::string reason;  // permanent: e.g. the announcement is gone
};
struct try_later {
  std::string reason;  // Redis unreachable: leave the job pending
};
using prepared_delivery =
    std::variant<send_now, stop_cancelled, wait_until, cannot_send, try_later>;

// POST /v1/announcements/preview: what each language's families would get, and what it costs.
struct channel_preview {
  config::channel channel = config::channel::sms;
  // Voice: false when the language cannot be spoken (those families get SMS or email instead).
  bool available = true;
  std::string note;  // why not available
  std::string subject;
  std::string text;
  std::string voice_language;
  // SMS only.
  std::string encoding;
  std::size_t characters = 0;
  std::size_t segments = 0;
  std::string first_non_gsm7_character;
};

struct language_preview {
  std::string language;  // a guardian language of the audience (or a translation's)
  long long families = 0;
  std::string text_language;
  std::string text_source;
  bool fallback = false;  // the text is in another language, with a notice
  bool right_to_left = false;
  std::vector<channel_preview> channels;
  std::string error;  // the text cannot be rendered in this language
  // Machine translation was wanted for this language but failed (the fallback is shown).
  std::string machine_translation_error;
};

struct announcement_preview {
  std::vector<field_error> errors;  // as intake would answer
  long long families = 0;
  std::vector<language_preview> languages;
  // SMS segments if every family in the audience got one SMS per guardian language group: an
  // estimate (names vary in length; families may have several guardians or take no SMS).
  long long sms_segments_estimate = 0;
};

struct fanout_limits {
  std::size_t families_per_page = 250;
  std::chrono::milliseconds lease = std::chrono::seconds(30);
  std::size_t lanes = 3;  // pages on their way at once
};

// An RSVP answer as counted.
struct rsvp_recorded {
  std::string announcement_id;
  std::string school;  // the announcement's
  std::string label;
  bool changed = false;        // a first answer, or another option than before
  std::string interpretation;  // the option's interpretation template (empty: none)
};

class announcement_service {
 public:
  announcement_service(directory_store& directory, announcement_store& store,
                       const i18n::message_catalog& catalog, config::district_config district,
                       const clock& clock, std::chrono::milliseconds idempotency_ttl,
                       fanout_limits limits = {});

  // Machine translation for announcements that allow it; without one (or with a translator that
  // has no provider) families get the fallback language and its note. Must outlive the service.
  void set_translator(machine_translator& translator) noexcept { translator_ = &translator; }
  // Where messages to one family are filed once sent; optional.
  void set_conversations(conversation_store& conversations) noexcept {
    conversations_ = &conversations;
  }

  // Validated announcement in; field errors for audiences that name no one, or an id.
  boost::asio::awaitable<boost::system::result<intake_answer>> accept(
      announcement a, const requester& who, const std::optional<idempotency_request>& idempotency);

  // Nothing is written (the audience snapshot used for counting is dropped at once).
  boost::asio::awaitable<boost::system::result<announcement_preview>> preview(const announcement& a,
                                                                              const requester& who);

  boost::asio::awaitable<boost::system::result<std::optional<announcement_progress>>> progress(
      std::string_view id);
  boost::asio::awaitable<boost::system::result<cancel_result>> cancel(std::string_view id,
                                                                      const requester& who);
  // The newest announcements and their progress, `max` per page of the audit stream (before
  // the cursor `before`, "" = now). Visibility to a caller is the route's business.
  boost::asio::awaitable<
      boost::system::result<std::pair<std::vector<announcement_progress>, std::string>>>
  recent(std::string before, std::size_t max);
  // Its failed deliveries with why (announcement_store::failures).
  boost::asio::awaitable<boost::system::result<failure_page>> failures(
      std::string id, std::optional<failure_cursor> after, std::size_t max) {
    return store_.failures(std::move(id), std::move(after), max);
  }

  // Fans out the next due announcement, if any: true when it did some work (call again at
  // once), false when nothing was due.
  boost::asio::awaitable<boost::system::result<bool>> fan_out_next();
  // Draining: a fan-out in progress stops after its current page (its lease then runs out and
  // an instance resumes it at the cursor).
  void stop_fanout() noexcept { stopping_ = true; }

  // After a worker sent an announcement's delivery (`sent_text`: the text the provider got):
  // a message to one family is filed in its conversation; for SMS, the number remembers this
  // announcement (replies link to it) and the question it asked, so the reply counts for it.
  boost::asio::awaitable<boost::system::result<void>> after_sent(
      const std::map<std::string, std::string>& record, std::string sent_text);
  // The announcement `address` was last sent by SMS (within rsvp_window), when known.
  boost::asio::awaitable<boost::system::result<std::optional<last_announcement>>> last_sent_to(
      std::string address);
  // Reach reports: a family replied to announcement `id`; and the figures of the announcements
  // created in [from, to) (at most 10,000 of them).
  boost::asio::awaitable<boost::system::result<void>> note_reply(std::string id,
                                                                 std::string language,
                                                                 std::string family_id);
  boost::asio::awaitable<boost::system::result<reach_figures>> reach(
      std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to);
  // A text from `address` that may answer the question it was last sent: the option chosen,
  // or nullopt when it is no answer (or there is no question).
  boost::asio::awaitable<boost::system::result<std::optional<rsvp_recorded>>> record_answer(
      std::string_view address, std::string_view text);

  // A voice delivery's call, rendered again as it was sent (no quiet hours or cancel check: the
  // family is on the line). nullopt when the delivery is no announcement's voice call or its
  // text cannot be rendered any more.
  boost::asio::awaitable<boost::system::result<std::optional<call_script>>> call_script_for(
      const std::map<std::string, std::string>& record);
  // A keypad answer on an announcement's call: counted once per number as `answer`; with
  // `as_first_option`, also the RSVP answer of the first option when the announcement asks a
  // question (the same count a text reply moves, so a number that presses 1 and texts "1" is
  // one answer).
  boost::asio::awaitable<boost::system::result<void>> record_voice_answer(
      const std::map<std::string, std::string>& record, std::string answer, bool as_first_option);

  // For a worker: the delivery rendered, or why not now.
  boost::asio::awaitable<prepared_delivery> prepare(
      const std::map<std::string, std::string>& record);

  const i18n::quiet_hours& quiet() const noexcept { return quiet_; }
  std::chrono::system_clock::time_point now() const { return clock_.now_system(); }
  const std::string& district_language() const noexcept { return district_.default_language; }

 private:
  // One page of an audience as read after the cursor `after`: its family ids, and the families
  // found (a family deleted since the snapshot is not).
  struct read_page {
    std::string after;
    std::vector<std::string> family_ids;
    std::vector<family> families;
  };
  // The same page planned: the deliveries its families get.
  struct planned_page {
    std::string after;  // the cursor the page was read after
    std::vector<std::string> family_ids;
    std::vector<planned_delivery> deliveries;
  };
  planned_page plan_read_page(read_page& page, announcement_planner& planner);

  // Fan-out's pages go through a few lanes at once (fanout_limits::lanes). A lane takes the
  // next page and carries it through: list its family ids, fetch their documents, parse them
  // (CPU), fill in their opt-outs, plan its deliveries and build the page script's call (CPU),
  // write. With several pages between their round trips, Redis has another lane's commands
  // waiting while liaisond reads its answers, parses or plans, and neither side waits for the
  // other. Pages are written in order, each once the one before was answered, so the page
  // script's cursor check holds (and a script loaded again after NOSCRIPT cannot overtake the
  // page before it).
  struct fanout_run;
  enum class pages_outcome { written, cancelled, taken_over, stopped };
  // Writes the audience's pages after `cursor`, the family at `position` first.
  boost::asio::awaitable<boost::system::result<pages_outcome>> fan_out_pages(
      std::string id, std::string cursor, std::size_t position, announcement_planner* planner);
  boost::asio::awaitable<void> fan_out_lane(fanout_run* run);
  boost::asio::awaitable<void> carry_pages(fanout_run* run);  // a lane's work, without its guard

  // An announcement a worker sends deliveries of, with the planner that knows its text choice
  // per language.
  struct sending {
    std::shared_ptr<const announcement> value;
    std::unique_ptr<announcement_planner> planner;
  };
  boost::asio::awaitable<boost::system::result<sending*>> cached(std::string_view id);
  // Field errors for selectors that name no family.
  boost::asio::awaitable<boost::system::result<std::vector<field_error>>> check_audience(
      const audience& to, const requester& who);
  language_preview preview_language(const announcement& a, const std::string& language);
  // The guardian languages of an audience snapshot (those with at least one family).
  boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
  audience_languages(std::string snapshot);
  // Translates the announcement into each text language localization picks machine translation
  // for, among these guardian languages; renews `lease_id`'s fan-out lease after each language
  // when not empty. Translation failures are listed, not fatal: those families get the
  // fallback. Fails only when the lease cannot be renewed (Redis away): nothing is settled then.
  boost::asio::awaitable<boost::system::result<machine_translation_set>> machine_translate(
      const announcement& a, std::vector<std::string> guardian_languages, std::string lease_id);
  bool wants_machine_translation(const announcement& a) const noexcept;

  directory_store& directory_;
  announcement_store& store_;
  const i18n::message_catalog& catalog_;
  config::district_config district_;
  const clock& clock_;
  std::chrono::milliseconds idempotency_ttl_;
  fanout_limits limits_;
  i18n::quiet_hours quiet_;
  announcement_renderer renderer_;
  machine_translator* translator_ = nullptr;
  conversation_store* conversations_ = nullptr;
  // Announcements are immutable once stored: a worker parses each once. Bounded; emptied when
  // full (announcements are few and short-lived next to their deliveries).
  std::map<std::string, sending, std::less<>> cache_;
  bool stopping_ = false;
};

}  // namespace liaison::services
