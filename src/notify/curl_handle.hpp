#pragma once

#include <curl/curl.h>

#include <chrono>
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

/// What every request of ours sets: the address, the protocols allowed (`protocols`, e.g.
/// "http,https"), no signals (threads), no redirection followed, and the two time limits.
void SetRequest(CURL* curl, const std::string& url, const char* protocols,
                std::chrono::seconds connect_timeout, std::chrono::seconds timeout);

/// "curl 7: Couldn't connect to server": curl's generic text, which never quotes the message.
std::string CurlError(CURLcode code);

}  // namespace allervers::notify
