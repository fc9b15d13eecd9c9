#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/ports.hpp"

namespace allervers::security {

/// A 32-byte key of the key ring.
using SecretKey = std::array<unsigned char, 32>;

/// Seals secrets and notes with libsodium's crypto_secretbox (XSalsa20-Poly1305) under a key ring:
/// the first key seals, every key opens. A sealed text reads "sb1.<key id>.<base64>", the key
/// id being the first 8 hex digits of the key's BLAKE2b digest, so that keys can be rotated
/// (a new first line, the old ones kept until every secret was sealed again). Thread-safe;
/// the keys are wiped at destruction.
class SecretBox final : public service::SecretSealer {
 public:
  /// Throws Error(kInvalidArgument) when `keys` is empty.
  explicit SecretBox(std::vector<SecretKey> keys);
  ~SecretBox() override;
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  std::string Seal(std::string_view plaintext) const override;
  std::optional<std::string> Open(std::string_view sealed) const override;
  std::vector<std::string> KeyIds() const override { return ids_; }
  std::optional<std::string> KeyIdOf(std::string_view text) const override;

  /// The id of the key that seals (for logs: it reveals nothing of the key).
  const std::string& sealing_key_id() const { return ids_.front(); }
  std::size_t key_count() const { return keys_.size(); }

 private:
  std::vector<SecretKey> keys_;
  std::vector<std::string> ids_;
};

/// Reads a key file: one key per line, 32 bytes in hex (64 digits) or base64 (standard or
/// URL-safe, padding optional); blank lines and lines starting with '#' are ignored. Throws
/// Error(kInvalidArgument) with a French message naming the file (and the line) when it is
/// missing, readable or writable by group or others, empty, or holds a malformed key. The
/// message never quotes a key.
std::vector<SecretKey> LoadKeyFile(const std::filesystem::path& path);

/// Creates `path` (mode 0600, its directory too when missing) holding one new random key in
/// base64, unless it exists. Returns true when it was created. Throws Error(kInvalidArgument)
/// when it cannot be written.
bool CreateKeyFileIfMissing(const std::filesystem::path& path);

/// A new random key, in base64 (for `allervers` to print the line of a new key file).
std::string NewKeyLine();

/// Key rotation (`allervers keys add`): writes a new random key as the first key of the key
/// file, the keys it held kept below it to open what they sealed. Returns the new key's id.
/// The file is replaced atomically, with its owner and mode 0600. Throws
/// Error(kInvalidArgument) as LoadKeyFile does, or when it cannot be written.
std::string AddKeyFirst(const std::filesystem::path& path);

/// The end of a rotation (`allervers keys drop-old`): keeps only the first key of the key
/// file. Returns how many keys were removed. Same errors as AddKeyFirst.
int KeepOnlyFirstKey(const std::filesystem::path& path);

}  // namespace allervers::security
