// Sends one delivery through the providers of its channel, in config order, honouring each
// provider's rate limit and circuit breaker and failing over on "retry later" (the rules are in
// resilience.hpp's failover_plan; this is the thin coroutine that performs them).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "channels/provider.hpp"
#include "channels/provider_observer.hpp"
#include "channels/resilience.hpp"
#include "support/clock.hpp"

namespace liaison::channels {

struct chain_attempt {
  std::string provider;
  delivery_outcome outcome;
};

struct chain_result {
  delivery_outcome outcome;  // the final one (sent, permanent, or retry later with a delay)
  std::string provider;      // who decided it; empty when no provider took the call
  std::vector<chain_attempt> attempts;  // every provider call, in order
};

struct chain_options {
  // Wait this long at most for a provider's rate limit before trying the next provider.
  std::chrono::milliseconds max_rate_wait = std::chrono::seconds(2);
  // Told of every call and rate-limit wait (metrics); not owned, may be null.
  provider_observer* observer = nullptr;
};

// The providers of one channel with their guards. One chain per channel, shared by every
// worker coroutine on the same executor (guards are not locked: use it from one strand).
class provider_chain {
 public:
  struct member {
    provider* target;  // not owned
    double rate_per_second;
    breaker_options breaker;
  };

  provider_chain(boost::asio::any_io_executor executor, std::vector<member> members,
                 liaison::clock clock = {}, chain_options options = {});

  boost::asio::awaitable<chain_result> send(const rendered_delivery& delivery);

  breaker_state state_of(std::size_t index) const;
  const std::string& name_of(std::size_t index) const { return providers_.at(index)->name(); }
  std::size_t size() const noexcept { return providers_.size(); }

 private:
  boost::asio::any_io_executor executor_;
  std::vector<provider*> providers_;
  std::vector<std::unique_ptr<provider_guard>> guards_;
  liaison::clock clock_;
  chain_options options_;
};

}  // namespace liaison::channels
