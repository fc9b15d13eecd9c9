#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// What the key ring seals, and with which key (`allervers keys status`).
struct KeyRingStatus {
  struct Count {
    std::string what;    // "notes", "secrets TOTP"
    std::string key_id;  // empty: stored in plaintext (notes written before they were sealed)
    bool in_ring = false;
    bool sealing = false;  // the first key of the ring
    std::int64_t values = 0;
  };
  std::vector<std::string> ring;  // key ids, the sealing one first
  std::vector<Count> counts;
  /// True when no value is sealed by a key other than the sealing one, nor in plaintext: the
  /// other keys of the ring can be removed from the key file.
  bool only_sealing_key_used = true;
};

/// What a pass of KeyRingService::Reseal did.
struct ResealReport {
  std::int64_t notes = 0;         // notes sealed again with the sealing key, or sealed at last
  std::int64_t totp_secrets = 0;  // TOTP secrets sealed again
  std::int64_t unreadable = 0;    // values that no key of the ring opens, left as they are
};

/// Key rotation for the values sealed with the server's key ring (docs/admin.md « Changer la
/// clé secrète »): a new key is put first in the key file, the old ones kept below it; Reseal
/// seals every value again with the new key; once Status says that only the new key is used,
/// the old lines can go. The command line's only (Permission::kRotateKeys).
class KeyRingService {
 public:
  KeyRingService(Store& store, const Clock& clock, const SecretSealer& sealer)
      : store_(store), clock_(clock), sealer_(sealer) {}

  KeyRingStatus Status(const Actor& actor);

  /// Seals again with the sealing key every note and TOTP secret sealed by another key of the
  /// ring, and seals the notes stored in plaintext; `plaintext_only` keeps to the latter (what
  /// `allervers migrate` does after an upgrade). Works in batches of kBatch values, one
  /// transaction each, audited with its counts, so that the server keeps serving meanwhile
  /// and an interrupted pass is taken up by the next one.
  ResealReport Reseal(const Actor& actor, bool plaintext_only = false);

  static constexpr int kBatch = 200;

 private:
  std::int64_t ResealColumn(const Actor& actor, SealedColumn column, bool plaintext_only,
                            std::int64_t& unreadable);

  Store& store_;
  const Clock& clock_;
  const SecretSealer& sealer_;
};

}  // namespace allervers::service
