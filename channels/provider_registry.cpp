#include "channels/provider_registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "channels/kannel.hpp"
#include "channels/outbox_provider.hpp"
#include "channels/sendgrid.hpp"
#include "channels/smtp.hpp"
#include "channels/twilio.hpp"
#include "channels/webhook.hpp"

namespace liaison::channels {

namespace {

constexpr config::channel all_channels[] = {config::channel::sms, config::channel::email,
                                            config::channel::voice, config::channel::notice};

}  // namespace

provider_registry::provider_registry(const std::vector<config::provider_config>& providers) {
  for (const auto& cfg : providers) {
    if (cfg.kind != config::provider_kind::outbox) {
      throw std::runtime_error("provider '" + cfg.name + "': kind '" +
                               std::string(config::to_string(cfg.kind)) +
                               "' needs an I/O context (construct the registry with a "
                               "provider_context)");
    }
    providers_.push_back(std::make_unique<outbox_provider>(cfg));
  }
}

provider_registry::provider_registry(const std::vector<config::provider_config>& providers,
                                     provider_context context) {
  std::vector<const config::provider_config*> configs;
  for (const auto& cfg : providers) {
    configs.push_back(&cfg);
    if (cfg.kind == config::provider_kind::outbox) {
      providers_.push_back(std::make_unique<outbox_provider>(cfg));
      continue;
    }
    http_client_options options = context.http;
    options.max_concurrent = cfg.max_concurrent_requests;
    auto client = std::make_shared<http_client>(context.executor, options);
    clients_.push_back(client);
    switch (cfg.kind) {
      case config::provider_kind::twilio:
        providers_.push_back(
            std::make_unique<twilio_provider>(cfg, context.public_url, client, context.clock));
        break;
      case config::provider_kind::kannel:
        providers_.push_back(
            std::make_unique<kannel_provider>(cfg, context.public_url, client, context.clock));
        break;
      case config::provider_kind::smtp:
        providers_.push_back(std::make_unique<smtp_provider>(cfg, client, context.clock));
        break;
      case config::provider_kind::sendgrid:
        providers_.push_back(std::make_unique<sendgrid_provider>(cfg, client, context.clock));
        break;
      case config::provider_kind::webhook:
        providers_.push_back(std::make_unique<webhook_provider>(cfg, client, context.clock));
        break;
      case config::provider_kind::outbox:
        break;
    }
  }
  if (!context.notices.secret.empty() || !context.notices.secret_by_url.empty()) {
    auto client = std::make_shared<http_client>(context.executor, context.http);
    clients_.push_back(client);
    providers_.push_back(
        std::make_unique<notice_provider>(context.notices.secret, context.notices.timeout, client,
                                          context.clock, context.notices.secret_by_url));
    // Its place in the chain: no rate limit of ours (the district's own systems, like the
    // outbox), the default breaker.
    notice_settings_.name = "notices";
    notice_settings_.kind = config::provider_kind::outbox;
    configs.push_back(&notice_settings_);
  }
  for (const auto c : all_channels) {
    std::vector<provider_chain::member> members;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
      if (providers_[i]->supports(c)) {
        const auto& cfg = *configs[i];
        // The outbox writes a local file: no provider limit to respect, and a limit would only
        // slow development and demos down.
        constexpr double unlimited_rate = 1e9;
        const double rate =
            cfg.kind == config::provider_kind::outbox ? unlimited_rate : cfg.rate_per_second;
        members.push_back({providers_[i].get(), rate,
                           breaker_options{cfg.breaker_failures, cfg.breaker_open_for}});
      }
    }
    if (!members.empty()) {
      chains_.emplace(c, std::make_unique<provider_chain>(context.executor, std::move(members),
                                                          context.clock, context.chain));
    }
  }
}

provider_registry::~provider_registry() = default;

std::vector<provider*> provider_registry::for_channel(config::channel c) const {
  std::vector<provider*> result;
  for (const auto& p : providers_) {
    if (p->supports(c)) {
      result.push_back(p.get());
    }
  }
  return result;
}

std::vector<config::channel> provider_registry::channels() const {
  std::vector<config::channel> result;
  for (const auto c : all_channels) {
    if (!for_channel(c).empty()) {
      result.push_back(c);
    }
  }
  return result;
}

provider_chain* provider_registry::chain_for(config::channel c) const {
  const auto it = chains_.find(c);
  return it == chains_.end() ? nullptr : it->second.get();
}

std::vector<provider_registry::breaker_status> provider_registry::breakers() const {
  std::vector<breaker_status> result;
  for (const auto& [channel, chain] : chains_) {
    for (std::size_t i = 0; i < chain->size(); ++i) {
      result.push_back({channel, chain->name_of(i), chain->state_of(i)});
    }
  }
  return result;
}

}  // namespace liaison::channels
