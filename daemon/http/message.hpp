// The HTTP request and response types every handler speaks (Beast, string bodies).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace liaison::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;
using verb = boost::beast::http::verb;
using status = boost::beast::http::status;

}  // namespace liaison::http
