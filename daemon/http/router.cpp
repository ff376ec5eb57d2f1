#include "daemon/http/router.hpp"

#include <algorithm>

namespace liaison::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    segments.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return segments;
}

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string, std::less<>>& params) {
  const auto want = split_path(pattern);
  const auto have = split_path(path);
  // A last segment `{name...}` takes the rest of the path: one or more non-empty segments.
  const bool rest = !want.empty() && want.back().size() > 5 && want.back().front() == '{' &&
                    want.back().ends_with("...}");
  if (rest ? have.size() < want.size() : want.size() != have.size()) {
    return false;
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto w = want[i];
    if (rest && i + 1 == want.size()) {
      std::string joined;
      for (std::size_t k = i; k < have.size(); ++k) {
        if (have[k].empty()) {
          return false;
        }
        joined += (k == i ? "" : "/") + std::string(have[k]);
      }
      params.emplace(std::string(w.substr(1, w.size() - 5)), std::move(joined));
      return true;
    }
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (have[i].empty()) {
        return false;
      }
      params.emplace(std::string(w.substr(1, w.size() - 2)), std::string(have[i]));
    } else if (w != have[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool access_rule::allows(config::role r) const {
  return roles.empty() || std::find(roles.begin(), roles.end(), r) != roles.end();
}

void router::add(verb method, std::string pattern, access_rule access, handler h) {
  routes_.push_back({method, std::move(pattern), std::move(access), std::move(h), {}, 0});
}

void router::add_streamed(verb method, std::string pattern, access_rule access, streamed_handler h,
                          std::size_t max_body_bytes) {
  routes_.push_back(
      {method, std::move(pattern), std::move(access), {}, std::move(h), max_body_bytes});
}

route_match router::match(verb method, std::string_view path) const {
  route_match result;
  if (path.empty() || path.front() != '/') {
    return result;
  }
  for (const auto& r : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!match_pattern(r.pattern, path, params)) {
      continue;
    }
    if (r.method == method) {
      result.matched = &r;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    result.allowed.push_back(r.method);
  }
  return result;
}

}  // namespace liaison::http
