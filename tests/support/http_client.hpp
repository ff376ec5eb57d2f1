// A small blocking HTTP/1.1 client for integration tests (Beast, one connection per call).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace liaison::testing {

struct http_reply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

struct http_call {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
};

// Throws std::runtime_error when the server cannot be reached or does not answer within 10 s.
http_reply send_http(std::uint16_t port, const http_call& call);

// A call to Liaison's API as a client makes it: Bearer `api_key`, a JSON body, and any
// `extra_headers` (Idempotency-Key…).
http_reply call_api(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& api_key,
                    std::map<std::string, std::string> extra_headers = {});

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_tcp_port();

}  // namespace liaison::testing
