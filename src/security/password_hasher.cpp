#include "security/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>

#include "common/error.hpp"

namespace allervers::security {
namespace {

class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<64>& s) : s_(s) { s_.acquire(); }
  ~SlotGuard() { s_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::counting_semaphore<64>& s_;
};

}  // namespace

HashCost HashCost::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

HashCost HashCost::Minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

void InitCrypto() {
  if (sodium_init() < 0) {
    throw Error(ErrorCode::kInternal, "Erreur interne", "libsodium initialisation failed");
  }
}

Argon2PasswordHasher::Argon2PasswordHasher(HashCost cost, std::ptrdiff_t max_concurrent)
    : cost_(cost), slots_(std::clamp<std::ptrdiff_t>(max_concurrent, 1, 64)) {}

std::string Argon2PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  int rc = 0;
  {
    SlotGuard guard(slots_);
    rc = crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.ops_limit,
                               cost_.mem_limit, crypto_pwhash_ALG_ARGON2ID13);
  }
  if (rc != 0) {
    throw Error(ErrorCode::kUnavailable, "Le serveur est momentanément surchargé. Réessayez.",
                "argon2id hash failed (out of memory)");
  }
  std::string hash(out);
  sodium_memzero(out, sizeof out);
  return hash;
}

bool Argon2PasswordHasher::Verify(std::string_view stored_hash, std::string_view password) const {
  // crypto_pwhash_str_verify needs a NUL-terminated string of bounded length.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  char stored[crypto_pwhash_STRBYTES] = {};
  std::copy(stored_hash.begin(), stored_hash.end(), stored);
  SlotGuard guard(slots_);
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

bool Argon2PasswordHasher::NeedsRehash(std::string_view stored_hash) const {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) {
    return true;
  }
  char stored[crypto_pwhash_STRBYTES] = {};
  std::copy(stored_hash.begin(), stored_hash.end(), stored);
  return crypto_pwhash_str_needs_rehash(stored, cost_.ops_limit, cost_.mem_limit) != 0;
}

}  // namespace allervers::security
