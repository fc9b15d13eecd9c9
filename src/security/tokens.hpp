#pragma once

#include <string>
#include <string_view>

#include "service/ports.hpp"

namespace allervers::security {

/// Random tokens from libsodium (randombytes_buf), URL-safe base64 without padding;
/// digests are BLAKE2b-256 in hex; comparisons are constant-time.
class SodiumTokenService final : public service::TokenService {
 public:
  std::string NewToken(std::size_t bytes = 32) const override;
  std::string Digest(std::string_view token) const override;
  bool Equal(std::string_view a, std::string_view b) const override;
  std::string NewTemporaryPassword() const override;
};

}  // namespace allervers::security
