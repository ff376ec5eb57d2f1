// Drives an io_context from a test, in short slices, until a condition holds or a bound passes:
// for in-process tests of coroutines against real servers (the bound is a safety net, not a
// sleep: the loop returns as soon as the condition holds).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

namespace liaison::testing {

inline bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& done,
                         std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Runs `task` to completion on `io` and returns its value (or rethrows its exception).
template <typename T>
T complete_on(boost::asio::io_context& io, boost::asio::awaitable<T> task,
              std::chrono::milliseconds bound) {
  std::optional<T> value;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
    done = true;
    failure = e;
    if (!e) {
      value.emplace(std::move(v));
    }
  });
  if (!run_io_until(
          io, [&] { return done; }, bound)) {
    throw std::runtime_error("the awaited call did not complete in time");
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  return std::move(*value);
}

}  // namespace liaison::testing
