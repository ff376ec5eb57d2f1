#include "channels/provider_registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "channels/outbox_provider.hpp"

namespace liaison::channels {

provider_registry::provider_registry(const std::vector<config::provider_config>& providers) {
  for (const auto& cfg : providers) {
    switch (cfg.kind) {
      case config::provider_kind::outbox:
        providers_.push_back(std::make_unique<outbox_provider>(cfg));
        break;
      default:
        throw std::runtime_error("provider '" + cfg.name + "': kind '" +
                                 std::string(config::to_string(cfg.kind)) +
                                 "' is not available in this build yet");
    }
  }
}

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
  for (auto c : {config::channel::sms, config::channel::email, config::channel::voice}) {
    if (!for_channel(c).empty()) {
      result.push_back(c);
    }
  }
  return result;
}

}  // namespace liaison::channels
