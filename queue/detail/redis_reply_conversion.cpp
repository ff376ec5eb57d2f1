#include "queue/detail/redis_reply_conversion.hpp"

#include <string>

namespace liaison::queue::detail {
namespace {

std::string text_of(const redisReply& reply) {
  return reply.str == nullptr ? std::string() : std::string(reply.str, reply.len);
}

}  // namespace

boost::system::result<redis_reply> convert_reply(const redisReply& reply) {
  using kind = redis_reply::kind_t;
  redis_reply out;
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      out.kind = kind::nil;
      return out;
    case REDIS_REPLY_STRING:
      out.kind = kind::string;
      out.text = text_of(reply);
      return out;
    case REDIS_REPLY_STATUS:
      out.kind = kind::status;
      out.text = text_of(reply);
      return out;
    case REDIS_REPLY_ERROR:
      out.kind = kind::error;
      out.text = text_of(reply);
      return out;
    case REDIS_REPLY_INTEGER:
      out.kind = kind::integer;
      out.integer = reply.integer;
      return out;
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE:
    case REDIS_REPLY_BIGNUM:
    case REDIS_REPLY_VERB:
      out.kind = kind::string;
      out.text = text_of(reply);
      return out;
    case REDIS_REPLY_BOOL:
      out.kind = kind::integer;
      out.integer = reply.integer;
      return out;
    case REDIS_REPLY_MAP:
    case REDIS_REPLY_SET:
    case REDIS_REPLY_PUSH:
#endif
    case REDIS_REPLY_ARRAY: {
      out.kind = kind::array;
      if (reply.elements > 0 && reply.element == nullptr) {
        return redis_errc::protocol_error;
      }
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        if (reply.element[i] == nullptr) {
          return redis_errc::protocol_error;
        }
        auto element = convert_reply(*reply.element[i]);
        if (!element) {
          return element.error();
        }
        out.elements.push_back(std::move(*element));
      }
      return out;
    }
    default:
      return redis_errc::protocol_error;
  }
}

}  // namespace liaison::queue::detail
