#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "service/actor.hpp"

namespace allervers::service {

/// One line of the append-only audit trail. It holds no personal data of the persons
/// accompanied: ids and codes only. `detail` is short, machine-oriented text.
struct AuditEvent {
  std::int64_t id = 0;
  Instant at{};
  std::optional<domain::UserId> actor_user_id;
  std::string actor_label;  // "user", "system:cli", "anonymous"
  std::string action;       // "user.create", "auth.sign_in"…
  std::string record_type;  // "user", "structure"…
  std::string record_id;    // may be empty
  std::string outcome;      // "success", "failure", "denied"
  std::string request_id;
  std::string ip;
  std::string detail;
};

/// What `allervers audit verify` found walking the hash chain (docs/security.md §3).
struct AuditChainReport {
  bool intact = true;
  std::int64_t rows_checked = 0;  // chained rows verified
  std::int64_t legacy_rows = 0;   // rows written before the chain existed (migration 0013)
  std::int64_t first_id = 0;      // first and last chained rows kept
  std::int64_t last_id = 0;
  std::string last_hash;              // the head: write it down elsewhere to anchor the chain
  std::int64_t purged_before_id = 0;  // rows before this id were purged (audit retention)
  std::int64_t broken_at_id = 0;      // first row found wrong (0: none, or the chain's end)
  std::string problem;                // in French, for the administrator
};

/// One consultation of a case file, for the coordinator's « Qui a consulté ce dossier ».
struct CaseConsultation {
  Instant at{};
  std::string who;        // display name, or how a machine actor is called
  std::string structure;  // the user's structure
  std::string role;       // role code of the user (empty for machine actors)
  std::string action;     // "case.read", "referral.read", "appointment.read"…
  std::string detail;     // "appointment:12"…
};

inline AuditEvent MakeAuditEvent(const Actor& actor, Instant at, std::string action,
                                 std::string record_type, std::string record_id,
                                 std::string outcome = "success", std::string detail = {}) {
  AuditEvent e;
  e.at = at;
  if (actor.is_user()) {
    e.actor_user_id = actor.user_id;
    e.actor_label = "user";
  } else if (actor.is_system()) {
    e.actor_label = "system:" + actor.display_name;
  } else if (actor.is_api()) {
    e.actor_label = "api:token:" + std::to_string(actor.token_id);
  } else {
    e.actor_label = "anonymous";
  }
  e.action = std::move(action);
  e.record_type = std::move(record_type);
  e.record_id = std::move(record_id);
  e.outcome = std::move(outcome);
  e.request_id = actor.request_id;
  e.ip = actor.ip;
  e.detail = std::move(detail);
  return e;
}

}  // namespace allervers::service
