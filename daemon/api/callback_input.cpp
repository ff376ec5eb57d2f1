#include "daemon/api/callback_input.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>

namespace liaison::api {

// A form body is a query string.
std::optional<channels::form_fields> parse_form(std::string_view body) {
  // Boost.URL 1.81's parse_query re-reads the text it parsed from data() as a NUL-terminated
  // string (strlen): on a view that is not one (or a null empty view) it reads past the end.
  // A std::string always is.
  const std::string text(body);
  auto params = boost::urls::parse_query(text);
  if (!params) {
    return std::nullopt;
  }
  // HTML forms write a space as '+'.
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  channels::form_fields fields;
  for (const auto& param : *params) {
    fields.emplace_back(param.key.decode(form_encoding), param.value.decode(form_encoding));
  }
  return fields;
}

std::string form_field(const channels::form_fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::string query_parameter(const http::request& req, std::string_view name) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) {
    return {};
  }
  for (const auto& param : target->params()) {
    if (param.key == name) {
      return param.value;
    }
  }
  return {};
}

std::optional<std::string> form_query_parameter(const http::request& req, std::string_view name) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) {
    return std::nullopt;
  }
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  for (const auto& param : target->encoded_params()) {
    if (param.key.decode(form_encoding) == name) {
      return param.value.decode(form_encoding);
    }
  }
  return std::nullopt;
}

}  // namespace liaison::api
