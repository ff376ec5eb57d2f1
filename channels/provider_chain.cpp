#include "channels/provider_chain.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace liaison::channels {

provider_chain::provider_chain(boost::asio::any_io_executor executor, std::vector<member> members,
                               liaison::clock clock, chain_options options)
    : executor_(std::move(executor)), clock_(std::move(clock)), options_(options) {
  const auto now = clock_.now_steady();
  for (const auto& m : members) {
    providers_.push_back(m.target);
    // Burst of one second's worth: a provider's per-second limit is never exceeded in any
    // one-second window by more than that.
    guards_.push_back(std::make_unique<provider_guard>(provider_guard{
        token_bucket(m.rate_per_second, m.rate_per_second, now), circuit_breaker(m.breaker)}));
  }
}

breaker_state provider_chain::state_of(std::size_t index) const {
  return guards_.at(index)->breaker.state(clock_.now_steady());
}

boost::asio::awaitable<chain_result> provider_chain::send(const rendered_delivery& delivery) {
  std::vector<provider_guard*> guards;
  for (const auto& g : guards_) {
    guards.push_back(g.get());
  }
  failover_plan plan(std::move(guards), options_.max_rate_wait);
  chain_result result;
  for (;;) {
    const auto action = plan.next(clock_.now_steady());
    if (action.what == failover_action::kind::done) {
      break;
    }
    if (action.what == failover_action::kind::wait) {
      if (options_.observer != nullptr) {
        options_.observer->on_rate_limit_wait(providers_[action.provider]->name(), action.delay);
      }
      boost::asio::steady_timer timer(executor_, action.delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
      continue;
    }
    provider& target = *providers_[action.provider];
    const auto started = clock_.now_steady();
    auto outcome = co_await target.send(delivery);
    if (options_.observer != nullptr) {
      options_.observer->on_call(target.name(), outcome, clock_.now_steady() - started);
    }
    if (!is_sent(outcome) && !outcome.reason.starts_with(target.name())) {
      outcome.reason = target.name() + ": " + outcome.reason;
    }
    plan.on_outcome(action.provider, outcome, clock_.now_steady());
    chain_attempt attempt;  // a named local: GCC 12 miscompiles braced lists in coroutines
    attempt.provider = target.name();
    attempt.outcome = std::move(outcome);
    result.attempts.push_back(std::move(attempt));
  }
  result.outcome = plan.result();
  if (const auto decided = plan.decided_by()) {
    result.provider = providers_[*decided]->name();
  }
  co_return result;
}

}  // namespace liaison::channels
