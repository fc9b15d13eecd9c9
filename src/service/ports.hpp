#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allervers::service {

/// Password hashing (argon2id in production, implemented in security/).
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual std::string Hash(std::string_view password) const = 0;
  virtual bool Verify(std::string_view stored_hash, std::string_view password) const = 0;
  virtual bool NeedsRehash(std::string_view stored_hash) const = 0;
};

/// Password acceptability: length and a check against common and guessable passwords.
class PasswordPolicy {
 public:
  virtual ~PasswordPolicy() = default;
  /// Returns a French explanation when the password is refused, nothing when accepted.
  /// `context` holds words the password must not be built on (the user's e-mail, name…).
  virtual std::optional<std::string> Check(std::string_view password,
                                           const std::vector<std::string>& context) const = 0;
};

/// Opaque random tokens (sessions, CSRF, API tokens, temporary passwords) and their digests.
class TokenService {
 public:
  virtual ~TokenService() = default;
  /// A URL-safe random token carrying `bytes` bytes of entropy.
  virtual std::string NewToken(std::size_t bytes = 32) const = 0;
  /// A one-way digest of a token (hex), as stored in the database.
  virtual std::string Digest(std::string_view token) const = 0;
  /// Constant-time comparison.
  virtual bool Equal(std::string_view a, std::string_view b) const = 0;
  /// A temporary password easy to read aloud and to type on a phone.
  virtual std::string NewTemporaryPassword() const = 0;
};

}  // namespace allervers::service
