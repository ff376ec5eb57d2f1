// The hiredis event-library adapter for Asio: lets one redisAsyncContext's socket be driven by
// an Asio executor (hiredis's adapters/libuv.h is the model).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>
#include <memory>

struct redisAsyncContext;

namespace spdlog {
class logger;
}

namespace liaison::queue::detail {

// Fills context.ev (addRead, delRead, addWrite, delWrite, cleanup, and scheduleTimer on
// hiredis >= 1) so that readiness of the context's socket, observed on `executor`, calls
// redisAsyncHandleRead/Write. The adapter watches a dup() of the socket, so closing its
// descriptor never closes hiredis's, and it belongs to hiredis: it lets go of the context and
// releases itself in cleanup, which hiredis calls when it frees the context. Attach before
// redisAsyncSetConnectCallback (which already asks to write) and before the first command.
// Fails (and leaves the context untouched) if an adapter is attached or the socket cannot be
// duplicated or registered.
boost::system::error_code attach_asio_adapter(redisAsyncContext& context,
                                              const boost::asio::any_io_executor& executor,
                                              std::shared_ptr<spdlog::logger> logger);

}  // namespace liaison::queue::detail
