#include "daemon/http/router.hpp"

#include <algorithm>

namespace liaison::http {

// A pattern is split when its route is added, so matching a request walks the path once per
// route without allocating; parameters are only copied out for the route that matches.
struct router::compiled_route {
  enum class kind { literal, parameter, rest };
  struct segment {
    kind what;
    std::string text;  // the literal, or the parameter's name
  };

  route r;
  std::vector<segment> segments;

  static std::vector<segment> split(std::string_view pattern) {
    std::vector<segment> out;
    std::size_t start = 1;  // patterns start with '/'
    while (start <= pattern.size()) {
      const auto end = pattern.find('/', start);
      const auto piece = pattern.substr(start, end == std::string_view::npos ? end : end - start);
      if (end == std::string_view::npos && piece.size() > 5 && piece.front() == '{' &&
          piece.ends_with("...}")) {
        out.push_back({kind::rest, std::string(piece.substr(1, piece.size() - 5))});
      } else if (piece.size() > 2 && piece.front() == '{' && piece.back() == '}') {
        out.push_back({kind::parameter, std::string(piece.substr(1, piece.size() - 2))});
      } else {
        out.push_back({kind::literal, std::string(piece)});
      }
      if (end == std::string_view::npos) {
        break;
      }
      start = end + 1;
    }
    return out;
  }

  // Whether `path` (starting with '/') has this route's shape; fills `params` when given.
  bool matches(std::string_view path,
               std::map<std::string, std::string, std::less<>>* params) const {
    std::size_t pos = 1;  // the start of the next path segment
    for (const auto& seg : segments) {
      if (seg.what == kind::rest) {
        // One or more non-empty segments: the rest of the path, neither empty nor with an
        // empty segment inside or at its end.
        const auto rest = pos <= path.size() ? path.substr(pos) : std::string_view{};
        if (rest.empty() || rest.back() == '/' || rest.find("//") != std::string_view::npos) {
          return false;
        }
        if (params != nullptr) {
          params->emplace(seg.text, std::string(rest));
        }
        return true;
      }
      if (pos > path.size()) {
        return false;  // the path has fewer segments
      }
      const auto end = path.find('/', pos);
      const auto piece = path.substr(pos, end == std::string_view::npos ? end : end - pos);
      if (seg.what == kind::literal) {
        if (piece != seg.text) {
          return false;
        }
      } else if (piece.empty()) {
        return false;
      } else if (params != nullptr) {
        params->emplace(seg.text, std::string(piece));
      }
      pos = end == std::string_view::npos ? path.size() + 1 : end + 1;
    }
    return pos == path.size() + 1;  // every segment of the path was consumed
  }
};

router::router() = default;
router::~router() = default;
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;

bool access_rule::allows(config::role r) const {
  return roles.empty() || std::find(roles.begin(), roles.end(), r) != roles.end();
}

void router::add(verb method, std::string pattern, access_rule access, handler h) {
  auto segments = compiled_route::split(pattern);
  routes_.push_back(
      {{method, std::move(pattern), std::move(access), std::move(h), {}, 0}, std::move(segments)});
}

void router::add_streamed(verb method, std::string pattern, access_rule access, streamed_handler h,
                          std::size_t max_body_bytes) {
  auto segments = compiled_route::split(pattern);
  routes_.push_back(
      {{method, std::move(pattern), std::move(access), {}, std::move(h), max_body_bytes},
       std::move(segments)});
}

route_match router::match(verb method, std::string_view path) const {
  route_match result;
  if (path.empty() || path.front() != '/') {
    return result;
  }
  for (const auto& candidate : routes_) {
    if (!candidate.matches(path, nullptr)) {
      continue;
    }
    if (candidate.r.method == method) {
      candidate.matches(path, &result.params);
      result.matched = &candidate.r;
      result.allowed.clear();
      return result;
    }
    result.allowed.push_back(candidate.r.method);
  }
  return result;
}

}  // namespace liaison::http
