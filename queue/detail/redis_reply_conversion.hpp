// Turns hiredis's redisReply tree into the value type redis_reply. Internal: it includes
// hiredis, which the public header keeps out.
#pragma once

#include <hiredis/hiredis.h>

#include <boost/system/result.hpp>

#include "queue/redis_connection.hpp"

namespace liaison::queue::detail {

// Copies `reply` (strings are binary-safe: len, not NUL, ends them). Reply types this client
// cannot represent yield redis_errc::protocol_error. RESP3 types of a newer hiredis map onto the
// RESP2 kinds: double, big number and verbatim string to string; boolean to integer; map, set
// and push to a flat array.
boost::system::result<redis_reply> convert_reply(const redisReply& reply);

}  // namespace liaison::queue::detail
