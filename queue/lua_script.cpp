#include "queue/lua_script.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "support/crypto.hpp"

namespace liaison::queue {
namespace {

// Redis names scripts by the SHA-1 of their source; computing it here saves a SCRIPT LOAD round
// trip whenever the script is already cached.
std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA-1 of a Lua script failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

lua_script::lua_script(std::string source) : source_(std::move(source)), sha1_(sha1_hex(source_)) {}

// The arguments go straight into the request's buffer: a fan-out page passes a few hundred
// kilobytes of them.
redis_request lua_script::evalsha_request(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& args) const {
  redis_request request;
  request.push_with_lists({"EVALSHA", sha1_, std::to_string(keys.size())}, keys, args);
  return request;
}

std::vector<std::string> lua_script::load_command() const {
  return {"SCRIPT", "LOAD", source_};
}

boost::asio::awaitable<boost::system::result<redis_reply>> lua_script::run(
    redis_connection& via, std::vector<std::string> keys, std::vector<std::string> args) {
  const auto evalsha = evalsha_request(keys, args);
  auto replies = co_await via.exec(evalsha);
  if (!replies) {
    co_return replies.error();
  }
  if (!replies->front().is_error() || !replies->front().text.starts_with("NOSCRIPT")) {
    co_return std::move(replies->front());
  }
  auto loaded = co_await via.exec_one(load_command());
  if (!loaded) {
    co_return loaded.error();
  }
  if (loaded->is_error()) {
    co_return *loaded;
  }
  replies = co_await via.exec(evalsha);
  if (!replies) {
    co_return replies.error();
  }
  co_return std::move(replies->front());
}

}  // namespace liaison::queue
