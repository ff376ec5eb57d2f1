// Builds the configured providers and answers "who sends this channel", in config order
// (the first is preferred; later ones are the failover chain).
#pragma once

#include <memory>
#include <vector>

#include "channels/provider.hpp"

namespace liaison::channels {

class provider_registry {
 public:
  // Throws std::runtime_error for a provider kind this build cannot construct.
  explicit provider_registry(const std::vector<config::provider_config>& providers);

  // The providers for a channel, preferred first; empty when none is configured.
  std::vector<provider*> for_channel(config::channel c) const;
  std::vector<config::channel> channels() const;

 private:
  std::vector<std::unique_ptr<provider>> providers_;
};

}  // namespace liaison::channels
