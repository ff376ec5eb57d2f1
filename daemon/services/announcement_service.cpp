#include "daemon/services/announcement_service.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "daemon/services/announcement_plan.hpp"
#include "daemon/services/conversation_store.hpp"
#include "daemon/services/reply_forwarding.hpp"
#include "i18n/language.hpp"
#include "i18n/sms_encoding.hpp"

namespace liaison::services {
namespace {

using std::chrono::system_clock;

bool may_address(const requester& who, std::string_view school) {
  return std::find(who.schools.begin(), who.schools.end(), school) != who.schools.end();
}

std::string field(const std::map<std::string, std::string>& record, const char* key) {
  const auto it = record.find(key);
  return it == record.end() ? std::string() : it->second;
}

struct selector_check {
  std::string term;
  std::string path;
  std::string problem;  // when the term has no family
};

std::vector<selector_check> selector_checks(const audience& to) {
  std::vector<selector_check> checks;
  auto add = [&checks](const std::vector<std::string>& ids, const char* list, const char* term,
                       const char* problem) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      checks.push_back({std::string(term) + ids[i],
                        "audience." + std::string(list) + "[" + std::to_string(i) + "]",
                        std::string(problem) + ids[i]});
    }
  };
  add(to.schools, "schools", "school:", "no family has a student at school ");
  add(to.grades, "grades", "grade:", "no family has a student in grade ");
  add(to.tags, "tags", "tag:", "no family has the tag ");
  return checks;
}

// result<bool> is not built from an error_code implicitly (bool would take it too).
boost::system::result<bool> failure(boost::system::error_code ec) {
  return {boost::system::in_place_error, ec};
}

}  // namespace

std::vector<field_error> check_announcement_scope(const announcement& a, const requester& who) {
  std::vector<field_error> errors;
  if (who.role != config::role::school) {
    return errors;
  }
  if (a.school.empty()) {
    errors.push_back({"school", "required with a school's key: the school it is sent for"});
  } else if (!may_address(who, a.school)) {
    errors.push_back({"school", "this key may not send for school " + a.school});
  }
  if (a.to.all) {
    errors.push_back({"audience.all", "only coordinator and admin keys reach the whole district"});
  }
  for (std::size_t i = 0; i < a.to.schools.size(); ++i) {
    if (!may_address(who, a.to.schools[i])) {
      errors.push_back({"audience.schools[" + std::to_string(i) + "]",
                        "this key may not address school " + a.to.schools[i]});
    }
  }
  return errors;
}

audience_terms terms_for(const audience& to, const std::vector<std::string>& within_schools) {
  audience_terms terms;
  if (to.all) {
    terms.union_terms.emplace_back("all");
  }
  for (const auto& school : to.schools) {
    if (to.grades.empty()) {
      terms.union_terms.push_back("school:" + school);
    } else {
      for (const auto& grade : to.grades) {
        terms.union_terms.push_back("school_grade:" + school + ":" + grade);
      }
    }
  }
  if (to.schools.empty()) {
    for (const auto& grade : to.grades) {
      terms.union_terms.push_back("grade:" + grade);
    }
  }
  for (const auto& tag : to.tags) {
    terms.union_terms.push_back("tag:" + tag);
  }
  for (const auto& school : within_schools) {
    terms.within_terms.push_back("school:" + school);
  }
  return terms;
}

announcement_service::announcement_service(directory_store& directory, announcement_store& store,
                                           const i18n::message_catalog& catalog,
                                           config::district_config district, const clock& clock,
                                           std::chrono::milliseconds idempotency_ttl,
                                           fanout_limits limits)
    : directory_(directory),
      store_(store),
      catalog_(catalog),
      district_(std::move(district)),
      clock_(clock),
      idempotency_ttl_(idempotency_ttl),
      limits_(limits),
      quiet_({district_.quiet_hours_start, district_.quiet_hours_end}, district_.time_zone),
      renderer_(catalog, district_) {}

boost::asio::awaitable<boost::system::result<intake_answer>> announcement_service::accept(
    announcement a, const requester& who, const std::optional<idempotency_request>& idempotency) {
  intake_answer answer;
  answer.errors = check_announcement_scope(a, who);
  if (!answer.errors.empty()) {
    co_return answer;
  }
  auto audience_errors = co_await check_audience(a.to, who);
  if (!audience_errors) {
    co_return audience_errors.error();
  }
  answer.errors = std::move(*audience_errors);
  if (!answer.errors.empty()) {
    co_return answer;
  }
  const auto now = clock_.now_system();
  a.id = new_announcement_id(now);
  const std::vector<std::string> within =
      who.role == config::role::school ? who.schools : std::vector<std::string>{};
  auto created =
      co_await store_.create(a, who.key_name, within, now, idempotency, idempotency_ttl_);
  if (!created) {
    co_return created.error();
  }
  answer.outcome = *created;
  co_return answer;
}

boost::asio::awaitable<boost::system::result<std::vector<field_error>>>
announcement_service::check_audience(const audience& to, const requester& who) {
  // An audience selector that names no family is almost always a typo; say so before anything
  // is sent rather than reach fewer families than meant.
  std::vector<field_error> errors;
  const auto checks = selector_checks(to);
  for (const auto& check : checks) {
    auto n = co_await directory_.count_term(check.term);
    if (!n) {
      co_return n.error();
    }
    if (*n == 0) {
      errors.push_back({check.path, check.problem});
    }
  }
  if (!to.family_ids.empty()) {
    auto found = co_await directory_.get_many(to.family_ids);
    if (!found) {
      co_return found.error();
    }
    for (std::size_t i = 0; i < to.family_ids.size(); ++i) {
      const auto f = std::find_if(found->begin(), found->end(),
                                  [&](const family& x) { return x.id == to.family_ids[i]; });
      // A school key's unknown and other schools' families look the same: not found.
      const bool reachable =
          f != found->end() &&
          (who.role != config::role::school ||
           std::any_of(f->students.begin(), f->students.end(),
                       [&](const student& s) { return may_address(who, s.school); }));
      if (!reachable) {
        errors.push_back({"audience.family_ids[" + std::to_string(i) + "]",
                          "no family with id " + to.family_ids[i]});
        continue;
      }
      for (std::size_t j = 0; j < to.guardian_ids.size() && to.family_ids.size() == 1; ++j) {
        const auto& id = to.guardian_ids[j];
        if (std::none_of(f->guardians.begin(), f->guardians.end(),
                         [&](const guardian& g) { return g.id == id; })) {
          errors.push_back({"audience.guardian_ids[" + std::to_string(j) + "]",
                            "family " + f->id + " has no guardian " + id});
        }
      }
    }
  }
  co_return errors;
}

language_preview announcement_service::preview_language(const announcement& a,
                                                        const std::string& language) {
  language_preview out;
  out.language = language;
  out.right_to_left = i18n::is_right_to_left(language);
  // A sample guardian of this language who takes every channel the announcement uses: the
  // planner and renderer then decide exactly as they will for real families.
  family sample;
  sample.id = "preview";
  guardian g;
  g.id = "guardian";
  g.name = "Guardian";
  g.language = language;
  g.phone = "+12025550100";
  g.email = "guardian@example.org";
  g.channels = a.channels;
  g.time_zone = district_.time_zone;
  sample.guardians.push_back(g);
  sample.students.push_back({"student", "Student", a.school, ""});
  announcement_planner planner(a, "preview", catalog_.languages(), machine_languages(a),
                               district_.default_language, quiet_);
  const auto planned = planner.plan(sample, clock_.now_system());
  if (planned.empty()) {
    out.error = "no text can be chosen for " + language;
    return out;
  }
  const auto* choice = planner.localization_for(language);
  if (choice == nullptr) {
    out.error = "no text can be chosen for " + language;
    return out;
  }
  out.text_language = choice->text_language;
  out.text_source = std::string(i18n::to_string(choice->source));
  out.fallback = choice->add_fallback_notice;
  for (auto c : a.channels) {
    const bool planned_here = std::any_of(
        planned.begin(), planned.end(), [c](const planned_delivery& d) { return d.channel == c; });
    if (!planned_here) {
      channel_preview unavailable;
      unavailable.channel = c;
      unavailable.available = false;
      unavailable.note = "the voice cannot speak this language; these families get a text instead";
      out.channels.push_back(std::move(unavailable));
    }
  }
  for (const auto& d : planned) {
    channel_preview p;
    p.channel = d.channel;
    auto rendered = renderer_.render(a, d.record(), *choice);
    if (!rendered) {
      out.error = rendered.error;
      continue;
    }
    p.subject = rendered.value->subject;
    p.text = rendered.value->text;
    p.voice_language = rendered.value->voice_language;
    if (d.channel == config::channel::sms) {
      auto analysis = i18n::analyze_sms(p.text);
      if (analysis) {
        p.encoding = std::string(i18n::to_string(analysis.value->encoding));
        p.characters = analysis.value->characters;
        p.segments = analysis.value->segments;
        p.first_non_gsm7_character = analysis.value->first_non_gsm7_character;
      }
    }
    out.channels.push_back(std::move(p));
  }
  return out;
}

boost::asio::awaitable<boost::system::result<announcement_preview>> announcement_service::preview(
    const announcement& a, const requester& who) {
  announcement_preview out;
  out.errors = check_announcement_scope(a, who);
  if (out.errors.empty()) {
    auto audience_errors = co_await check_audience(a.to, who);
    if (!audience_errors) {
      co_return audience_errors.error();
    }
    out.errors = std::move(*audience_errors);
  }
  if (!out.errors.empty()) {
    co_return out;
  }
  // Count the audience per language on a throw-away snapshot.
  const std::string snapshot = "preview-" + new_announcement_id(clock_.now_system());
  const auto terms =
      terms_for(a.to, who.role == config::role::school ? who.schools : std::vector<std::string>{});
  auto families = co_await directory_.collect_audience(snapshot, terms.union_terms, a.to.family_ids,
                                                       terms.within_terms);
  if (!families) {
    co_return families.error();
  }
  out.families = *families;
  auto counted = co_await audience_languages(snapshot);
  auto dropped = co_await directory_.drop_audience(snapshot);
  if (!counted) {
    co_return counted.error();
  }
  if (!dropped) {
    co_return dropped.error();
  }
  std::map<std::string, long long> per_language = std::move(*counted);
  // The languages texts were written in are shown even when no family of the audience reads
  // them yet.
  for (const auto& language : human_languages(a)) {
    per_language.try_emplace(language, 0);
  }
  // The machine translations fan-out would make, from the cache when fan-out or an earlier
  // preview asked for the same text already.
  std::vector<std::string> guardian_languages;
  for (const auto& [language, n] : per_language) {
    guardian_languages.push_back(language);
  }
  announcement translated = a;
  auto machine = co_await machine_translate(a, std::move(guardian_languages), std::string());
  if (!machine) {
    co_return machine.error();
  }
  translated.machine_translations = machine->texts;
  // To say why a language that would read a machine translation does not: it failed.
  announcement_planner with_provider(a, "preview", catalog_.languages(),
                                     translator_ != nullptr
                                         ? translator_->target_languages(a.source_language)
                                         : std::vector<std::string>{},
                                     district_.default_language, quiet_);
  for (const auto& [language, n] : per_language) {
    auto p = preview_language(translated, language);
    if (const auto* wanted = with_provider.localization_for(language);
        wanted != nullptr && wanted->source == i18n::text_source::machine_translation) {
      if (const auto failed = machine->failures.find(wanted->text_language);
          failed != machine->failures.end()) {
        p.machine_translation_error = failed->second;
      }
    }
    p.families = n;
    for (const auto& c : p.channels) {
      if (c.channel == config::channel::sms) {
        out.sms_segments_estimate += n * static_cast<long long>(c.segments);
      }
    }
    out.languages.push_back(std::move(p));
  }
  co_return out;
}

boost::asio::awaitable<
    boost::system::result<std::pair<std::vector<announcement_progress>, std::string>>>
announcement_service::recent(std::string before, std::size_t max) {
  auto page = co_await store_.created_before(std::move(before), max);
  if (!page) {
    co_return page.error();
  }
  std::vector<announcement_progress> listed;
  for (const auto& id : page->ids) {
    auto one = co_await progress(id);
    if (!one) {
      co_return one.error();
    }
    if (*one) {  // gone (expired) since its audit entry
      listed.push_back(std::move(**one));
    }
  }
  co_return std::pair{std::move(listed), std::move(page->next)};
}

boost::asio::awaitable<boost::system::result<std::optional<announcement_progress>>>
announcement_service::progress(std::string_view id) {
  auto stored = co_await store_.load(id);
  if (!stored) {
    co_return stored.error();
  }
  if (!*stored) {
    co_return std::optional<announcement_progress>{};
  }
  auto tally = co_await store_.tally(id);
  if (!tally) {
    co_return tally.error();
  }
  auto rsvp = co_await store_.rsvp_counts(id);
  if (!rsvp) {
    co_return rsvp.error();
  }
  auto voice = co_await store_.voice_answer_counts(id);
  if (!voice) {
    co_return voice.error();
  }
  co_return std::optional<announcement_progress>{announcement_progress{
      std::move(**stored), std::move(*tally), std::move(*rsvp), std::move(*voice)}};
}

boost::asio::awaitable<boost::system::result<cancel_result>> announcement_service::cancel(
    std::string_view id, const requester& who) {
  co_return co_await store_.cancel(id, who.key_name, clock_.now_system());
}

bool announcement_service::wants_machine_translation(const announcement& a) const noexcept {
  return translator_ != nullptr && translator_->enabled() &&
         a.machine_translation != i18n::machine_translation_policy::never;
}

boost::asio::awaitable<boost::system::result<std::map<std::string, long long>>>
announcement_service::audience_languages(std::string snapshot) {
  auto languages = co_await directory_.known_languages();
  if (!languages) {
    co_return languages.error();
  }
  std::vector<std::string> language_terms;
  for (const auto& language : *languages) {
    language_terms.push_back("language:" + language);
  }
  auto counts = co_await directory_.count_in_audience(snapshot, language_terms);
  if (!counts) {
    co_return counts.error();
  }
  std::map<std::string, long long> per_language;
  for (std::size_t i = 0; i < languages->size() && i < counts->size(); ++i) {
    if ((*counts)[i] > 0) {
      per_language[(*languages)[i]] = (*counts)[i];
    }
  }
  co_return per_language;
}

boost::asio::awaitable<boost::system::result<machine_translation_set>>
announcement_service::machine_translate(const announcement& a,
                                        std::vector<std::string> guardian_languages,
                                        std::string lease_id) {
  machine_translation_set out;
  if (!wants_machine_translation(a)) {
    co_return out;
  }
  co_await translator_->ensure_languages();
  const auto targets = translator_->target_languages(a.source_language);
  if (targets.empty()) {
    co_return out;
  }
  // Which text languages localization would take from the provider: one translation each,
  // however many guardian languages (es, es-MX, es-US) read it.
  announcement_planner planner(a, a.id, catalog_.languages(), targets, district_.default_language,
                               quiet_);
  std::set<std::string> wanted;
  for (const auto& language : guardian_languages) {
    const auto* choice = planner.localization_for(language);
    if (choice != nullptr && choice->source == i18n::text_source::machine_translation) {
      wanted.insert(choice->text_language);
    }
  }
  for (const auto& target : wanted) {
    auto text = co_await translator_->translate_text(a.original, a.source_language, target);
    if (text) {
      out.texts[target] = std::move(*text.value);
    } else {
      out.failures[target] = std::move(text.error);
    }
    if (!lease_id.empty()) {
      // Each language may take up to the provider's timeout; keep other instances off.
      const auto until = clock_.now_system() + limits_.lease;
      if (auto renewed = co_await store_.renew_lease(lease_id, until); !renewed) {
        // Redis is away: nothing is settled; the lease runs out and fan-out is resumed later.
        co_return renewed.error();
      }
    }
  }
  co_return out;
}

boost::asio::awaitable<boost::system::result<bool>> announcement_service::fan_out_next() {
  const auto claimed_at = clock_.now_system();
  auto claimed = co_await store_.claim_due(claimed_at, limits_.lease);
  if (!claimed) {
    co_return failure(claimed.error());
  }
  if (!*claimed) {
    co_return false;
  }
  const std::string id = **claimed;
  auto loaded = co_await store_.load(id);
  if (!loaded) {
    co_return failure(loaded.error());
  }
  if (!*loaded || (*loaded)->state == announcement_state::cancelled ||
      (*loaded)->state == announcement_state::fanned_out) {
    auto done = co_await store_.finish_fanout(id, true);
    if (!done) {
      co_return failure(done.error());
    }
    co_return true;
  }
  auto& stored = **loaded;
  stored.value.id = id;

  // The audience is fixed when fan-out starts (not at intake: a scheduled announcement reaches
  // the roster as it is at send time). A resumed fan-out finds the snapshot in place and goes on
  // after its cursor.
  auto resumed_at = co_await directory_.resume_audience(id, stored.cursor);
  if (!resumed_at) {
    co_return failure(resumed_at.error());
  }
  std::size_t position = resumed_at->value_or(0);
  if (stored.state == announcement_state::scheduled || !*resumed_at) {
    const auto terms = terms_for(stored.value.to, stored.within_schools);
    // The set of the audience is kept only when its languages may be counted below: by the
    // announcement's own policy, not by whether a translator is configured now, so that a
    // fan-out resumed after the configuration changed still finds it.
    const bool count_languages =
        !stored.machine_translations_settled &&
        stored.value.machine_translation != i18n::machine_translation_policy::never;
    auto size = co_await directory_.snapshot_audience(
        id, terms.union_terms, stored.value.to.family_ids, terms.within_terms, count_languages);
    if (!size) {
      co_return failure(size.error());
    }
    auto started = co_await store_.start_fanout(id, *size);
    if (!started) {
      co_return failure(started.error());
    }
    position = 0;
  }

  // Machine translations are made once, before the first page, and stored with the
  // announcement: a resumed fan-out, another instance and the workers all use the same texts.
  if (!stored.machine_translations_settled && wants_machine_translation(stored.value)) {
    auto languages = co_await audience_languages(id);
    if (!languages) {
      co_return failure(languages.error());
    }
    std::vector<std::string> guardian_languages;
    for (const auto& [language, n] : *languages) {
      guardian_languages.push_back(language);
    }
    auto made = co_await machine_translate(stored.value, std::move(guardian_languages), id);
    if (!made) {
      co_return failure(made.error());
    }
    auto settled = co_await store_.settle_machine_translations(id, *made);
    if (!settled) {
      co_return failure(settled.error());
    }
    stored.value.machine_translations = std::move(settled->texts);
  }

  announcement_planner planner(stored.value, id, catalog_.languages(),
                               machine_languages(stored.value), district_.default_language, quiet_);
  auto pages = co_await fan_out_pages(id, stored.cursor, position, &planner);
  if (!pages) {
    co_return failure(pages.error());
  }
  if (*pages == pages_outcome::stopped) {
    co_return false;
  }
  if (*pages == pages_outcome::taken_over) {
    // This instance's lease ran out while it was slow, and another one resumed the fan-out
    // and wrote a page of it: leave the rest to it.
    co_return true;
  }
  auto done = co_await store_.finish_fanout(id, *pages == pages_outcome::cancelled);
  if (!done) {
    co_return failure(done.error());
  }
  auto dropped = co_await directory_.drop_audience(id);
  if (!dropped) {
    co_return failure(dropped.error());
  }
  co_return true;
}

// What the lanes of one fan-out share. Everything runs on one executor, so plain fields do.
struct announcement_service::fanout_run {
  fanout_run(const boost::asio::any_io_executor& executor, std::string announcement_id,
             std::string cursor, std::size_t position, announcement_planner* page_planner)
      : id(std::move(announcement_id)),
        first_after(std::move(cursor)),
        first_position(position),
        planner(page_planner),
        written_signal(executor, boost::asio::steady_timer::time_point::max()) {}

  const std::string id;
  const std::string first_after;     // the cursor the first page is read after
  const std::size_t first_position;  // and the position of its first family
  announcement_planner* const planner;

  std::size_t next_page = 0;             // the page the next lane to start takes (0 = the first)
  std::size_t pages_done = 0;            // pages written, in order: 0 .. pages_done - 1
  std::optional<std::size_t> end_page;   // the first page past the audience's end
  std::optional<pages_outcome> outcome;  // why the fan-out stops early
  boost::system::error_code error;       // a failed round trip: it stops early too
  bool abandoned = false;                // a lane threw: the exception is the outcome
  // Never expires: cancelled to wake every lane waiting for its turn to write, each of which
  // then checks whether it is its turn (cancel() keeps the expiry; expires_at() would wake the
  // others again).
  boost::asio::steady_timer written_signal;

  bool over() const noexcept { return outcome.has_value() || error.failed() || abandoned; }
  void abandon() {
    abandoned = true;
    written_signal.cancel();
  }
  void stop(pages_outcome why) {
    if (!over()) {
      outcome = why;
    }
    written_signal.cancel();
  }
  void fail(boost::system::error_code ec) {
    if (!over()) {
      error = ec;
    }
    written_signal.cancel();
  }
  void page_done() {
    ++pages_done;
    written_signal.cancel();
  }
};

boost::asio::awaitable<boost::system::result<announcement_service::pages_outcome>>
announcement_service::fan_out_pages(std::string id, std::string cursor, std::size_t position,
                                    announcement_planner* planner) {
  namespace asio = boost::asio;
  const auto executor = co_await asio::this_coro::executor;
  fanout_run run(executor, std::move(id), std::move(cursor), position, planner);
  using lane_operation = decltype(asio::co_spawn(executor, fan_out_lane(&run), asio::deferred));
  std::vector<lane_operation> lanes;
  for (std::size_t i = 0; i < std::max<std::size_t>(limits_.lanes, 1); ++i) {
    lanes.push_back(asio::co_spawn(executor, fan_out_lane(&run), asio::deferred));
  }
  auto [order, thrown] = co_await asio::experimental::make_parallel_group(std::move(lanes))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const auto& exception : thrown) {
    if (exception) {
      std::rethrow_exception(exception);
    }
  }
  if (run.error) {
    co_return run.error;
  }
  if (run.outcome) {
    co_return *run.outcome;
  }
  co_return stopping_ ? pages_outcome::stopped : pages_outcome::written;
}

boost::asio::awaitable<void> announcement_service::fan_out_lane(fanout_run* run) {
  try {
    co_await carry_pages(run);
  } catch (...) {
    // The lanes waiting for this one's page to be written would otherwise wait for ever, and
    // the fan-out with them.
    run->abandon();
    throw;
  }
}

boost::asio::awaitable<void> announcement_service::carry_pages(fanout_run* run) {
  namespace asio = boost::asio;
  const std::size_t per_page = std::max<std::size_t>(limits_.families_per_page, 1);
  while (!run->over()) {
    if (stopping_) {
      run->stop(pages_outcome::stopped);
      break;
    }
    const std::size_t page = run->next_page;
    if (run->end_page && page >= *run->end_page) {
      break;
    }
    ++run->next_page;

    // The family before a page is listed with it: its id is the cursor the page is read after.
    // The first page's cursor is where the fan-out starts (or resumes).
    const std::size_t position = run->first_position + page * per_page;
    const bool with_cursor = page > 0;
    auto ids = co_await directory_.audience_page(run->id, with_cursor ? position - 1 : position,
                                                 per_page + (with_cursor ? 1 : 0));
    if (!ids) {
      run->fail(ids.error());
      break;
    }
    read_page read;
    read.after = with_cursor && !ids->empty() ? ids->front() : run->first_after;
    read.family_ids = std::move(*ids);
    if (with_cursor && !read.family_ids.empty()) {
      read.family_ids.erase(read.family_ids.begin());
    }
    if (read.family_ids.empty()) {
      // Past the end, and so is every page after this one; earlier pages may still be on
      // their way in other lanes, and no page waits for this one.
      run->end_page = std::min(run->end_page.value_or(page), page);
      break;
    }

    auto documents = co_await directory_.get_documents(read.family_ids);
    if (!documents) {
      run->fail(documents.error());
      break;
    }
    store_.send_now();  // the other lanes' commands go to Redis while this one parses
    auto families = directory_store::parse_documents(*documents);
    if (!families) {
      run->fail(families.error());
      break;
    }
    documents->clear();
    read.families = std::move(*families);
    if (auto filled = co_await directory_.fill_opt_outs(&read.families); !filled) {
      run->fail(filled.error());
      break;
    }
    if (run->over()) {
      break;
    }
    store_.send_now();  // and while this one plans
    const auto planned = plan_read_page(read, *run->planner);
    const page_to_write to_write{planned.after, planned.family_ids.back(),
                                 planned.family_ids.size(), &planned.deliveries};
    auto prepared = store_.prepare_page(run->id, to_write, clock_.now_system() + limits_.lease);

    // Pages are written in order, each once the one before was answered.
    while (run->pages_done < page && !run->over()) {
      co_await run->written_signal.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (run->over()) {
      break;
    }
    auto written = co_await store_.write_prepared(std::move(prepared));
    if (!written) {
      run->fail(written.error());
      break;
    }
    if (*written == page_written::already_written) {
      run->stop(pages_outcome::taken_over);
      break;
    }
    if (*written == page_written::cancelled) {
      run->stop(pages_outcome::cancelled);
      break;
    }
    run->page_done();
  }
}

announcement_service::planned_page announcement_service::plan_read_page(
    read_page& page, announcement_planner& planner) {
  planned_page out;
  out.after = std::move(page.after);
  const auto now = clock_.now_system();
  out.deliveries.reserve(page.families.size() * 2);
  for (const auto& f : page.families) {
    planner.plan_into(out.deliveries, f, now);
  }
  out.family_ids = std::move(page.family_ids);
  page.families.clear();
  return out;
}

boost::asio::awaitable<boost::system::result<announcement_service::sending*>>
announcement_service::cached(std::string_view id) {
  if (auto it = cache_.find(id); it != cache_.end()) {
    co_return &it->second;
  }
  auto loaded = co_await store_.load(id);
  if (!loaded) {
    co_return loaded.error();
  }
  if (!*loaded) {
    co_return nullptr;
  }
  if (cache_.size() >= 256) {
    cache_.clear();
  }
  sending entry;
  entry.value = std::make_shared<const announcement>(std::move((*loaded)->value));
  // Deliveries exist only after fan-out settled the machine translations, so the stored ones
  // are final here and the worker chooses exactly as fan-out did.
  entry.planner = std::make_unique<announcement_planner>(
      *entry.value, std::string(id), catalog_.languages(), machine_languages(*entry.value),
      district_.default_language, quiet_);
  auto [it, inserted] = cache_.emplace(std::string(id), std::move(entry));
  co_return &it->second;
}

boost::asio::awaitable<boost::system::result<void>> announcement_service::after_sent(
    const std::map<std::string, std::string>& record, std::string sent_text) {
  const auto id = field(record, "announcement");
  auto found = co_await cached(id);
  if (!found) {
    co_return found.error();
  }
  if (*found == nullptr) {
    co_return boost::system::result<void>{};
  }
  const auto& a = *(*found)->value;
  if (conversations_ != nullptr) {
    if (auto family_id = conversation_family(a)) {
      // A message to one family is part of its conversation: what staff wrote and what this
      // guardian was sent (in their language when it was translated).
      const auto* choice = (*found)->planner->localization_for(field(record, "language"));
      outbound_entry entry;
      entry.family_id = std::move(*family_id);
      entry.guardian_id = field(record, "guardian");
      entry.channel = field(record, "channel");
      entry.to = field(record, "address");
      entry.language = choice != nullptr ? choice->text_language : field(record, "language");
      entry.text = std::move(sent_text);
      entry.original = a.original.body;
      entry.original_language = a.source_language;
      entry.school = a.school;
      entry.announcement = id;
      entry.at = clock_.now_system();
      if (auto filed = co_await conversations_->record_outbound(std::move(entry)); !filed) {
        co_return filed.error();
      }
    }
  }
  if (field(record, "channel") != "sms") {
    co_return boost::system::result<void>{};
  }
  const auto remember_for = std::chrono::duration_cast<std::chrono::milliseconds>(rsvp_window);
  if (auto noted = co_await store_.note_last_sent(field(record, "address"), id, remember_for);
      !noted) {
    co_return noted.error();
  }
  if (a.rsvp.empty()) {
    co_return boost::system::result<void>{};
  }
  co_return co_await store_.note_question_sent(field(record, "address"), id, remember_for);
}

boost::asio::awaitable<boost::system::result<std::optional<last_announcement>>>
announcement_service::last_sent_to(std::string address) {
  auto id = co_await store_.last_sent(std::move(address));
  if (!id) {
    co_return id.error();
  }
  if (!*id) {
    co_return std::optional<last_announcement>{};
  }
  last_announcement last;
  last.id = **id;
  auto found = co_await cached(last.id);
  if (found && *found != nullptr) {
    const auto& a = *(*found)->value;
    last.school = a.school;
    last.summary = announcement_summary(a);
  }
  co_return std::optional<last_announcement>{std::move(last)};
}

boost::asio::awaitable<boost::system::result<std::optional<rsvp_recorded>>>
announcement_service::record_answer(std::string_view address, std::string_view text) {
  auto pending = co_await store_.pending_question(address);
  if (!pending) {
    co_return pending.error();
  }
  if (!*pending) {
    co_return std::optional<rsvp_recorded>{};
  }
  auto found = co_await cached(**pending);
  if (!found) {
    co_return found.error();
  }
  if (*found == nullptr) {
    co_return std::optional<rsvp_recorded>{};
  }
  const auto& a = *(*found)->value;
  const int choice = rsvp_choice(a, text);
  if (choice < 0) {
    co_return std::optional<rsvp_recorded>{};
  }
  const auto& option = a.rsvp[static_cast<std::size_t>(choice)];
  auto stored = co_await store_.record_rsvp(**pending, address, option.label);
  if (!stored) {
    co_return stored.error();
  }
  co_return std::optional<rsvp_recorded>{
      rsvp_recorded{**pending, a.school, option.label, *stored, option.interpretation}};
}

boost::asio::awaitable<boost::system::result<std::optional<call_script>>>
announcement_service::call_script_for(const std::map<std::string, std::string>& record) {
  const auto id = field(record, "announcement");
  if (id.empty() || field(record, "channel") != "voice") {
    co_return std::optional<call_script>{};
  }
  auto found = co_await cached(id);
  if (!found) {
    co_return found.error();
  }
  if (*found == nullptr) {
    co_return std::optional<call_script>{};
  }
  auto& entry = **found;
  const auto* choice = entry.planner->localization_for(field(record, "language"));
  if (choice == nullptr) {
    co_return std::optional<call_script>{};
  }
  auto rendered = renderer_.render(*entry.value, record, *choice);
  if (!rendered) {
    co_return std::optional<call_script>{};
  }
  call_script script;
  script.say_language = std::move(rendered.value->voice_language);
  script.text = std::move(rendered.value->text);
  script.prompt = std::move(rendered.value->voice_prompt);
  script.thanks = renderer_.catalog_text(i18n::message_key::voice_keypad_thanks, *choice);
  co_return std::optional<call_script>{std::move(script)};
}

boost::asio::awaitable<boost::system::result<void>> announcement_service::record_voice_answer(
    const std::map<std::string, std::string>& record, std::string answer, bool as_first_option) {
  const auto id = field(record, "announcement");
  const auto address = field(record, "address");
  if (id.empty()) {
    co_return boost::system::result<void>{};
  }
  if (auto counted = co_await store_.record_voice_answer(id, address, answer); !counted) {
    co_return counted.error();
  }
  if (!as_first_option) {
    co_return boost::system::result<void>{};
  }
  auto found = co_await cached(id);
  if (!found) {
    co_return found.error();
  }
  if (*found == nullptr || (*found)->value->rsvp.empty()) {
    co_return boost::system::result<void>{};
  }
  auto recorded = co_await store_.record_rsvp(id, address, (*found)->value->rsvp.front().label);
  if (!recorded) {
    co_return recorded.error();
  }
  co_return boost::system::result<void>{};
}

boost::asio::awaitable<prepared_delivery> announcement_service::prepare(
    const std::map<std::string, std::string>& record) {
  const auto id = field(record, "announcement");
  auto state = co_await store_.state(id);
  if (!state) {
    co_return try_later{"cannot read the announcement's state: " + state.error().message()};
  }
  if (!*state) {
    co_return cannot_send{"the announcement " + id + " no longer exists"};
  }
  if (**state == announcement_state::cancelled) {
    co_return stop_cancelled{};
  }
  // Quiet hours again at send time: a delivery queued at 20:55 and reached at 21:05 waits.
  const auto channel = field(record, "channel");
  if (field(record, "priority") != "urgent" && channel != "email") {
    const auto now = clock_.now_system();
    const auto allowed = quiet_.next_allowed(now, field(record, "time_zone"));
    if (allowed > now) {
      co_return wait_until{allowed};
    }
  }
  auto found = co_await cached(id);
  if (!found) {
    co_return try_later{"cannot load the announcement: " + found.error().message()};
  }
  if (*found == nullptr) {
    co_return cannot_send{"the announcement " + id + " no longer exists"};
  }
  auto& entry = **found;
  const auto* choice = entry.planner->localization_for(field(record, "language"));
  if (choice == nullptr) {
    co_return cannot_send{"no text can be chosen for " + field(record, "language")};
  }
  auto rendered = renderer_.render(*entry.value, record, *choice);
  if (!rendered) {
    co_return cannot_send{rendered.error};
  }
  co_return send_now{std::move(*rendered.value)};
}

boost::asio::awaitable<boost::system::result<void>> announcement_service::note_reply(
    std::string id, std::string language, std::string family_id) {
  co_return co_await store_.note_reply(id, language, family_id);
}

boost::asio::awaitable<boost::system::result<reach_figures>> announcement_service::reach(
    std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to) {
  constexpr std::size_t max_announcements = 10'000;
  auto ids = co_await store_.created_between(from, to, max_announcements);
  if (!ids) {
    co_return ids.error();
  }
  co_return co_await store_.reach(*ids);
}

}  // namespace liaison::services
