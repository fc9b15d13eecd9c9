#pragma once

#include <soci/soci.h>

#include <cstdint>

namespace allervers::storage {

/// Recomputes the milestones kept on a referral for the indicators (migration
/// 0017_case_milestones: first contact that reached the person, first honoured appointment,
/// first intervention, first completed bilan, the initial and final levels) from the rows they
/// come from. Called in the same transaction by every repository method that writes a contact
/// attempt, an appointment's date or outcome, an intervention or a bilan.
void RefreshCaseMilestones(soci::session& sql, std::int64_t referral_id);

/// The SQL of that computation for every referral at once, appended to "UPDATE referral SET ";
/// the migration's backfill is the same statement (tests compare the kept values with it).
extern const char* const kCaseMilestonesAssignments;

}  // namespace allervers::storage
