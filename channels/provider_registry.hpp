// Builds the configured providers and answers "who sends this channel", in config order
// (the first is preferred; later ones are the failover chain).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <map>
#include <memory>
#include <vector>

#include "channels/http_client.hpp"
#include "channels/provider.hpp"
#include "channels/provider_chain.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

// What providers that call out need from the daemon.
struct provider_context {
  boost::asio::any_io_executor executor;  // the workers' executor: providers run on it
  std::string public_url;                 // config http.public_url, for callback URLs
  liaison::clock clock;
  http_client_options http;  // max_concurrent is set per provider from config
  chain_options chain;
  // [notices]: with a secret, the `notice` channel is served (docs/channels.md).
  config::notices_config notices{};
};

class provider_registry {
 public:
  // Outbox providers only (no I/O context): throws std::runtime_error for any other kind.
  explicit provider_registry(const std::vector<config::provider_config>& providers);
  // Every kind: each provider that calls out gets its own http_client on context.executor
  // (so its concurrency bound and connection pool are its own), and each channel a
  // provider_chain. Throws std::runtime_error / std::invalid_argument for a provider that
  // cannot be built (e.g. an SMTP `from` that is not an address).
  provider_registry(const std::vector<config::provider_config>& providers,
                    provider_context context);
  ~provider_registry();
  provider_registry(const provider_registry&) = delete;
  provider_registry& operator=(const provider_registry&) = delete;

  // The providers for a channel, preferred first; empty when none is configured.
  std::vector<provider*> for_channel(config::channel c) const;
  std::vector<config::channel> channels() const;
  // The failover chain of a channel (rate limits, breakers); null when none is configured or
  // the registry was built without a context.
  provider_chain* chain_for(config::channel c) const;

  // Each chain member's circuit breaker now (a provider in two channels' chains has two).
  struct breaker_status {
    config::channel channel;
    std::string provider;
    breaker_state state;
  };
  std::vector<breaker_status> breakers() const;

 private:
  std::vector<std::shared_ptr<http_client>> clients_;
  std::vector<std::unique_ptr<provider>> providers_;
  std::map<config::channel, std::unique_ptr<provider_chain>> chains_;
  config::provider_config notice_settings_;
};

}  // namespace liaison::channels
