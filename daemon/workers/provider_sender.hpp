// How a worker reaches the providers of a channel: through the registry's failover chain when
// it has one, else the channel's first provider; tests hand it their own providers instead.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "channels/provider.hpp"
#include "channels/provider_registry.hpp"

namespace liaison::workers {

struct send_result {
  channels::delivery_outcome outcome;
  std::string provider;  // who decided the outcome; empty when no provider serves the channel
};

class provider_sender {
 public:
  explicit provider_sender(const channels::provider_registry& registry);
  // Providers tried in this order (the first that supports the channel sends).
  explicit provider_sender(std::vector<channels::provider*> providers);

  std::vector<config::channel> channels() const;
  boost::asio::awaitable<send_result> send(const channels::rendered_delivery& delivery);

 private:
  std::vector<channels::provider*> providers_for(config::channel c) const;

  const channels::provider_registry* registry_ = nullptr;
  std::vector<channels::provider*> providers_;
};

}  // namespace liaison::workers
