#pragma once

#include <cstdint>
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

/// Sealing of secrets and of the most sensitive free text (TOTP secrets, case notes) with a
/// key ring that is never in the database: the key file of the server (security::SecretBox).
/// The first key seals, every key opens, so that keys can be rotated (KeyRingService).
class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  /// Encrypts and authenticates `plaintext`; the result is printable text naming the key used.
  virtual std::string Seal(std::string_view plaintext) const = 0;
  /// The plaintext, or nothing when the text was not sealed by a key of the key ring or was
  /// altered.
  virtual std::optional<std::string> Open(std::string_view sealed) const = 0;
  /// The ids of the key ring's keys, the sealing one first (an id reveals nothing of a key).
  virtual std::vector<std::string> KeyIds() const = 0;
  /// The id of the key named by a sealed text, or nothing when `text` is not a sealed text.
  virtual std::optional<std::string> KeyIdOf(std::string_view text) const = 0;
};

/// Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) and the
/// recovery codes that stand in for them.
class OneTimePasswords {
 public:
  virtual ~OneTimePasswords() = default;
  /// A new random secret, in base32 without padding (as authenticator apps read it).
  virtual std::string NewSecret() const = 0;
  /// The time step (Unix time / 30) at which `code` is the code of `base32_secret`, among the
  /// step of `unix_time` and the one before and after it (clock drift); nothing otherwise.
  virtual std::optional<std::int64_t> Match(std::string_view base32_secret, std::string_view code,
                                            std::int64_t unix_time) const = 0;
  /// A random single-use recovery code, "xxxx-xxxx-xxxx" (60 bits).
  virtual std::string NewRecoveryCode() const = 0;
};

}  // namespace allervers::service
