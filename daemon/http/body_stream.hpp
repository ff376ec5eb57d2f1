// A request body read piece by piece, for uploads too large to hold (a district's roster): the
// handler pulls chunks as it consumes them, so memory stays bounded by one chunk. Each read has
// the server's read deadline, and the whole body a size limit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <string_view>

namespace liaison::http {

class body_stream {
 public:
  virtual ~body_stream() = default;

  // The next piece of the body; an empty view at its end. The view is valid until the next
  // call. Errors: the peer went away, the read deadline passed, or the body is over the limit
  // (boost::beast::http::error::body_limit).
  virtual boost::asio::awaitable<boost::system::result<std::string_view>> next() = 0;

  // Whether the whole body has been read (so the connection can be kept alive).
  virtual bool finished() const noexcept = 0;
};

}  // namespace liaison::http
