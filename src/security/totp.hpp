#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/ports.hpp"

namespace allervers::security {

/// RFC 4648 base32 (A–Z, 2–7) without padding.
std::string Base32Encode(const std::vector<unsigned char>& bytes);
/// Decodes base32, ignoring case, spaces and padding; nothing when another character is found.
std::optional<std::vector<unsigned char>> Base32Decode(std::string_view text);

/// HOTP (RFC 4226) with HMAC-SHA-1 (OpenSSL): the `digits`-digit code of `counter`,
/// zero-padded.
std::string Hotp(const std::vector<unsigned char>& key, std::uint64_t counter, int digits = 6);

/// TOTP (RFC 6238): HOTP of the 30-second step of `unix_time`.
std::string Totp(const std::vector<unsigned char>& key, std::int64_t unix_time, int digits = 6);

/// The OneTimePasswords port: 20-byte secrets (160 bits, RFC 4226's recommendation), six
/// digits, 30-second steps, one step of drift either way.
class TotpGenerator final : public service::OneTimePasswords {
 public:
  std::string NewSecret() const override;
  std::optional<std::int64_t> Match(std::string_view base32_secret, std::string_view code,
                                    std::int64_t unix_time) const override;
  std::string NewRecoveryCode() const override;
};

}  // namespace allervers::security
