#pragma once

// Helpers shared by the files that implement CaseService (case_service.cpp, case_letters.cpp,
// case_feedback.cpp). Not for other services.

#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service::case_detail {

/// Throws Error(kConflict) unless the case is taken on and not closed.
void RequireOpen(const ReferralRecord& r);
/// A case of the actor's team: handled by its structure, and past the draft.
bool IsTeamCase(const Actor& actor, const ReferralRecord& r);
/// The actor's team's case; referrals of other structures and drafts answer kNotFound.
ReferralRecord LoadCase(const Actor& actor, Tx& tx, domain::ReferralId id);
/// "MABIALA Grâce", or the fiche's number when the person is unknown.
std::string PersonName(Tx& tx, const ReferralRecord& r);
/// An audit row in the caller's transaction (ids and codes only in `detail`).
void Audit(const Actor& actor, Tx& tx, Instant now, std::string action, std::string type,
           std::int64_t id, std::string detail = {});

}  // namespace allervers::service::case_detail
