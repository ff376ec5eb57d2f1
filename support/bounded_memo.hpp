// A memo of results that are costly to compute and always the same for the same key (a phone
// number's E.164 form, a language tag's canonical form), bounded in memory. It keeps two
// generations: when the current one is full, it becomes the previous one and the one before is
// dropped, so what is still used survives (a hit in the previous generation is carried over)
// and memory stays below two generations' worth, with O(1) work per lookup. Not thread-safe:
// one per event loop.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace liaison {

template <typename Value>
class bounded_memo {
 public:
  explicit bounded_memo(std::size_t generation_size) : generation_size_(generation_size) {}

  // The value for `key`, computed by `compute()` (which must not depend on anything but the
  // key) only when it is not remembered.
  template <typename Compute>
  const Value& get(std::string_view key, Compute&& compute) {
    if (auto hit = current_.find(key); hit != current_.end()) {
      return hit->second;
    }
    if (auto old = previous_.find(key); old != previous_.end()) {
      return remember(std::string(key), std::move(old->second));
    }
    return remember(std::string(key), compute());
  }

  std::size_t size() const noexcept { return current_.size() + previous_.size(); }

 private:
  // Heterogeneous lookup: a string_view finds a std::string key without a copy.
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  using generation = std::unordered_map<std::string, Value, hash, std::equal_to<>>;

  const Value& remember(std::string key, Value value) {
    if (current_.size() >= generation_size_) {
      previous_ = std::move(current_);
      current_.clear();
    }
    return current_.insert_or_assign(std::move(key), std::move(value)).first->second;
  }

  std::size_t generation_size_;
  generation current_;
  generation previous_;
};

}  // namespace liaison
