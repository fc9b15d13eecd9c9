#include <soci/soci.h>

#include <string>

#include "common/clock.hpp"
#include "service/retention_repositories.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::PersonId;
using domain::ReferralId;
using service::RetentionCutoffs;

constexpr const char* kUnaccepted = "('not_receivable', 'redirected', 'withdrawn')";
constexpr const char* kOpen =
    "('received', 'accepted', 'contact', 'appointment_set', 'in_progress')";

// "Referral r had a contact on or after the cutoff" (docs/retention.md §1): its own dates,
// a contact attempt, an appointment, an intervention, a note, a procedure or an orientation
// updated. Parameters are named `<p>0`… `<p>8`: eight instants, then one day for interventions.
std::string ActivitySince(const std::string& p) {
  return "(r.created_at >= :" + p + "0 OR r.updated_at >= :" + p + "1 OR " +
         "COALESCE(r.closed_at, 0) >= :" + p + "2 OR " +
         "EXISTS (SELECT 1 FROM contact_attempt ca WHERE ca.referral_id = r.id AND ca.at >= :" + p +
         "3) OR " +
         "EXISTS (SELECT 1 FROM appointment a WHERE a.referral_id = r.id AND (a.starts_at >= :" +
         p + "4 OR a.updated_at >= :" + p + "5)) OR " +
         "EXISTS (SELECT 1 FROM case_note n WHERE n.referral_id = r.id AND n.created_at >= :" + p +
         "6) OR " +
         "EXISTS (SELECT 1 FROM case_procedure c WHERE c.referral_id = r.id AND c.updated_at >= :" +
         p + "7) OR " +
         "EXISTS (SELECT 1 FROM orientation o WHERE o.referral_id = r.id AND o.updated_at >= :" +
         p + "8) OR " +
         "EXISTS (SELECT 1 FROM intervention i WHERE i.referral_id = r.id AND i.occurred_on >= :" +
         p + "d))";
}

// The values of ActivitySince, bound in the order of its parameters. Held by the caller.
struct ActivityParams {
  long long at = 0;
  std::string day;
};

void BindActivity(Query& q, const ActivityParams& a) {
  for (int i = 0; i < 9; ++i) {
    q.Use(a.at);
  }
  q.Use(a.day);
}

class SqlRetentionRepository final : public service::RetentionRepository {
 public:
  explicit SqlRetentionRepository(soci::session& sql) : sql_(sql) {}

  std::vector<PersonId> FindExpiredPersons(const RetentionCutoffs& c, int limit) override {
    // Referrals are moved to the surviving person on a merge (MovePerson): a person's
    // referrals are their own and, for a merged record, those of the one it was merged into.
    const ActivityParams persons{ToEpoch(c.persons), c.persons_day};
    const ActivityParams unaccepted{ToEpoch(c.unaccepted), c.unaccepted_day};
    // A person created since the shorter cutoff always has a referral that keeps her; the
    // bound only spares a record being created right now.
    const long long created = ToEpoch(c.unaccepted);
    std::vector<PersonId> out;
    long long id = 0;
    Query q(sql_,
            // Records merged into another go with it (AnonymisePerson); a request about her
            // data not answered yet keeps the file until it is.
            std::string("SELECT p.id FROM person p WHERE p.anonymized_at IS NULL AND "
                        "p.merged_into_id IS NULL AND p.created_at < :created AND NOT EXISTS "
                        "(SELECT 1 FROM rights_request q WHERE q.person_id = p.id AND q.status = "
                        "'ouverte') AND NOT EXISTS (SELECT 1 FROM referral r WHERE "
                        "r.person_id IN (p.id, COALESCE(p.merged_into_id, p.id)) AND (") +
                "r.status IN " + kOpen + " OR (r.status NOT IN " + kUnaccepted +
                " OR r.accepted_at IS NOT NULL) AND " + ActivitySince("p") + " OR r.status IN " +
                kUnaccepted + " AND r.accepted_at IS NULL AND " + ActivitySince("u") +
                ")) ORDER BY p.id LIMIT :lim");
    q.Into(id).Use(created);
    BindActivity(q, persons);
    BindActivity(q, unaccepted);
    q.Use(limit);
    q.ForEach([&] { out.push_back(id); });
    return out;
  }

  std::vector<ReferralId> FindExpiredUnaccepted(const RetentionCutoffs& c, int limit) override {
    const ActivityParams unaccepted{ToEpoch(c.unaccepted), c.unaccepted_day};
    std::vector<ReferralId> out;
    long long id = 0;
    Query q(sql_, std::string("SELECT r.id FROM referral r WHERE r.anonymized_at IS NULL AND "
                              "r.accepted_at IS NULL AND r.status IN ") +
                      kUnaccepted + " AND NOT " + ActivitySince("u") + " ORDER BY r.id LIMIT :lim");
    q.Into(id);
    BindActivity(q, unaccepted);
    q.Use(limit);
    q.ForEach([&] { out.push_back(id); });
    return out;
  }

  long long CountStaleOpen(const RetentionCutoffs& c) override {
    const ActivityParams persons{ToEpoch(c.persons), c.persons_day};
    long long n = 0;
    Query q(sql_, std::string("SELECT COUNT(*) FROM referral r WHERE r.status IN ") + kOpen +
                      " AND NOT " + ActivitySince("p"));
    q.Into(n);
    BindActivity(q, persons);
    q.One();
    return n;
  }

  void AnonymisePerson(PersonId id, Instant now,
                       const std::vector<std::string>& text_items) override {
    // The records merged into this one are copies of the same person: they go with her.
    std::vector<long long> persons{id};
    long long merged = 0;
    Query m(sql_, "SELECT id FROM person WHERE merged_into_id = :id AND anonymized_at IS NULL");
    const long long key = id;
    m.Into(merged).Use(key);
    m.ForEach([&] { persons.push_back(merged); });
    const long long at = ToEpoch(now);
    for (const long long person : persons) {
      // The birth year stays (age bands, docs/indicators.md), so do gender, postal code and
      // commune; everything else that identifies or describes the person goes.
      Query p(sql_,
              "UPDATE person SET birth_name = '', usage_name = '', first_names = '', "
              "birth_year = COALESCE(birth_year, CAST(SUBSTR(birth_date, 1, 4) AS INTEGER)), "
              "birth_date = NULL, phone = '', email = '', address_line = '', language = '', "
              "interpreter_needed = FALSE, contact_preferences = '', availability = '', "
              "adaptations = '', carer = '', search_name = '', anonymized_at = :at WHERE id = "
              ":id");
      p.Use(at).Use(person);
      p.Run();
      Exec("DELETE FROM person_key WHERE person_id = :id", person);
      Exec("DELETE FROM person_change WHERE person_id = :id", person);
      std::vector<ReferralId> referrals;
      long long rid = 0;
      Query r(sql_, "SELECT id FROM referral WHERE person_id = :id ORDER BY id");
      r.Into(rid).Use(person);
      r.ForEach([&] { referrals.push_back(rid); });
      for (const ReferralId referral : referrals) {
        AnonymiseReferral(referral, now, text_items);
      }
    }
  }

  void AnonymiseReferral(ReferralId id, Instant now,
                         const std::vector<std::string>& text_items) override {
    const long long key = id;
    const long long at = ToEpoch(now);
    Query r(sql_,
            "UPDATE referral SET referrer_name = '', referrer_email = '', referrer_phone = '', "
            "referrer_function = '', difficulties = '', reason = '', urgency_reason = '', "
            "tripartite_availability = '', consent_how = '', draft_data = '', "
            "decision_message = '', anonymized_at = :at WHERE id = :id");
    r.Use(at).Use(key);
    r.Run();
    for (const char* sql : {
             "UPDATE referral_event SET note = '' WHERE referral_id = :id",
             "UPDATE contact_attempt SET note = '' WHERE referral_id = :id",
             "UPDATE appointment SET place_label = '', address_line = '', purpose = '', "
             "to_bring = '', outcome_note = '' WHERE referral_id = :id",
             "UPDATE intervention SET summary = '' WHERE referral_id = :id",
             "UPDATE case_note SET body = '' WHERE referral_id = :id",
             "UPDATE case_procedure SET note = '' WHERE referral_id = :id",
             "UPDATE case_procedure_document SET label = '' WHERE procedure_id IN (SELECT id "
             "FROM case_procedure WHERE referral_id = :id)",
             "UPDATE orientation SET reason = '', note = '' WHERE referral_id = :id",
             "UPDATE referral_feedback SET next_steps = '' WHERE referral_id = :id",
             "UPDATE referral_feedback_item SET label = '' WHERE feedback_id IN (SELECT id FROM "
             "referral_feedback WHERE referral_id = :id)",
             "UPDATE case_review SET place = '', participants = '', minutes = '', decisions = '' "
             "WHERE referral_id = :id",
             "UPDATE quarterly_report SET summary = '', observations = '', perspectives = '' "
             "WHERE referral_id = :id",
             "DELETE FROM assessment_answer WHERE assessment_id IN (SELECT id FROM assessment "
             "WHERE referral_id = :id) AND item LIKE '%/adaptation'",
         }) {
      Exec(sql, key);
    }
    // The other free-text answers of the bilans: the grids' "text" items.
    for (const auto& item : text_items) {
      Query a(sql_,
              "DELETE FROM assessment_answer WHERE assessment_id IN (SELECT id FROM assessment "
              "WHERE referral_id = :id) AND item = :item");
      a.Use(key).Use(item);
      a.Run();
    }
    // Messages about the referral or its appointments: their text and address go, and any
    // still waiting is cancelled.
    const std::string rid = std::to_string(id);
    Query m(sql_,
            "UPDATE outbox_message SET recipient = '', subject = '', body = '', last_error = '', "
            "status = CASE WHEN status IN ('pending', 'sending') THEN 'cancelled' ELSE status "
            "END WHERE (related_type = 'referral' AND related_id = :rid) OR (related_type = "
            "'appointment' AND related_id IN (SELECT CAST(id AS TEXT) FROM appointment WHERE "
            "referral_id = :id))");
    m.Use(rid).Use(key);
    m.Run();
  }

  std::vector<ReferralId> FindStaleDrafts(Instant before, int limit) override {
    const long long at = ToEpoch(before);
    std::vector<ReferralId> out;
    long long id = 0;
    Query q(sql_,
            "SELECT id FROM referral WHERE status = 'draft' AND updated_at < :at ORDER BY id "
            "LIMIT :lim");
    q.Into(id).Use(at).Use(limit);
    q.ForEach([&] { out.push_back(id); });
    return out;
  }

  int DeleteApiReplaysOlderThan(Instant before) override {
    const long long at = ToEpoch(before);
    Query q(sql_, "DELETE FROM idempotency_record WHERE created_at < :at");
    q.Use(at);
    return static_cast<int>(q.Run());
  }

  long long CountApiReplaysOlderThan(Instant before) override {
    return CountBefore("SELECT COUNT(*) FROM idempotency_record WHERE created_at < :at", before);
  }

  long long CountImportsOlderThan(Instant before) override {
    return CountBefore("SELECT COUNT(*) FROM import_batch WHERE created_at < :at", before);
  }

  void InsertRun(const service::RetentionRun& run) override {
    const long long started = ToEpoch(run.started_at);
    const long long finished = ToEpoch(run.finished_at);
    const int dry = run.dry_run ? 1 : 0;
    const long long pc = ToEpoch(run.person_cutoff);
    const long long uc = ToEpoch(run.unaccepted_cutoff);
    Query q(sql_,
            "INSERT INTO retention_run (started_at, finished_at, dry_run, run_by, person_cutoff, "
            "unaccepted_cutoff, persons, referrals, drafts, imports, api_replays, stale_open, "
            "audit_rows, outcome, error) VALUES (:s, :f, :d, :b, :pc, :uc, :p, :r, :dr, :i, :a, "
            ":so, :ar, :o, :e)");
    q.Use(started).Use(finished).Use(dry).Use(run.run_by).Use(pc).Use(uc);
    q.Use(run.persons).Use(run.referrals).Use(run.drafts).Use(run.imports).Use(run.api_replays);
    q.Use(run.stale_open).Use(run.audit_rows).Use(run.outcome).Use(run.error);
    q.Run();
  }

  std::vector<service::RetentionRun> Runs(int limit) override {
    std::vector<service::RetentionRun> out;
    service::RetentionRun run;
    long long started = 0, finished = 0, pc = 0, uc = 0;
    int dry = 0;
    Query q(sql_,
            "SELECT id, started_at, finished_at, dry_run, run_by, person_cutoff, "
            "unaccepted_cutoff, persons, referrals, drafts, imports, api_replays, stale_open, "
            "audit_rows, outcome, error FROM retention_run ORDER BY started_at DESC, id DESC "
            "LIMIT :lim");
    q.Into(run.id).Into(started).Into(finished).Into(dry).Into(run.run_by).Into(pc).Into(uc);
    q.Into(run.persons).Into(run.referrals).Into(run.drafts).Into(run.imports);
    q.Into(run.api_replays).Into(run.stale_open).Into(run.audit_rows).Into(run.outcome);
    q.Into(run.error).Use(limit);
    q.ForEach([&] {
      run.started_at = FromEpoch(started);
      run.finished_at = FromEpoch(finished);
      run.dry_run = dry != 0;
      run.person_cutoff = FromEpoch(pc);
      run.unaccepted_cutoff = FromEpoch(uc);
      out.push_back(run);
    });
    return out;
  }

 private:
  void Exec(const char* sql, long long id) {
    Query q(sql_, sql);
    q.Use(id);
    q.Run();
  }

  long long CountBefore(const char* sql, Instant before) {
    const long long at = ToEpoch(before);
    long long n = 0;
    Query q(sql_, sql);
    q.Into(n).Use(at);
    q.One();
    return n;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::RetentionRepository> MakeRetentionRepository(soci::session& sql) {
  return std::make_unique<SqlRetentionRepository>(sql);
}

}  // namespace allervers::storage
