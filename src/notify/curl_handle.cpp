#include "notify/curl_handle.hpp"

#include <mutex>
#include <new>

namespace allervers::notify {

void EnsureCurlInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void Append(CurlList& list, const std::string& item) {
  curl_slist* grown = curl_slist_append(list.get(), item.c_str());
  if (grown == nullptr) {
    throw std::bad_alloc();
  }
  static_cast<void>(list.release());  // now owned by `grown`, which starts with the same node
  list.reset(grown);
}

void SetRequest(CURL* curl, const std::string& url, const char* protocols,
                std::chrono::seconds connect_timeout, std::chrono::seconds timeout) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
}

std::string CurlError(CURLcode code) {
  return "curl " + std::to_string(static_cast<int>(code)) + ": " + curl_easy_strerror(code);
}

}  // namespace allervers::notify
