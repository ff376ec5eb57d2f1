#include "daemon/services/reply_service.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>

#include "daemon/services/machine_translator.hpp"
#include "daemon/services/message_service.hpp"
#include "daemon/services/notice_sender.hpp"
#include "daemon/services/reply_forwarding.hpp"
#include "i18n/language.hpp"

namespace liaison::services {
namespace {

// The spelling of `tag` the provider translates from (or into): the tag itself when the
// provider lists it, else its language subtag when that is listed ("es-MX" → "es"), else the tag
// (the provider maps it as it can).
std::string provider_language(const machine_translator& translator, const std::string& tag,
                              const std::string& other, bool as_source) {
  const auto listed = [&](const std::string& candidate) {
    if (as_source) {
      return !translator.target_languages(candidate).empty();
    }
    const auto targets = translator.target_languages(other);
    return std::find(targets.begin(), targets.end(), candidate) != targets.end();
  };
  if (listed(tag)) {
    return tag;
  }
  const auto language = tag.substr(0, tag.find('-'));
  return listed(language) ? language : tag;
}

}  // namespace

reply_service::reply_service(boost::asio::any_io_executor executor,
                             config::district_config district, conversation_store& conversations,
                             machine_translator& translator, message_service& messages,
                             notice_sender& notices, std::shared_ptr<spdlog::logger> logger,
                             prometheus::Registry* metrics)
    : executor_(std::move(executor)),
      district_(std::move(district)),
      conversations_(conversations),
      translator_(translator),
      messages_(messages),
      notices_(notices),
      logger_(std::move(logger)) {
  if (metrics != nullptr) {
    outcomes_ = &prometheus::BuildCounter()
                     .Name("liaison_replies_total")
                     .Help(
                         "Families' free-text replies after filing, by outcome (forwarded, "
                         "not_forwarded: no reply address, forward_failed: not queued)")
                     .Register(*metrics);
  }
}

void reply_service::count(const char* outcome) {
  if (outcomes_ != nullptr) {
    outcomes_->Add({{"outcome", outcome}}).Increment();
  }
}

void reply_service::after_filed(reply_filed reply) {
  boost::asio::co_spawn(executor_, translate_and_forward(std::move(reply)),
                        [logger = logger_](std::exception_ptr e) noexcept {
                          if (!e) {
                            return;
                          }
                          try {
                            std::rethrow_exception(e);
                          } catch (const std::exception& ex) {
                            logger->error("reply translation and forwarding failed: {}", ex.what());
                          } catch (...) {
                            logger->error("reply translation and forwarding failed");
                          }
                        });
}

boost::asio::awaitable<void> reply_service::translate_and_forward(reply_filed reply) {
  for (const auto& entry : reply.entries) {
    co_await handle_one(reply, entry);
  }
}

boost::asio::awaitable<void> reply_service::handle_one(const reply_filed& reply,
                                                       const filed_reply& entry) {
  const auto& f = entry.family_filed;
  const auto g = std::find_if(f.guardians.begin(), f.guardians.end(),
                              [&](const guardian& x) { return x.id == entry.guardian_id; });
  if (g == f.guardians.end()) {
    co_return;
  }
  auto destination = reply_destination_for(f, reply.announcement_school, district_);
  if (auto canonical = i18n::canonicalize_language_tag(destination.language)) {
    destination.language = std::move(*canonical.value);
  } else {
    logger_->warn("school {}: language '{}' is not valid ({}); replies are translated into {}",
                  destination.school, destination.language, canonical.error,
                  district_.default_language);
    destination.language = district_.default_language;
  }

  reply_to_forward forward;
  forward.family_id = f.id;
  forward.guardian_id = g->id;
  forward.guardian_name = g->name;
  forward.from = reply.from;
  forward.language = g->language;
  forward.text = reply.text;
  forward.at = reply.at;
  forward.announcement_id = reply.announcement_id;
  forward.announcement_summary = reply.announcement_summary;

  if (auto target =
          reply_translation_target(g->language, destination.language, translator_.enabled())) {
    co_await translator_.ensure_languages();
    const auto source = provider_language(translator_, g->language, *target, true);
    const auto into = provider_language(translator_, *target, source, false);
    forward.translation_language = *target;
    forward.translation_provider = std::string(translator_.provider_name());
    auto translated = co_await translator_.translate_plain(reply.text, source, into);
    if (translated) {
      forward.translation = *translated.value;
      conversation_translation stored{*target, *translated.value, forward.translation_provider};
      auto added = co_await conversations_.add_translation(f.id, entry.entry_id, std::move(stored));
      if (!added) {
        logger_->warn("reply {} of family {}: cannot store its translation: {}", entry.entry_id,
                      f.id, added.error().message());
      }
    } else {
      // Counted by the translator (liaison_machine_translations_total) and logged there; the
      // entry stays without a translation and the school gets the original.
      forward.translation_error = translated.error;
    }
  }

  if (!destination.webhook.empty()) {
    auto posted =
        co_await notices_.notify(destination.webhook, "reply:" + entry.entry_id, "reply.received",
                                 reply_notice_data(forward, destination));
    if (!posted) {
      logger_->error("reply {} of family {}: cannot queue the notice to {}: {}", entry.entry_id,
                     f.id, destination.webhook, posted.error().message());
    }
  }
  if (destination.email.empty()) {
    count("not_forwarded");
    logger_->info(
        "reply {} of family {}: no reply_email for school '{}' nor coordinator_email; "
        "kept in the conversation only",
        entry.entry_id, f.id, destination.school);
    co_return;
  }
  const auto email = reply_forward_email(forward, destination);
  auto queued = co_await messages_.accept(email, std::nullopt);
  if (!queued) {
    count("forward_failed");
    logger_->error("reply {} of family {}: cannot queue the email to {}: {}", entry.entry_id, f.id,
                   destination.email, queued.error().message());
    co_return;
  }
  count("forwarded");
  logger_->info("reply {} of family {} forwarded to {} as message {}", entry.entry_id, f.id,
                destination.email, queued->delivery_id);
}

}  // namespace liaison::services
