// Announcements in Redis, next to the delivery queue (same {q} hash slot, so an announcement's
// deliveries, progress counters and state change together in one script or transaction):
//   <prefix>:{q}:ann:<id>        hash: the announcement (JSON), state, who, when, fan-out cursor,
//                                its machine translations (JSON, written once at fan-out start)
//   <prefix>:{q}:ann:<id>:tally  hash: "<language>|<channel>|<phase>" -> count
//   <prefix>:{q}:fanout          sorted set: announcements to fan out, by due time (send_at, or
//                                a lease's end while an instance works on one)
//   <prefix>:{q}:ann:<id>:failures  sorted set: its failed deliveries, by when they failed
//   <prefix>:{q}:audit           stream: who created or cancelled what, when
// docs/announcements.md describes the states and the fan-out protocol.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/services/announcement.hpp"
#include "daemon/services/announcement_plan.hpp"
#include "daemon/services/message_service.hpp"
#include "queue/delivery_queue.hpp"
#include "queue/lua_script.hpp"

namespace liaison::services {

// scheduled → fanning_out → fanned_out; any of the first two → cancelled.
enum class announcement_state { scheduled, fanning_out, fanned_out, cancelled };
std::string_view to_string(announcement_state s) noexcept;

struct stored_announcement {
  announcement value;
  announcement_state state = announcement_state::scheduled;
  std::string created_by;  // the API key's name
  std::string created_at;
  // A school key's announcement reaches only families of its schools (fixed at creation).
  std::vector<std::string> within_schools;
  std::string cancelled_by;
  std::string cancelled_at;
  std::string cursor;           // the last family fanned out
  long long audience = -1;      // families in the audience snapshot; -1 before fan-out
  long long families_done = 0;  // families fanned out so far
  long long deliveries = 0;     // deliveries created so far
  // Whether the machine translations were settled (value.machine_translations holds those that
  // succeeded): the first fan-out to get there decides, every later one reuses them.
  bool machine_translations_settled = false;
  // Languages whose machine translation failed when they were settled, with why.
  std::map<std::string, std::string> machine_translation_failures;
};

// The machine translations of an announcement as settled at fan-out start.
struct machine_translation_set {
  std::map<std::string, announcement_text> texts;
  std::map<std::string, std::string> failures;  // language -> why
};

enum class cancel_result { cancelled, already_cancelled, not_found };

// What reach reports are built from (docs/reports.md), summed over announcements.
struct reach_figures {
  std::size_t announcements = 0;
  std::map<std::string, long long> tallies;  // "<language>|<channel>|<phase>" -> deliveries
  struct families {
    long long addressed = 0;  // distinct families the announcements were for
    long long reached = 0;    // … with a delivery handed to a provider on some channel
    long long replied = 0;    // … who replied to one of them
  };
  std::map<std::string, families> by_language;  // distinct counts (HyperLogLog, ±1 %)
};

bool looks_like_stream_id(std::string_view text) noexcept;

struct created_page {
  std::vector<std::string> ids;
  std::string next;
};

// One failed delivery of an announcement, as its record tells it.
struct failed_delivery {
  std::string delivery;
  std::string family;
  std::string guardian;
  std::string language;
  std::string channel;
  std::string state;  // failed, dead or undelivered
  std::string reason;
  long long attempts = 0;
  std::string failed_at;  // RFC 3339
};

// A page of fan-out to write: the families read after the cursor `after`, up to `cursor`.
struct page_to_write {
  std::string after;
  std::string cursor;
  std::size_t families = 0;
  const std::vector<planned_delivery>* deliveries = nullptr;
};
enum class page_written { written, cancelled, already_written };

// Where a page of failures ends: "<ms>:<delivery id>" in the API.
struct failure_cursor {
  long long failed_at_ms = 0;
  std::string delivery;

  static std::optional<failure_cursor> parse(std::string_view text);
  std::string text() const;
};

struct failure_page {
  long long total = 0;  // failed deliveries of the announcement now
  std::vector<failed_delivery> failures;
  std::optional<failure_cursor> next;  // nullopt at the end
};

class announcement_store {
 public:
  announcement_store(queue::redis_connection& redis, queue::delivery_queue& queue);

  // Stores the announcement and puts it up for fan-out (at send_at, or now) with an audit
  // entry, all at once; with an idempotency key, a repeat answers with the first id.
  boost::asio::awaitable<boost::system::result<queue::intake_outcome>> create(
      const announcement& a, std::string_view created_by,
      const std::vector<std::string>& within_schools, std::chrono::system_clock::time_point now,
      const std::optional<idempotency_request>& idempotency,
      std::chrono::milliseconds idempotency_ttl);

  boost::asio::awaitable<boost::system::result<std::optional<stored_announcement>>> load(
      std::string_view id);
  // Just the state: what a worker checks before each send. nullopt when there is none.
  boost::asio::awaitable<boost::system::result<std::optional<announcement_state>>> state(
      std::string_view id);
  // The progress counters, "<language>|<channel>|<phase>" -> count.
  // Announcements created in [from, to) (from the audit stream), oldest first, at most `max`.
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> created_between(
      std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to,
      std::size_t max);
  // Their tallies summed, and the distinct families per language across them.
  boost::asio::awaitable<boost::system::result<reach_figures>> reach(
      const std::vector<std::string>& ids);
  // A family (speaking `language`) replied to announcement `id`.
  boost::asio::awaitable<boost::system::result<void>> note_reply(std::string_view id,
                                                                 std::string_view language,
                                                                 std::string_view family_id);

  boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>> tally(
      std::string_view id);
  // Announcements created before the audit entry `before` ("" = now; else a stream id, which
  // the caller checked with looks_like_stream_id), newest first, at most `max`; `next` is the
  // cursor for the page after (empty at the end).
  boost::asio::awaitable<boost::system::result<created_page>> created_before(std::string before,
                                                                             std::size_t max);
  // The deliveries of an announcement that failed (failed, dead letter, undelivered), oldest
  // failure first, `max` after the cursor `after` ("" = from the start).
  boost::asio::awaitable<boost::system::result<failure_page>> failures(
      std::string id, std::optional<failure_cursor> after, std::size_t max);

  // Stops what has not been sent: fan-out ends at its next page, and workers complete the
  // remaining deliveries as cancelled. Audited.
  boost::asio::awaitable<boost::system::result<cancel_result>> cancel(
      std::string_view id, std::string_view by, std::chrono::system_clock::time_point now);

  // Fan-out protocol, safe with any number of instances: claim one due announcement for
  // `lease`; write pages of deliveries (each page renews the lease and moves the cursor, in the
  // same script that writes the deliveries); finish. A crashed instance's lease expires and
  // another one resumes at the cursor; deterministic delivery ids make re-written pages no-ops.
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> claim_due(
      std::chrono::system_clock::time_point now, std::chrono::milliseconds lease);
  boost::asio::awaitable<boost::system::result<void>> start_fanout(std::string_view id,
                                                                   long long audience_size);
  // Writes a page of deliveries unless the announcement was cancelled, or the page was written
  // already (the stored cursor moved past `page.after`: another instance took over).
  boost::asio::awaitable<boost::system::result<page_written>> write_page(
      std::string_view id, page_to_write page, std::chrono::system_clock::time_point lease_until);
  // write_page in two steps: its script call built (CPU only; fan-out builds it while Redis
  // works on the pages around it), then sent.
  struct prepared_page {
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  prepared_page prepare_page(std::string_view id, const page_to_write& page,
                             std::chrono::system_clock::time_point lease_until);
  boost::asio::awaitable<boost::system::result<page_written>> write_prepared(prepared_page page);
  // Sends the commands submitted so far at once (redis_connection::flush): fan-out calls it
  // before planning a page, so Redis writes and reads the pages around it meanwhile.
  void send_now() { redis_.flush(); }
  boost::asio::awaitable<boost::system::result<void>> finish_fanout(std::string_view id,
                                                                    bool cancelled);
  // Moves the lease's end while fan-out does slow work before its first page (translation).
  boost::asio::awaitable<boost::system::result<void>> renew_lease(
      std::string_view id, std::chrono::system_clock::time_point lease_until);
  // Stores the machine translations unless some were stored already (another instance got there
  // first); answers with those stored, so every instance uses the same texts.
  boost::asio::awaitable<boost::system::result<machine_translation_set>>
  settle_machine_translations(std::string_view id, const machine_translation_set& translations);

  // RSVP: the question a number was last asked (set when an announcement with a question is
  // sent to it by SMS; answers go to that announcement), and each number's answer, counted per
  // option label. A changed answer moves its count.
  boost::asio::awaitable<boost::system::result<void>> note_question_sent(
      std::string_view address, std::string_view id, std::chrono::milliseconds remember_for);
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> pending_question(
      std::string_view address);
  // True when the number's answer changed (a first answer, or another option than before).
  boost::asio::awaitable<boost::system::result<bool>> record_rsvp(std::string_view id,
                                                                  std::string_view address,
                                                                  std::string_view label);
  boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>> rsvp_counts(
      std::string_view id);
  // Keypad answers to a call ("confirmed", "call_back"), one per number, counted the same way.
  boost::asio::awaitable<boost::system::result<bool>> record_voice_answer(std::string_view id,
                                                                          std::string_view address,
                                                                          std::string_view answer);
  boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
  voice_answer_counts(std::string_view id);

  // The announcement a number was last sent by SMS (question or not), so a reply can be linked
  // to what it most likely answers.
  boost::asio::awaitable<boost::system::result<void>> note_last_sent(
      std::string address, std::string id, std::chrono::milliseconds remember_for);
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>> last_sent(
      std::string address);

  std::string announcement_key(std::string_view id) const;
  std::string fanout_key() const;
  std::string audit_key() const;

 private:
  // One answer per address in `answers_key`, counted per answer in `counts_key` (rsvp_source).
  boost::asio::awaitable<boost::system::result<bool>> record_counted_answer(std::string answers_key,
                                                                            std::string counts_key,
                                                                            std::string address,
                                                                            std::string answer);
  boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>> counts(
      std::string key);

  queue::redis_connection& redis_;
  queue::delivery_queue& queue_;
  queue::lua_script create_script_;
  queue::lua_script claim_script_;
  queue::lua_script page_script_;
  queue::lua_script cancel_script_;
  queue::lua_script rsvp_script_;
};

}  // namespace liaison::services
