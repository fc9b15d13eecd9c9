#pragma once

#include <cstddef>
#include <memory>
#include <semaphore>
#include <string>
#include <string_view>

#include "service/ports.hpp"

namespace allervers::security {

/// Cost parameters of argon2id. Production uses libsodium's INTERACTIVE limits;
/// tests use the minimum so that thousands of hashes take milliseconds.
struct HashCost {
  unsigned long long ops_limit;
  std::size_t mem_limit;

  static HashCost Interactive();
  static HashCost Minimum();
};

/// argon2id through libsodium. At most `max_concurrent` hashes run at once (each takes
/// 64 MiB at the interactive cost); further callers wait.
class Argon2PasswordHasher final : public service::PasswordHasher {
 public:
  explicit Argon2PasswordHasher(HashCost cost, std::ptrdiff_t max_concurrent = 2);

  std::string Hash(std::string_view password) const override;
  bool Verify(std::string_view stored_hash, std::string_view password) const override;
  bool NeedsRehash(std::string_view stored_hash) const override;

 private:
  HashCost cost_;
  mutable std::counting_semaphore<64> slots_;
};

/// Initialises libsodium; throws when it cannot. Call once from main().
void InitCrypto();

}  // namespace allervers::security
