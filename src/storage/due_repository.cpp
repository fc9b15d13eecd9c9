#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

// One statement for the whole team: each branch picks one kind of reminder from its table
// (with the index on its referral), then the open cases of the operator keep theirs. Dates are
// ISO text and compare as such; the statuses are the codes of domain/accompaniment.cpp
// (IsProcedureClosed, IsOrientationClosed) and domain/referral.cpp (IsTakenOn).
constexpr const char* kDueSql =
    "SELECT d.kind, d.referral_id, r.person_id, p.usage_name, p.birth_name, p.first_names, "
    "COALESCE(u.display_name, ''), d.subject_id, d.subject, d.due, d.at FROM ("
    "SELECT 'appointment_result' AS kind, a.referral_id AS referral_id, a.id AS subject_id, "
    "CAST('' AS TEXT) AS subject, CAST(NULL AS TEXT) AS due, a.starts_at AS at "
    "FROM appointment a WHERE a.status = 'planned' AND a.ends_at < :now "
    "UNION ALL SELECT 'first_contact', r0.id, r0.id, '', CAST(NULL AS TEXT), r0.accepted_at "
    "FROM referral r0 WHERE r0.status = 'accepted' AND r0.accepted_at <= :contact_before "
    "UNION ALL SELECT 'initial_assessment', r1.id, r1.id, '', CAST(NULL AS TEXT), "
    "r1.first_visit_at FROM referral r1 WHERE r1.first_visit_at IS NOT NULL AND "
    "r1.status IN ('appointment_set', 'in_progress') AND NOT EXISTS (SELECT 1 FROM assessment s "
    "WHERE s.referral_id = r1.id AND s.kind = 'initial' AND s.completed_at IS NOT NULL) "
    "UNION ALL SELECT 'procedure_due', c.referral_id, c.id, c.code, c.due_on, "
    "CAST(NULL AS BIGINT) FROM case_procedure c WHERE c.status NOT IN ('finalisee', 'orientee', "
    "'abandonnee') AND c.due_on <= :due_until "
    "UNION ALL SELECT 'renewal', c2.referral_id, c2.id, c2.code, c2.renewal_on, "
    "CAST(NULL AS BIGINT) FROM case_procedure c2 WHERE c2.outcome = 'ouvert' AND "
    "c2.renewal_on <= :renewal_until "
    "UNION ALL SELECT 'mandate_end', m.referral_id, m.id, '', m.ends_on, CAST(NULL AS BIGINT) "
    "FROM mandate m WHERE m.revoked_on IS NULL AND m.starts_on <= :today AND "
    "m.ends_on > :today_again AND m.ends_on <= :mandate_until "
    "UNION ALL SELECT 'orientation_follow_up', o.referral_id, o.id, o.partner_name, "
    "o.follow_up_on, CAST(NULL AS BIGINT) FROM orientation o WHERE o.status IN ('proposee', "
    "'acceptee') AND o.follow_up_on <= :follow_until"
    ") d JOIN referral r ON r.id = d.referral_id JOIN person p ON p.id = r.person_id "
    "LEFT JOIN app_user u ON u.id = r.assigned_user_id "
    "WHERE r.operator_id = :operator AND r.status IN ('accepted', 'contact', 'appointment_set', "
    "'in_progress')";

// The worker's cases, and the appointments they are on even when someone else holds the case.
constexpr const char* kWorkerFilter =
    " AND (r.assigned_user_id = :worker OR (d.kind = 'appointment_result' AND EXISTS (SELECT 1 "
    "FROM appointment_worker w WHERE w.appointment_id = d.subject_id AND w.user_id = "
    ":worker_again)))";

class SqlDueRepository final : public service::DueRepository {
 public:
  explicit SqlDueRepository(soci::session& sql) : sql_(sql) {}

  std::vector<service::DueRow> Due(const service::DueQuery& query) override {
    const long long now = ToEpoch(query.now);
    const long long contact_before = ToEpoch(query.contact_before);
    const std::string due_until = ToIso(query.due_until);
    const std::string renewal_until = ToIso(query.renewal_until);
    const std::string today = ToIso(query.today);
    const std::string mandate_until = ToIso(query.mandate_ends_until);
    const long long op = query.operator_id;
    const long long worker = query.worker.value_or(0);
    std::string sql = kDueSql;
    if (query.worker) {
      sql += kWorkerFilter;
    }
    std::vector<service::DueRow> out;
    std::string kind;
    long long referral = 0;
    long long person = 0;
    std::string usage_name;
    std::string birth_name;
    std::string first_names;
    std::string worker_name;
    long long subject_id = 0;
    std::string subject;
    std::string due;
    soci::indicator due_ind = soci::i_null;
    long long at = 0;
    soci::indicator at_ind = soci::i_null;
    Query q(sql_, sql);
    q.Into(kind).Into(referral).Into(person).Into(usage_name).Into(birth_name).Into(first_names);
    q.Into(worker_name).Into(subject_id).Into(subject).Into(due, due_ind).Into(at, at_ind);
    q.Use(now).Use(contact_before).Use(due_until).Use(renewal_until).Use(today).Use(today);
    q.Use(mandate_until).Use(due_until).Use(op);
    if (query.worker) {
      q.Use(worker).Use(worker);
    }
    q.ForEach([&] {
      service::DueRow row;
      row.kind = kind;
      row.referral_id = referral;
      row.person_id = person;
      row.person_last_name = usage_name.empty() ? birth_name : usage_name;
      row.person_first_names = first_names;
      row.worker_name = worker_name;
      row.subject_id = subject_id;
      row.subject = subject;
      if (due_ind != soci::i_null) {
        row.due = ParseIsoDate(due);
      }
      if (at_ind != soci::i_null) {
        row.at = FromEpoch(at);
      }
      out.push_back(std::move(row));
    });
    return out;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::DueRepository> MakeDueRepository(soci::session& sql) {
  return std::make_unique<SqlDueRepository>(sql);
}

}  // namespace allervers::storage
