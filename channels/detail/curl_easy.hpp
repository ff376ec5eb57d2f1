// RAII owners for libcurl's easy handles, header lists and MIME trees (internal to channels/).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <new>
#include <string>

namespace liaison::channels::detail {

struct easy_deleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
using easy_handle = std::unique_ptr<CURL, easy_deleter>;

inline easy_handle make_easy_handle() {
  return easy_handle(curl_easy_init());
}

struct mime_deleter {
  void operator()(curl_mime* mime) const noexcept { curl_mime_free(mime); }
};
using mime_handle = std::unique_ptr<curl_mime, mime_deleter>;

// A curl_slist that frees itself; append copies the string.
class header_list {
 public:
  header_list() = default;
  ~header_list() { curl_slist_free_all(list_); }
  header_list(const header_list&) = delete;
  header_list& operator=(const header_list&) = delete;

  void append(const std::string& line) {
    curl_slist* grown = curl_slist_append(list_, line.c_str());
    if (grown == nullptr) {
      throw std::bad_alloc();
    }
    list_ = grown;
  }
  curl_slist* get() const noexcept { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace liaison::channels::detail
