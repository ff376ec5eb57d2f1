#include "daemon/services/inbound_sms.hpp"

#include "daemon/services/announcement_service.hpp"
#include "daemon/services/conversation_store.hpp"
#include "daemon/services/directory_store.hpp"
#include "daemon/services/interpretation_service.hpp"
#include "daemon/services/reply_service.hpp"

namespace liaison::services {

inbound_sms_service::inbound_sms_service(const config::district_config& district,
                                         directory_store& directory,
                                         conversation_store& conversations, const clock& clock,
                                         const i18n::message_catalog& catalog,
                                         i18n::keyword_parser keywords,
                                         i18n::language_matcher catalog_languages)
    : district_(district),
      directory_(directory),
      conversations_(conversations),
      clock_(clock),
      renderer_(catalog),
      keywords_(std::move(keywords)),
      catalog_languages_(std::move(catalog_languages)) {}

boost::asio::awaitable<boost::system::result<std::string>> inbound_sms_service::handle(
    std::string_view from, std::string_view body) {
  const auto keyword = keywords_.parse(body);
  if (keyword.kind == i18n::keyword_kind::none) {
    // An interpreter answering an offer gets the outcome at once (accepted, or filled).
    if (offers_ != nullptr) {
      auto answered = co_await offers_->handle_reply(from, body);
      if (!answered) {
        co_return answered.error();
      }
      if (*answered) {
        co_return std::move(**answered);
      }
      // A family answering a meeting reminder (1 confirm, 2 another time): the reminder is
      // the most recent question such a number got.
      auto family_answer = co_await offers_->handle_family_answer(from, body);
      if (!family_answer) {
        co_return family_answer.error();
      }
      if (*family_answer) {
        co_return std::move(**family_answer);
      }
    }
    // An answer to the question the number was last sent counts for it; every text, answer or
    // not, is kept in the family's conversation for the school to read.
    if (announcements_ != nullptr) {
      auto answered = co_await announcements_->record_answer(from, body);
      if (!answered) {
        co_return answered.error();
      }
      // "Reply 3 if you need an interpreter": a first such answer files the request.
      const auto& rsvp = *answered;
      if (rsvp && rsvp->changed && !rsvp->interpretation.empty() && offers_ != nullptr) {
        auto requested = co_await offers_->request_for_rsvp(from, rsvp->announcement_id,
                                                            rsvp->school, rsvp->interpretation);
        if (!requested) {
          co_return requested.error();
        }
      }
    }
    // Linked to what the number was last sent: the reply most likely answers it.
    last_announcement last;
    if (announcements_ != nullptr) {
      auto found = co_await announcements_->last_sent_to(std::string(from));
      if (!found) {
        co_return found.error();
      }
      if (*found) {
        last = std::move(**found);
      }
    }
    const auto at = clock_.now_system();
    auto filed = co_await conversations_.record_inbound_sms(std::string(from), std::string(body),
                                                            at, last.id, last.school);
    if (!filed) {
      co_return filed.error();
    }
    // Counted for the announcement it answers (reach reports).
    if (announcements_ != nullptr && !last.id.empty()) {
      for (const auto& entry : *filed) {
        const auto& guardians = entry.family_filed.guardians;
        const auto g = std::find_if(guardians.begin(), guardians.end(),
                                    [&](const guardian& x) { return x.id == entry.guardian_id; });
        if (g == guardians.end()) {
          continue;
        }
        if (auto noted =
                co_await announcements_->note_reply(last.id, g->language, entry.family_filed.id);
            !noted) {
          co_return noted.error();
        }
      }
    }
    if (replies_ != nullptr && !filed->empty()) {
      // Filed first; translation and forwarding follow in the background.
      reply_filed reply;
      reply.entries = std::move(*filed);
      reply.from = std::string(from);
      reply.text = std::string(body);
      reply.at = at;
      reply.announcement_id = std::move(last.id);
      reply.announcement_school = std::move(last.school);
      reply.announcement_summary = std::move(last.summary);
      replies_->after_filed(std::move(reply));
    }
    co_return std::string();
  }
  auto guardian_language = co_await directory_.guardian_language_by_phone(from);
  if (!guardian_language) {
    co_return guardian_language.error();
  }
  const auto decision = decide_inbound(keyword, *guardian_language, district_.default_language);
  for (auto c : decision.opt_out) {
    if (auto stored = co_await directory_.set_opted_out(c, from, true); !stored) {
      co_return stored.error();
    }
  }
  for (auto c : decision.opt_in) {
    if (auto stored = co_await directory_.set_opted_out(c, from, false); !stored) {
      co_return stored.error();
    }
  }
  if (decision.new_language) {
    auto changed = co_await directory_.set_language_by_phone(from, *decision.new_language);
    if (!changed) {
      co_return changed.error();
    }
    if (*changed == 0) {
      co_return std::string();  // no guardian has this number: nothing changed to confirm
    }
  }
  if (!decision.reply) {
    co_return std::string();
  }
  const auto text_language = catalog_languages_.best(decision.reply_language);
  const i18n::render_target target{
      text_language ? *text_language.value : district_.default_language, decision.reply_language,
      district_.time_zone};
  i18n::message_arguments arguments;
  arguments.push_back({"district", district_.name});
  arguments.push_back({"phone", district_.help_phone});
  if (decision.new_language) {
    // The language named in itself: "español", "Soomaali".
    auto name = i18n::native_display_name(*decision.new_language);
    arguments.push_back({"language", name ? *name.value : *decision.new_language});
  }
  auto reply = renderer_.render(*decision.reply, target, arguments);
  if (!reply) {
    // A catalog problem must not lose the opt-out, which is already stored: answer in English.
    i18n::render_target english{"en", "en", district_.time_zone};
    reply = renderer_.render(*decision.reply, english, arguments);
  }
  co_return reply ? *reply.value : std::string();
}

}  // namespace liaison::services
