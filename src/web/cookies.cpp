#include "web/cookies.hpp"

namespace allervers::web {

std::optional<std::string> ReadCookie(const httplib::Request& req, std::string_view name) {
  const auto count = req.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const std::string header = req.get_header_value("Cookie", i);
    std::size_t pos = 0;
    while (pos < header.size()) {
      std::size_t end = header.find(';', pos);
      if (end == std::string::npos) {
        end = header.size();
      }
      std::string_view pair(header.data() + pos, end - pos);
      while (!pair.empty() && pair.front() == ' ') {
        pair.remove_prefix(1);
      }
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
      pos = end + 1;
    }
  }
  return std::nullopt;
}

void SetCookie(httplib::Response& res, std::string_view name, std::string_view value, bool secure,
               CookieLife life) {
  std::string cookie =
      std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) {
    cookie += "; Secure";
  }
  if (life == CookieLife::kExpireNow) {
    cookie += "; Max-Age=0";
  }
  res.headers.emplace("Set-Cookie", cookie);
}

}  // namespace allervers::web
