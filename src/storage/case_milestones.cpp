#include "storage/case_milestones.hpp"

#include <string>

#include "storage/sql_query.hpp"

namespace allervers::storage {

const char* const kCaseMilestonesAssignments =
    "reached_at = (SELECT MIN(c.at) FROM contact_attempt c WHERE c.referral_id = referral.id AND "
    "c.outcome IN ('joint', 'refus')), "
    "honoured_at = (SELECT MIN(a.starts_at) FROM appointment a WHERE a.referral_id = referral.id "
    "AND a.status = 'honoured'), "
    "first_intervention_on = (SELECT MIN(i.occurred_on) FROM intervention i WHERE i.referral_id "
    "= referral.id), "
    "first_bilan_on = (SELECT MIN(s.conducted_on) FROM assessment s WHERE s.referral_id = "
    "referral.id AND s.status = 'completed'), "
    "initial_level = COALESCE((SELECT s.level FROM assessment s WHERE s.referral_id = "
    "referral.id AND s.kind = 'initial' AND s.status = 'completed'), ''), "
    "initial_on = (SELECT s.conducted_on FROM assessment s WHERE s.referral_id = referral.id AND "
    "s.kind = 'initial' AND s.status = 'completed'), "
    "final_level = COALESCE((SELECT s.level FROM assessment s WHERE s.referral_id = referral.id "
    "AND s.kind = 'final' AND s.status = 'completed'), '')";

void RefreshCaseMilestones(soci::session& sql, std::int64_t referral_id) {
  const long long id = referral_id;
  Query q(sql,
          std::string("UPDATE referral SET ") + kCaseMilestonesAssignments + " WHERE id = :id");
  q.Use(id);
  q.Run();
}

}  // namespace allervers::storage
