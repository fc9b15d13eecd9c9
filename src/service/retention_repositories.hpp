#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/referral.hpp"

namespace allervers::service {

/// When the data of a case stop being needed (docs/retention.md). An instant before which the
/// last contact must fall, and the same bound as a Paris calendar day for the tables that
/// store days (interventions).
struct RetentionCutoffs {
  Instant persons{};  // last contact before this: the person is anonymised
  std::string persons_day;
  Instant unaccepted{};  // a referral never accepted, last touched before this: anonymised
  std::string unaccepted_day;
  Instant audit{};  // audit rows older than this are deleted (audit.retention_months)
};

/// One run of the purge, as recorded in retention_run and shown to the administrator.
struct RetentionRun {
  std::int64_t id = 0;
  Instant started_at{};
  Instant finished_at{};
  bool dry_run = false;
  std::string run_by;  // "daily", "command", "admin"
  Instant person_cutoff{};
  Instant unaccepted_cutoff{};
  long long persons = 0;      // persons anonymised (or that would be, on a dry run)
  long long referrals = 0;    // referrals never accepted, anonymised on their own
  long long drafts = 0;       // abandoned drafts deleted
  long long imports = 0;      // CSV files of imports deleted
  long long api_replays = 0;  // stored API answers (Idempotency-Key) deleted
  long long stale_open = 0;   // open cases without contact since the person cutoff: to close
  long long audit_rows = 0;   // audit rows older than audit.retention_months deleted
  std::string outcome = "success";
  std::string error;
};

/// The queries and updates of the retention purge. The Find* queries return at most `limit`
/// ids, so that a purge works in short transactions.
class RetentionRepository {
 public:
  virtual ~RetentionRepository() = default;
  /// Persons, not anonymised yet, none of whose referrals (nor those of the persons merged
  /// with them) is open or had a contact since its cutoff.
  virtual std::vector<domain::PersonId> FindExpiredPersons(const RetentionCutoffs& c,
                                                           int limit) = 0;
  /// Referrals never accepted (not receivable, redirected, withdrawn), not anonymised, last
  /// touched before the shorter cutoff.
  virtual std::vector<domain::ReferralId> FindExpiredUnaccepted(const RetentionCutoffs& c,
                                                                int limit) = 0;
  /// Open referrals whose last contact is older than the person cutoff.
  virtual long long CountStaleOpen(const RetentionCutoffs& c) = 0;
  /// Blanks the person's identity, contacts and free text, deletes their search keys and
  /// change history, and anonymises every referral of the person (see AnonymiseReferral);
  /// the records merged into her too.
  virtual void AnonymisePerson(domain::PersonId id, Instant now,
                               const std::vector<std::string>& text_items) = 0;
  /// Blanks the free text of a referral and of everything recorded on it (contacts,
  /// appointments, interventions, notes, procedures, orientations, reports, messages); keeps
  /// codes, dates, durations and communes. `text_items` are the free-text items of the
  /// assessment grids, whose answers are deleted (with every "…/adaptation" answer).
  virtual void AnonymiseReferral(domain::ReferralId id, Instant now,
                                 const std::vector<std::string>& text_items) = 0;
  /// Drafts last saved before `before`: their ids.
  virtual std::vector<domain::ReferralId> FindStaleDrafts(Instant before, int limit) = 0;
  virtual int DeleteApiReplaysOlderThan(Instant before) = 0;
  virtual long long CountApiReplaysOlderThan(Instant before) = 0;
  virtual long long CountImportsOlderThan(Instant before) = 0;
  virtual void InsertRun(const RetentionRun& run) = 0;
  virtual std::vector<RetentionRun> Runs(int limit) = 0;
};

}  // namespace allervers::service
