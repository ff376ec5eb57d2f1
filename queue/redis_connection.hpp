// The Redis client: one hiredis connection driven by the caller's Asio executor, with one
// long-running run() (connect, authenticate, health-check, reconnect) and many exec()s.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "config/config.hpp"

struct redisAsyncContext;

namespace spdlog {
class logger;
}

namespace liaison::queue {

// A Redis reply as a value; Redis error replies are values (kind == error), not exceptions.
struct redis_reply {
  enum class kind_t { nil, string, integer, array, status, error };

  kind_t kind = kind_t::nil;
  std::string text;                   // string, status, error
  long long integer = 0;              // integer
  std::vector<redis_reply> elements;  // array

  bool is_error() const noexcept { return kind == kind_t::error; }
  bool is_nil() const noexcept { return kind == kind_t::nil; }

  friend bool operator==(const redis_reply&, const redis_reply&) = default;
};

// For a pipeline MULTI … EXEC: EXEC answers nil when the transaction was aborted, an array of
// replies otherwise; an error among the replies (while queuing, or inside EXEC) means the writes
// did not happen as asked.
bool transaction_succeeded(const std::vector<redis_reply>& replies) noexcept;

// A pipeline of commands sent together (one round trip). Commands that switch hiredis into
// pub/sub or monitor mode (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBEs, MONITOR)
// and empty commands are refused with std::invalid_argument: they are programming errors here.
//
// The arguments of all commands are kept end to end in one buffer: building a request costs a
// few allocations, not one per argument (a queued message is a 24-argument HSET and three more).
class redis_request {
 public:
  // One command's arguments, as views into the request (valid while it is not changed).
  class command_view {
   public:
    std::size_t size() const noexcept { return end_ - first_; }
    std::string_view operator[](std::size_t i) const noexcept {
      return request_->argument(first_ + i);
    }
    std::vector<std::string> to_strings() const;

   private:
    friend class redis_request;
    command_view(const redis_request* r, std::size_t first, std::size_t end)
        : request_(r), first_(first), end_(end) {}
    const redis_request* request_;
    std::size_t first_;
    std::size_t end_;
  };

  void push(std::initializer_list<std::string_view> args);
  void push(const std::vector<std::string>& args);
  // `leading` then each (name, value) of `pairs`, e.g. {"HSET", key} and a record's fields.
  template <typename Pairs>
  void push_with_pairs(std::initializer_list<std::string_view> leading, const Pairs& pairs) {
    begin_command(leading.size() == 0 ? std::string_view{} : *leading.begin());
    for (auto it = leading.begin(); it != leading.end(); ++it) {
      add_argument(*it);
    }
    for (const auto& [name, value] : pairs) {
      add_argument(name);
      add_argument(value);
    }
  }
  // `leading`, then every argument of each of `lists` in turn (e.g. EVALSHA's keys and
  // arguments), without copying them into a vector first.
  template <typename... Lists>
  void push_with_lists(std::initializer_list<std::string_view> leading, const Lists&... lists) {
    begin_command(leading.size() == 0 ? std::string_view{} : *leading.begin());
    for (auto it = leading.begin(); it != leading.end(); ++it) {
      add_argument(*it);
    }
    (
        [&] {
          for (const auto& arg : lists) {
            add_argument(arg);
          }
        }(),
        ...);
  }
  // Every command of `other`, after this request's.
  void append(const redis_request& other);

  std::size_t size() const noexcept { return command_ends_.size(); }
  bool empty() const noexcept { return command_ends_.empty(); }
  void clear() noexcept;
  command_view command(std::size_t i) const noexcept {
    return {this, i == 0 ? 0 : command_ends_[i - 1], command_ends_[i]};
  }

 private:
  void begin_command(std::string_view name);  // checks the name; the arguments follow
  void add_argument(std::string_view arg) {
    bytes_.append(arg);
    argument_ends_.push_back(bytes_.size());
    ++command_ends_.back();
  }
  std::string_view argument(std::size_t i) const noexcept {
    const std::size_t start = i == 0 ? 0 : argument_ends_[i - 1];
    return std::string_view(bytes_).substr(start, argument_ends_[i] - start);
  }

  std::string bytes_;                       // every argument, end to end
  std::vector<std::size_t> argument_ends_;  // where each argument ends in bytes_
  std::vector<std::size_t> command_ends_;   // where each command's arguments end
};

// Transport outcomes of exec(); Redis's own error replies are redis_reply values instead.
enum class redis_errc {
  not_connected = 1,  // no usable link right now; the caller decides whether to wait or retry
  timeout,            // no reply within the call's timeout (the late reply is discarded)
  connection_lost,    // the link dropped while the call was waiting
  protocol_error,     // a reply this client cannot represent
  cancelled,          // cancel() or destruction of the connection, or the caller's cancellation
};

const boost::system::error_category& redis_category() noexcept;

inline boost::system::error_code make_error_code(redis_errc e) noexcept {
  return {static_cast<int>(e), redis_category()};
}

// One connection to Redis (unix socket when cfg.unix_socket is set, TCP otherwise).
//
// Threading: every member must be called on `executor` (a single-threaded io_context or a
// strand); hiredis runs on it too, no second event loop and no thread per call.
//
// Blocking commands (BLPOP, XREADGROUP ... BLOCK) hold up the whole connection for the block
// time: every command queued behind them waits. Give each blocking consumer (worker) its own
// redis_connection and pass exec() a timeout longer than the block time.
//
// Lifetime: run() and exec() keep the shared state alive, so destroying the connection while
// they are suspended is safe: it acts as cancel(). The io_context must outlive it.
class redis_connection {
 public:
  redis_connection(boost::asio::any_io_executor executor, const config::redis_config& cfg,
                   std::shared_ptr<spdlog::logger> logger);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Connects, authenticates (AUTH [username] password; SELECT database; PING), health-checks
  // with PING every health_check_interval, and on any loss reconnects with exponential backoff
  // (reconnect_backoff). Returns only after cancel() (or at once if cancel() came first).
  boost::asio::awaitable<void> run();

  // Stops run(), closes the link; waiting exec()s complete with redis_errc::cancelled and
  // wait_connected() with false. Final: a cancelled connection does not run again.
  void cancel();

  // True once the handshake succeeded, false again as soon as the link is known to be lost.
  bool connected() const noexcept;

  // Sends all commands of the request in one pipeline; completes with one reply per command in
  // order, or an error: not_connected at once if not connected; timeout after `timeout` (or
  // cfg.command_timeout); connection_lost if the link drops while waiting. Safe to call
  // concurrently from many coroutines on the executor. `request` must stay alive until the
  // returned awaitable has started (as with any const& argument to a lazy coroutine).
  boost::asio::awaitable<boost::system::result<std::vector<redis_reply>>> exec(
      const redis_request& request,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Writes the commands submitted so far to the socket now, rather than when the event loop next
  // turns: for a caller about to keep the loop busy (fan-out planning a page), so that Redis runs
  // them meanwhile. Without it, commands wait for the loop.
  void flush();

  // One command convenience.
  boost::asio::awaitable<boost::system::result<redis_reply>> exec_one(
      std::vector<std::string> args,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Completes with true when connected, or with false after `timeout` (or on cancel()).
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace liaison::queue

template <>
struct boost::system::is_error_code_enum<liaison::queue::redis_errc> : std::true_type {};
