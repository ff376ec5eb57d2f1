#include "queue/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/logger.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <exception>
#include <random>
#include <stdexcept>
#include <utility>

#include "queue/detail/hiredis_asio_adapter.hpp"
#include "queue/detail/reconnect_backoff.hpp"
#include "queue/detail/redis_reply_conversion.hpp"

namespace liaison::queue {

namespace asio = boost::asio;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// ---- errors

namespace {

// boost::system::error_category's destructor is protected and non-virtual by design (categories
// are never deleted through a base pointer), which -Wnon-virtual-dtor reports on every category.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class redis_error_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "liaison.redis"; }

  std::string message(int value) const override {
    switch (static_cast<redis_errc>(value)) {
      case redis_errc::not_connected:
        return "not connected to redis";
      case redis_errc::timeout:
        return "redis did not answer in time";
      case redis_errc::connection_lost:
        return "the connection to redis was lost";
      case redis_errc::protocol_error:
        return "redis sent a reply this client cannot represent";
      case redis_errc::cancelled:
        return "the redis call was cancelled";
    }
    return "unknown redis error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& redis_category() noexcept {
  static const redis_error_category category;
  return category;
}

// ---- requests

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// hiredis treats these specially (a callback per message, not per command), which the
// one-reply-per-command model of exec() cannot honour.
bool switches_connection_mode(std::string_view command) noexcept {
  for (std::string_view special : {"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                                   "punsubscribe", "sunsubscribe", "monitor"}) {
    if (equals_ignoring_case(command, special)) {
      return true;
    }
  }
  return false;
}

}  // namespace

void redis_request::begin_command(std::string_view name) {
  if (name.empty()) {
    throw std::invalid_argument("redis_request: empty command");
  }
  if (switches_connection_mode(name)) {
    throw std::invalid_argument("redis_request: " + std::string(name) +
                                " is not supported (pub/sub and monitor need their own client)");
  }
  if (command_ends_.empty()) {
    // Room for a typical request (a transaction writing one record) in one allocation each.
    bytes_.reserve(512);
    argument_ends_.reserve(48);
    command_ends_.reserve(8);
  }
  command_ends_.push_back(argument_ends_.size());
}

void redis_request::push(std::initializer_list<std::string_view> args) {
  begin_command(args.size() == 0 ? std::string_view{} : *args.begin());
  for (const auto arg : args) {
    add_argument(arg);
  }
}

void redis_request::push(const std::vector<std::string>& args) {
  begin_command(args.empty() ? std::string_view{} : std::string_view(args.front()));
  for (const auto& arg : args) {
    add_argument(arg);
  }
}

void redis_request::append(const redis_request& other) {
  for (std::size_t i = 0; i < other.size(); ++i) {
    const auto command = other.command(i);
    command_ends_.push_back(argument_ends_.size());
    for (std::size_t k = 0; k < command.size(); ++k) {
      add_argument(command[k]);
    }
  }
}

void redis_request::clear() noexcept {
  bytes_.clear();
  argument_ends_.clear();
  command_ends_.clear();
}

std::vector<std::string> redis_request::command_view::to_strings() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) {
    out.emplace_back((*this)[i]);
  }
  return out;
}

// ---- the connection

namespace {

// One exec() in flight. hiredis holds one reference per command (the callback's privdata), the
// waiting coroutine another; a waiter that gave up marks the call abandoned and the replies
// that still arrive are dropped.
struct pending_call {
  pending_call(const asio::any_io_executor& executor, std::size_t expected_replies)
      : wake(executor), expected(expected_replies) {
    replies.reserve(expected_replies);
  }

  void finish() {
    finished = true;
    wake.cancel();  // the waiter resumes through the executor, never inside hiredis
  }

  asio::steady_timer wake;  // expires at the call's deadline; cancelled when it finishes
  std::size_t expected;
  std::vector<redis_reply> replies;
  error_code error;
  bool finished = false;   // all replies are in, or `error` is set
  bool abandoned = false;  // the waiter timed out or was cancelled
};

// Longer than any sensible timeout, short enough that now + it cannot overflow.
milliseconds bounded(milliseconds timeout) noexcept {
  return std::clamp(timeout, milliseconds(0), milliseconds(std::chrono::hours(24 * 365)));
}

enum class connect_outcome {
  connected,
  unreachable,  // no link: try the next address, then back off
  rejected,     // a link, but the handshake failed or timed out: back off
};

}  // namespace

class redis_connection::impl : public std::enable_shared_from_this<impl> {
 public:
  impl(asio::any_io_executor executor, const config::redis_config& cfg,
       std::shared_ptr<spdlog::logger> logger)
      : executor_(std::move(executor)),
        cfg_(cfg),
        logger_(std::move(logger)),
        event_timer_(executor_),
        resolve_timer_(executor_),
        resolver_(executor_),
        random_(std::random_device{}()) {
    if (logger_ == nullptr) {
      throw std::invalid_argument("redis_connection: a logger is required");
    }
  }

  ~impl() { close_context(); }

  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  bool connected() const noexcept { return connected_; }
  void flush() {
    if (connected_) {
      // What the adapter's write-readiness handler would do on the next turn. hiredis keeps
      // the write interest when the socket takes only part, and drops the link on an error
      // (on_disconnect then fails the waiting calls).
      redisAsyncHandleWrite(context_);
    }
  }
  const config::redis_config& config() const noexcept { return cfg_; }

  static asio::awaitable<void> run(std::shared_ptr<impl> self) {
    if (self->running_) {
      throw std::logic_error("redis_connection::run() is already running");
    }
    self->running_ = true;
    detail::reconnect_backoff backoff(self->cfg_.reconnect_min_delay,
                                      self->cfg_.reconnect_max_delay);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    while (!self->stopping_) {
      if (co_await self->connect()) {
        backoff.reset();
        co_await self->supervise();
      }
      if (self->stopping_) {
        break;
      }
      const milliseconds delay = backoff.next(unit(self->random_));
      self->logger_->debug("redis: reconnecting to {} in {} ms (attempt {})", self->endpoint_name(),
                           delay.count(), backoff.attempt());
      co_await self->sleep(delay);
    }
    self->close_context();
    self->running_ = false;
    self->logger_->debug("redis: stopped");
  }

  static asio::awaitable<boost::system::result<std::vector<redis_reply>>> exec(
      std::shared_ptr<impl> self, const redis_request& request, milliseconds timeout) {
    if (request.empty()) {
      co_return std::vector<redis_reply>{};
    }
    if (!self->connected_) {
      co_return redis_errc::not_connected;
    }
    co_return co_await wait_for(self->submit(request, timeout));
  }

  static asio::awaitable<boost::system::result<redis_reply>> exec_one(std::shared_ptr<impl> self,
                                                                      std::vector<std::string> args,
                                                                      milliseconds timeout) {
    redis_request request;
    request.push(std::move(args));
    auto replies = co_await exec(self, request, timeout);
    if (!replies) {
      co_return replies.error();
    }
    co_return std::move(replies->front());
  }

  static asio::awaitable<bool> wait_connected(std::shared_ptr<impl> self, milliseconds timeout) {
    if (self->connected_ || self->stopping_) {
      co_return self->connected_;
    }
    auto waiter = std::make_shared<asio::steady_timer>(self->executor_, bounded(timeout));
    std::erase_if(self->connect_waiters_, [](const auto& w) { return w.expired(); });
    self->connect_waiters_.push_back(waiter);
    error_code ec;
    co_await waiter->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return self->connected_;
  }

  void cancel() {
    stopping_ = true;
    event_timer_.cancel();
    resolve_timer_.cancel();
    resolver_.cancel();
    close_context();
    notify_connect_waiters();
  }

 private:
  // ---- run()'s steps

  asio::awaitable<void> sleep(milliseconds delay) {
    event_timer_.expires_after(delay);
    error_code ec;
    co_await event_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  // Connects and performs the handshake, all within connect_timeout.
  asio::awaitable<bool> connect() {
    const auto deadline = steady_clock::now() + bounded(cfg_.connect_timeout);
    if (!cfg_.unix_socket.empty()) {
      co_return co_await connect_to(cfg_.unix_socket, deadline) == connect_outcome::connected;
    }
    std::vector<std::string> addresses;
    error_code ec;
    const auto literal = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      addresses.push_back(literal.to_string());
    } else {
      addresses = co_await resolve(deadline, ec);
      if (stopping_) {
        co_return false;
      }
      if (ec) {
        report_failure("cannot resolve " + cfg_.host + ": " + ec.message());
        co_return false;
      }
    }
    for (const auto& address : addresses) {
      const auto outcome = co_await connect_to(address, deadline);
      if (outcome != connect_outcome::unreachable || stopping_) {
        co_return outcome == connect_outcome::connected;
      }
    }
    co_return false;
  }

  // Asio's resolver, not hiredis's blocking getaddrinfo, so a slow DNS never stalls the
  // executor.
  asio::awaitable<std::vector<std::string>> resolve(steady_clock::time_point deadline,
                                                    error_code& ec) {
    resolve_timer_.expires_at(deadline);
    resolve_timer_.async_wait([weak = weak_from_this()](const error_code& timer_ec) {
      if (auto self = weak.lock(); self != nullptr && !timer_ec) {
        self->resolver_.cancel();
      }
    });
    const auto results = co_await resolver_.async_resolve(
        cfg_.host, std::to_string(cfg_.port), asio::redirect_error(asio::use_awaitable, ec));
    resolve_timer_.cancel();
    if (ec == asio::error::operation_aborted && !stopping_) {
      ec = asio::error::timed_out;  // only the connect deadline cancels the resolver
    }
    std::vector<std::string> addresses;
    if (!ec) {
      for (const auto& entry : results) {
        auto address = entry.endpoint().address().to_string();
        if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
          addresses.push_back(std::move(address));
        }
      }
    }
    co_return addresses;
  }

  // Room in the socket for a whole fan-out page (one command of a few hundred kilobytes), so
  // that flush() hands all of it to Redis at once instead of the part the default buffer takes.
  // The kernel caps the size at net.core.wmem_max; if it refuses, writes just take more turns.
  static void widen_send_buffer(int fd) noexcept {
    constexpr int bytes = 1 << 20;
    [[maybe_unused]] const int refused =
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  }

  // One attempt: a new hiredis context to `where` (a unix socket path or an IP address), then
  // AUTH / SELECT / PING in one pipeline.
  asio::awaitable<connect_outcome> connect_to(const std::string& where,
                                              steady_clock::time_point deadline) {
    const bool unix_socket = !cfg_.unix_socket.empty();
    if (unix_socket && where.size() >= sizeof(sockaddr_un::sun_path)) {
      report_failure("unix socket path is too long: " + where);
      co_return connect_outcome::unreachable;
    }
    redisAsyncContext* context = unix_socket ? redisAsyncConnectUnix(where.c_str())
                                             : redisAsyncConnect(where.c_str(), cfg_.port);
    if (context == nullptr) {
      report_failure("cannot allocate a hiredis context");
      co_return connect_outcome::unreachable;
    }
    if (context->err != 0) {
      report_failure(std::string("cannot connect: ") + context->errstr);
      redisAsyncFree(context);
      co_return connect_outcome::unreachable;
    }
    widen_send_buffer(context->c.fd);
    if (const auto ec = detail::attach_asio_adapter(*context, executor_, logger_)) {
      report_failure("cannot watch the socket: " + ec.message());
      redisAsyncFree(context);
      co_return connect_outcome::unreachable;
    }
    context->data = this;
    context_ = context;
    link_failed_ = false;
    link_failure_.clear();
    redisAsyncSetConnectCallback(context, &on_connect);
    redisAsyncSetDisconnectCallback(context, &on_disconnect);

    // Queued now, written as soon as the socket is connected: one round trip in all.
    redis_request handshake;
    if (!cfg_.username.empty()) {
      handshake.push({"AUTH", cfg_.username, cfg_.password});
    } else if (!cfg_.password.empty()) {
      handshake.push({"AUTH", cfg_.password});
    }
    if (cfg_.database != 0) {
      handshake.push({"SELECT", std::to_string(cfg_.database)});
    }
    handshake.push({"PING"});
    const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    auto replies = co_await wait_for(submit(handshake, std::max(remaining, milliseconds(0))));

    if (stopping_) {
      close_context();
      co_return connect_outcome::rejected;
    }
    if (!replies) {
      const bool no_link = link_failed_;
      if (replies.error() == redis_errc::timeout) {
        report_failure("no answer within the connect timeout of " +
                       std::to_string(cfg_.connect_timeout.count()) + " ms");
      } else if (!link_failure_.empty()) {
        report_failure("cannot connect: " + link_failure_);
      } else {
        report_failure(replies.error().message());
      }
      close_context();
      co_return no_link ? connect_outcome::unreachable : connect_outcome::rejected;
    }
    for (const auto& reply : *replies) {
      if (reply.is_error()) {
        report_failure("handshake refused: " + reply.text);
        close_context();
        co_return connect_outcome::rejected;
      }
    }
    if (context_ == nullptr) {  // lost between the last reply and this resumption
      report_failure(link_failure_.empty() ? "connection lost" : link_failure_);
      co_return connect_outcome::rejected;
    }
    connected_ = true;
    last_failure_.clear();
    logger_->info("redis: connected to {}", endpoint_name());
    notify_connect_waiters();
    co_return connect_outcome::connected;
  }

  // While connected: PING every health_check_interval. The PING queues behind whatever is in
  // flight (a blocking XREADGROUP, say), so it is allowed the latest deadline among those calls
  // plus command_timeout before the link is declared dead and dropped.
  asio::awaitable<void> supervise() {
    const milliseconds interval = cfg_.health_check_interval;
    while (connected_ && !stopping_) {
      if (interval > milliseconds(0)) {
        event_timer_.expires_after(bounded(interval));
      } else {
        event_timer_.expires_at(steady_clock::time_point::max());  // woken by loss or cancel
      }
      error_code ec;
      co_await event_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!connected_ || stopping_) {
        break;
      }
      if (interval <= milliseconds(0)) {
        continue;
      }
      redis_request ping;
      ping.push({"PING"});
      const auto now = steady_clock::now();
      const auto queued_ahead = std::max(
          milliseconds(0), std::chrono::duration_cast<milliseconds>(latest_deadline_ - now));
      auto reply = co_await wait_for(submit(ping, bounded(cfg_.command_timeout + queued_ahead)));
      if (!connected_ || stopping_) {
        break;  // lost meanwhile (already logged) or cancelled
      }
      if (reply && !reply->front().is_error()) {
        continue;
      }
      logger_->warn("redis: health check on {} failed ({}); reconnecting", endpoint_name(),
                    reply ? reply->front().text : reply.error().message());
      close_context();
    }
  }

  // ---- calls

  std::shared_ptr<pending_call> submit(const redis_request& request, milliseconds timeout) {
    auto call = std::make_shared<pending_call>(executor_, request.size());
    timeout = bounded(timeout);
    call->wake.expires_after(timeout);
    latest_deadline_ = std::max(latest_deadline_, steady_clock::now() + timeout);
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (std::size_t i = 0; i < request.size(); ++i) {
      const auto command = request.command(i);
      argv.clear();
      lengths.clear();
      for (std::size_t k = 0; k < command.size(); ++k) {
        argv.push_back(command[k].data());
        lengths.push_back(command[k].size());
      }
      auto slot = std::make_unique<std::shared_ptr<pending_call>>(call);
      const int status =
          context_ == nullptr
              ? REDIS_ERR
              : redisAsyncCommandArgv(context_, &on_reply, slot.get(),
                                      static_cast<int>(argv.size()), argv.data(), lengths.data());
      if (status != REDIS_OK) {
        // hiredis refuses new commands once it is disconnecting; commands queued before this
        // one still get their (ignored) callbacks.
        call->error = redis_errc::connection_lost;
        call->finish();
        break;
      }
      [[maybe_unused]] auto* owned_by_hiredis = slot.release();
    }
    return call;
  }

  static asio::awaitable<boost::system::result<std::vector<redis_reply>>> wait_for(
      std::shared_ptr<pending_call> call) {
    if (!call->finished) {
      error_code ec;
      co_await call->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!call->finished) {
        call->abandoned = true;
        // Aborted without finishing: the caller's own cancellation; otherwise the deadline.
        co_return ec == asio::error::operation_aborted ? redis_errc::cancelled
                                                       : redis_errc::timeout;
      }
    }
    if (call->error) {
      co_return call->error;
    }
    co_return std::move(call->replies);
  }

  // ---- hiredis callbacks: noexcept trampolines into the members

  static impl* owner(const redisAsyncContext* context) noexcept {
    return static_cast<impl*>(context->data);
  }

  static void on_reply(redisAsyncContext* context, void* reply, void* privdata) noexcept {
    const std::unique_ptr<std::shared_ptr<pending_call>> slot(
        static_cast<std::shared_ptr<pending_call>*>(privdata));
    impl* self = owner(context);
    pending_call& call = **slot;
    try {
      if (call.finished || call.abandoned) {
        return;
      }
      if (reply == nullptr) {  // the context is being freed: every waiting call ends here
        call.error = self != nullptr && self->stopping_ ? redis_errc::cancelled
                                                        : redis_errc::connection_lost;
        call.finish();
        return;
      }
      auto converted = detail::convert_reply(*static_cast<const redisReply*>(reply));
      if (!converted) {
        call.error = converted.error();
        call.finish();
        return;
      }
      call.replies.push_back(std::move(*converted));
      if (call.replies.size() == call.expected) {
        call.finish();
      }
    } catch (const std::exception& e) {
      log_callback_failure(self, "reply", e.what());
    } catch (...) {
      log_callback_failure(self, "reply", "unknown exception");
    }
  }

  static void on_connect(const redisAsyncContext* context, int status) noexcept {
    impl* self = owner(context);
    if (self == nullptr || status == REDIS_OK) {
      return;  // success shows as the handshake's replies
    }
    try {
      // hiredis frees the context as soon as this returns (no disconnect callback follows).
      self->link_failed_ = true;
      self->link_failure_ = context->errstr != nullptr ? context->errstr : "connect failed";
      if (self->context_ == context) {
        self->context_ = nullptr;
        self->connected_ = false;
      }
    } catch (const std::exception& e) {
      log_callback_failure(self, "connect", e.what());
    }
  }

  static void on_disconnect(const redisAsyncContext* context, int status) noexcept {
    impl* self = owner(context);
    if (self == nullptr) {
      return;
    }
    try {
      // hiredis frees the context when this returns: forget it now.
      const bool was_ours = self->context_ == context;
      if (was_ours) {
        self->context_ = nullptr;
      }
      const bool was_connected = was_ours && std::exchange(self->connected_, false);
      if (status != REDIS_OK) {
        self->link_failure_ = context->errstr != nullptr ? context->errstr : "disconnected";
        if (was_connected) {
          self->logger_->warn("redis: lost the connection to {}: {}", self->endpoint_name(),
                              self->link_failure_);
        }
      }
      self->event_timer_.cancel();  // run() notices the loss at once
    } catch (const std::exception& e) {
      log_callback_failure(self, "disconnect", e.what());
    }
  }

  static void log_callback_failure(impl* self, const char* which, const char* what) noexcept {
    if (self == nullptr) {
      return;
    }
    try {
      self->logger_->error("redis: {} callback failed: {}", which, what);
    } catch (...) {  // nothing may unwind into hiredis
    }
  }

  // ---- helpers

  // Frees the hiredis context; its callbacks run now (waiting calls end with connection_lost or
  // cancelled). Never called from inside a hiredis callback.
  void close_context() noexcept {
    connected_ = false;
    if (redisAsyncContext* context = std::exchange(context_, nullptr); context != nullptr) {
      redisAsyncFree(context);
    }
  }

  void notify_connect_waiters() {
    auto waiters = std::exchange(connect_waiters_, {});
    for (const auto& weak : waiters) {
      if (auto waiter = weak.lock()) {
        waiter->cancel();
      }
    }
  }

  // A failure to connect: logged as a warning when it differs from the previous one, so an
  // outage that lasts hours logs its cause once, not at every retry.
  void report_failure(const std::string& what) {
    if (what != last_failure_) {
      logger_->warn("redis: {}: {}; will retry", endpoint_name(), what);
      last_failure_ = what;
    } else {
      logger_->debug("redis: {}: {}", endpoint_name(), what);
    }
  }

  std::string endpoint_name() const {
    if (!cfg_.unix_socket.empty()) {
      return "unix:" + cfg_.unix_socket;
    }
    return cfg_.host + ":" + std::to_string(cfg_.port);
  }

  asio::any_io_executor executor_;
  config::redis_config cfg_;
  std::shared_ptr<spdlog::logger> logger_;
  asio::steady_timer event_timer_;    // run()'s sleeps; cancelled on loss and on cancel()
  asio::steady_timer resolve_timer_;  // bounds name resolution by connect_timeout
  asio::ip::tcp::resolver resolver_;
  std::mt19937 random_;  // jitter of the reconnect delays

  redisAsyncContext* context_ = nullptr;  // null once hiredis frees it or we do
  bool connected_ = false;                // handshake done; implies context_ != nullptr
  bool running_ = false;
  bool stopping_ = false;
  bool link_failed_ = false;  // the current attempt never got a socket connection
  std::string link_failure_;  // hiredis's reason for the last connect failure or loss
  std::string last_failure_;  // the last failure reported, to log each cause once
  steady_clock::time_point latest_deadline_{};
  std::vector<std::weak_ptr<asio::steady_timer>> connect_waiters_;
};

redis_connection::redis_connection(asio::any_io_executor executor, const config::redis_config& cfg,
                                   std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_shared<impl>(std::move(executor), cfg, std::move(logger))) {}

redis_connection::~redis_connection() {
  try {
    impl_->cancel();
  } catch (...) {  // cancelling timers does not fail in practice; a destructor must not throw
  }
}

asio::awaitable<void> redis_connection::run() {
  return impl::run(impl_);
}

void redis_connection::cancel() {
  impl_->cancel();
}

bool redis_connection::connected() const noexcept {
  return impl_->connected();
}

void redis_connection::flush() {
  impl_->flush();
}

bool transaction_succeeded(const std::vector<redis_reply>& replies) noexcept {
  if (replies.empty() || replies.back().kind != redis_reply::kind_t::array) {
    return false;
  }
  const auto has_error = [](const std::vector<redis_reply>& list) {
    return std::any_of(list.begin(), list.end(), [](const redis_reply& r) { return r.is_error(); });
  };
  return !has_error(replies) && !has_error(replies.back().elements);
}

asio::awaitable<boost::system::result<std::vector<redis_reply>>> redis_connection::exec(
    const redis_request& request, std::optional<milliseconds> timeout) {
  return impl::exec(impl_, request, timeout.value_or(impl_->config().command_timeout));
}

asio::awaitable<boost::system::result<redis_reply>> redis_connection::exec_one(
    std::vector<std::string> args, std::optional<milliseconds> timeout) {
  return impl::exec_one(impl_, std::move(args), timeout.value_or(impl_->config().command_timeout));
}

asio::awaitable<bool> redis_connection::wait_connected(milliseconds timeout) {
  return impl::wait_connected(impl_, timeout);
}

}  // namespace liaison::queue
