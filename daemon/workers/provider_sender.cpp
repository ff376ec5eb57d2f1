#include "daemon/workers/provider_sender.hpp"

#include <algorithm>

#include "channels/provider_chain.hpp"

namespace liaison::workers {

provider_sender::provider_sender(const channels::provider_registry& registry)
    : registry_(&registry) {}

provider_sender::provider_sender(std::vector<channels::provider*> providers)
    : providers_(std::move(providers)) {}

std::vector<config::channel> provider_sender::channels() const {
  if (registry_ != nullptr) {
    return registry_->channels();
  }
  std::vector<config::channel> served;
  for (auto c : {config::channel::sms, config::channel::email, config::channel::voice}) {
    if (!providers_for(c).empty()) {
      served.push_back(c);
    }
  }
  return served;
}

std::vector<channels::provider*> provider_sender::providers_for(config::channel c) const {
  if (registry_ != nullptr) {
    return registry_->for_channel(c);
  }
  std::vector<channels::provider*> serving;
  std::copy_if(providers_.begin(), providers_.end(), std::back_inserter(serving),
               [c](const channels::provider* p) { return p->supports(c); });
  return serving;
}

boost::asio::awaitable<send_result> provider_sender::send(
    const channels::rendered_delivery& delivery) {
  if (registry_ != nullptr) {
    if (auto* chain = registry_->chain_for(delivery.channel)) {
      auto chained = co_await chain->send(delivery);
      co_return send_result{std::move(chained.outcome), std::move(chained.provider)};
    }
  }
  const auto serving = providers_for(delivery.channel);
  if (serving.empty()) {
    channels::delivery_outcome none;
    none.kind = channels::outcome_kind::permanent_failure;
    none.reason = "no provider serves this channel";
    co_return send_result{std::move(none), {}};
  }
  auto outcome = co_await serving.front()->send(delivery);
  co_return send_result{std::move(outcome), serving.front()->name()};
}

}  // namespace liaison::workers
