#include "service/key_ring_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "service/permissions.hpp"
#include "service/sealed_notes.hpp"

namespace allervers::service {
namespace {

const char* Label(SealedColumn column) {
  return column == SealedColumn::kCaseNoteBody ? "notes" : "secrets TOTP";
}

// The value sealed again with the sealing key; nothing when it does not open.
std::optional<std::string> SealAgain(const SecretSealer& sealer, SealedColumn column,
                                     const SealedValue& v) {
  if (column == SealedColumn::kCaseNoteBody) {
    if (!sealer.KeyIdOf(v.text)) {
      return SealNote(sealer, v.referral_id, v.author, v.text);  // stored before sealing
    }
    const std::string body = OpenNote(sealer, v.referral_id, v.author, v.text);
    if (body == kUnreadableNote) {
      return std::nullopt;
    }
    return SealNote(sealer, v.referral_id, v.author, body);
  }
  const auto secret = sealer.Open(v.text);
  if (!secret) {
    return std::nullopt;
  }
  return sealer.Seal(*secret);
}

}  // namespace

KeyRingStatus KeyRingService::Status(const Actor& actor) {
  Require(actor, Permission::kRotateKeys);
  KeyRingStatus out;
  out.ring = sealer_.KeyIds();
  store_.Read([&](Tx& tx) {
    for (const auto column : {SealedColumn::kCaseNoteBody, SealedColumn::kTotpSecret}) {
      for (const auto& [key, values] : tx.sealed_values().CountByKey(column)) {
        KeyRingStatus::Count c;
        c.what = Label(column);
        c.key_id = key;
        c.in_ring = std::find(out.ring.begin(), out.ring.end(), key) != out.ring.end();
        c.sealing = !out.ring.empty() && key == out.ring.front();
        c.values = values;
        out.only_sealing_key_used = out.only_sealing_key_used && c.sealing;
        out.counts.push_back(std::move(c));
      }
    }
  });
  return out;
}

ResealReport KeyRingService::Reseal(const Actor& actor, bool plaintext_only) {
  Require(actor, Permission::kRotateKeys);
  ResealReport report;
  report.notes =
      ResealColumn(actor, SealedColumn::kCaseNoteBody, plaintext_only, report.unreadable);
  if (!plaintext_only) {
    report.totp_secrets = ResealColumn(actor, SealedColumn::kTotpSecret, false, report.unreadable);
  }
  return report;
}

std::int64_t KeyRingService::ResealColumn(const Actor& actor, SealedColumn column,
                                          bool plaintext_only, std::int64_t& unreadable) {
  const std::string sealing = sealer_.KeyIds().front();
  const std::optional<std::string> skip =
      plaintext_only ? std::nullopt : std::optional<std::string>(sealing);
  std::int64_t done = 0;
  std::int64_t after = 0;
  for (bool more = true; more;) {
    store_.Write([&](Tx& tx) {
      const auto batch = tx.sealed_values().NotSealedBy(column, skip, after, kBatch);
      more = static_cast<int>(batch.size()) == kBatch;
      std::int64_t sealed = 0;
      std::int64_t left = 0;
      for (const auto& v : batch) {
        after = v.id;
        const auto again = SealAgain(sealer_, column, v);
        if (!again) {
          ++left;
          continue;
        }
        // A value changed meanwhile (a TOTP enrolment) was sealed by the sealing key anew.
        sealed += tx.sealed_values().Replace(column, v.id, v.text, *again) ? 1 : 0;
      }
      if (batch.empty()) {
        return;
      }
      // Counts and the key's id only: nothing of what was sealed.
      tx.audit().Append(MakeAuditEvent(
          actor, clock_.Now(), "keys.reseal", "key_ring", sealing, "success",
          fmt::format("column={} sealed={} unreadable={}",
                      column == SealedColumn::kCaseNoteBody ? "case_note" : "user_totp", sealed,
                      left)));
      done += sealed;
      unreadable += left;
    });
  }
  return done;
}

}  // namespace allervers::service
