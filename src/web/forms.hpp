#pragma once

#include <httplib.h>

#include <string>
#include <string_view>
#include <vector>

namespace allervers::web {

/// Fields of a submitted form, whether sent url-encoded or as multipart/form-data
/// (forms with free text use multipart: url-encoded bodies over 8 KiB are refused by httplib).
class Form {
 public:
  explicit Form(const httplib::Request& req) : req_(req) {}

  /// The field's first value, or "" when absent.
  std::string Get(std::string_view name) const;
  std::vector<std::string> All(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  const httplib::Request& req_;
};

/// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view s);

}  // namespace allervers::web
