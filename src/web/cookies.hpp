#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>

namespace allervers::web {

inline constexpr std::string_view kSessionCookie = "allervers_session";
inline constexpr std::string_view kPreSessionCsrfCookie = "allervers_csrf";
inline constexpr std::string_view kFlashCookie = "allervers_flash";

std::optional<std::string> ReadCookie(const httplib::Request& req, std::string_view name);

enum class CookieLife { kSession, kExpireNow };

/// Adds a Set-Cookie header: HttpOnly, SameSite=Lax, Path=/, Secure when `secure`.
void SetCookie(httplib::Response& res, std::string_view name, std::string_view value, bool secure,
               CookieLife life = CookieLife::kSession);

}  // namespace allervers::web
