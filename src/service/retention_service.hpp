#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/assessment.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// The durations in force, for the admin page and the privacy notice (public information).
struct RetentionPolicy {
  int months = 0;             // retention.months
  int unaccepted_months = 0;  // retention.unaccepted_months
  int audit_months = 0;       // audit.retention_months
  RetentionCutoffs cutoffs;   // as of now
};

/// The retention purge (docs/retention.md): anonymises the persons whose last contact is older
/// than `retention.months`, the referrals never accepted after `retention.unaccepted_months`,
/// deletes abandoned drafts, old import files and stored API answers, and records what it did.
class RetentionService {
 public:
  RetentionService(Store& store, const Clock& clock, const domain::AssessmentGrids& grids);

  /// Runs the purge now. A dry run changes nothing but records its report too. Works in short
  /// transactions of at most `batch` persons, each anonymisation audited with it. Requires
  /// Permission::kRunRetention (the CLI and the daily job act as the system).
  RetentionRun Run(const Actor& actor, bool dry_run, const std::string& run_by, int batch = 200);
  RetentionPolicy Policy();
  /// The last runs, newest first.
  std::vector<RetentionRun> Runs(const Actor& actor, int limit = 20);
  /// True when no run (other than a dry run) succeeded on the Paris day of `now`.
  bool DueToday(Instant now);
  /// The daily job of `serve`: from 2 a.m. Paris time, runs the purge (as the system, "daily")
  /// unless a run already succeeded that day; what it did, or nothing when it was not due.
  /// Several servers on one database: only the one holding the job's lease (`owner`, one per
  /// process; job_lease) runs it, and the others find it done.
  std::optional<RetentionRun> RunIfDue(std::string_view owner = "serve");

  /// How long a server may hold the purge's lease; one that died holding it frees it then.
  static constexpr std::chrono::hours kLease{1};
  /// The cutoffs that apply at `now` under the current settings.
  RetentionCutoffs Cutoffs(Tx& tx, Instant now) const;

 private:
  Store& store_;
  const Clock& clock_;
  std::vector<std::string> text_items_;  // free-text items of every assessment grid
};

}  // namespace allervers::service
