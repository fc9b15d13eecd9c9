#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace allervers::notify {

/// curl_global_init, once per process, before the first handle (thread-safe).
void EnsureCurlInitialised();

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlDeleter>;

/// Appends `item` to `list`; throws std::bad_alloc when curl cannot.
void Append(CurlList& list, const std::string& item);

/// "curl 7: Couldn't connect to server": curl's generic text, which never quotes the message.
std::string CurlError(CURLcode code);

}  // namespace allervers::notify
