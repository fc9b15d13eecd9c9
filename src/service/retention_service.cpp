#include "service/retention_service.hpp"

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

// Thrown at the end of a dry run to roll its transaction back. An Error, because the storage
// layer passes those through unchanged.
class DryRunRollback final : public Error {
 public:
  DryRunRollback() : Error(ErrorCode::kConflict, "dry run") {}
};

constexpr int kApiReplayDays = 30;  // answers kept for a replayed Idempotency-Key
constexpr auto kImportFileAge = std::chrono::hours(24);

}  // namespace

RetentionService::RetentionService(Store& store, const Clock& clock,
                                   const domain::AssessmentGrids& grids)
    : store_(store), clock_(clock), text_items_(domain::FreeTextItems(grids)) {}

RetentionCutoffs RetentionService::Cutoffs(Tx& tx, Instant now) const {
  const LocalDate today = paris::Today(now);
  const LocalDate persons = AddMonths(today, -IntSetting(tx, "retention.months"));
  const LocalDate unaccepted = AddMonths(today, -IntSetting(tx, "retention.unaccepted_months"));
  const LocalDate audit = AddMonths(today, -IntSetting(tx, "audit.retention_months"));
  return {paris::FromLocal(persons, 0, 0), ToIso(persons), paris::FromLocal(unaccepted, 0, 0),
          ToIso(unaccepted), paris::FromLocal(audit, 0, 0)};
}

RetentionRun RetentionService::Run(const Actor& actor, bool dry_run, const std::string& run_by,
                                   int batch) {
  Require(actor, Permission::kRunRetention);
  RetentionRun run;
  run.started_at = clock_.Now();
  run.dry_run = dry_run;
  run.run_by = run_by;
  RetentionCutoffs cutoffs;
  store_.Read([&](Tx& tx) { cutoffs = Cutoffs(tx, run.started_at); });
  run.person_cutoff = cutoffs.persons;
  run.unaccepted_cutoff = cutoffs.unaccepted;
  const Instant replays_before = run.started_at - std::chrono::days(kApiReplayDays);
  const Instant imports_before = run.started_at - kImportFileAge;
  // One batch of each kind of work; false when nothing is left. Persons come first: their
  // referrals are anonymised with them and are then no longer found among those never accepted.
  const auto step = [&](Tx& tx) {
    auto& r = tx.retention();
    const Instant now = clock_.Now();
    const auto persons = r.FindExpiredPersons(cutoffs, batch);
    for (const auto id : persons) {
      r.AnonymisePerson(id, now, text_items_);
      tx.audit().Append(
          MakeAuditEvent(actor, now, "person.anonymise", "person", std::to_string(id)));
    }
    run.persons += static_cast<long long>(persons.size());
    if (static_cast<int>(persons.size()) == batch) {
      return true;
    }
    const auto referrals = r.FindExpiredUnaccepted(cutoffs, batch);
    for (const auto id : referrals) {
      r.AnonymiseReferral(id, now, text_items_);
      tx.audit().Append(
          MakeAuditEvent(actor, now, "referral.anonymise", "referral", std::to_string(id)));
    }
    run.referrals += static_cast<long long>(referrals.size());
    if (static_cast<int>(referrals.size()) == batch) {
      return true;
    }
    const auto drafts = r.FindStaleDrafts(cutoffs.unaccepted, batch);
    for (const auto id : drafts) {
      tx.referrals().DeleteDraft(id);
      tx.audit().Append(
          MakeAuditEvent(actor, now, "referral.draft_expire", "referral", std::to_string(id)));
    }
    run.drafts += static_cast<long long>(drafts.size());
    return static_cast<int>(drafts.size()) == batch;
  };
  const auto finish = [&](Tx& tx) {
    run.imports = tx.imports().DeleteOlderThan(imports_before);
    run.api_replays = tx.retention().DeleteApiReplaysOlderThan(replays_before);
    run.stale_open = tx.retention().CountStaleOpen(cutoffs);
    run.audit_rows = tx.audit().PurgeBefore(cutoffs.audit);
  };
  try {
    if (dry_run) {
      // The whole purge in one transaction, rolled back: the figures are exactly those a real
      // run would find. It holds the write lock meanwhile (SQLite), hence on demand only.
      try {
        store_.Write([&](Tx& tx) {
          while (step(tx)) {
          }
          finish(tx);
          throw DryRunRollback{};
        });
      } catch (const DryRunRollback&) {
      }
    } else {
      // Short transactions, so that the team's work goes on while a large purge runs.
      for (bool more = true; more;) {
        store_.Write([&](Tx& tx) { more = step(tx); });
      }
      store_.Write(finish);
    }
  } catch (const std::exception& e) {
    // What was done stays done (each batch is its own transaction); the failure is recorded.
    run.outcome = "failure";
    run.error = std::string(e.what()).substr(0, 500);
  }
  run.finished_at = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.retention().InsertRun(run);
    tx.audit().Append(MakeAuditEvent(
        actor, run.finished_at, dry_run ? "retention.dry_run" : "retention.run", "retention_run",
        "", run.outcome,
        "persons=" + std::to_string(run.persons) + " referrals=" + std::to_string(run.referrals) +
            " drafts=" + std::to_string(run.drafts) + " imports=" + std::to_string(run.imports) +
            " api_replays=" + std::to_string(run.api_replays) + " stale_open=" +
            std::to_string(run.stale_open) + " audit_rows=" + std::to_string(run.audit_rows)));
  });
  if (run.outcome != "success") {
    throw Error(ErrorCode::kUnavailable,
                "La purge s’est arrêtée sur une erreur ; ce qui était fait est gardé, relancez-la.",
                run.error);
  }
  return run;
}

RetentionPolicy RetentionService::Policy() {
  RetentionPolicy out;
  store_.Read([&](Tx& tx) {
    out.months = IntSetting(tx, "retention.months");
    out.unaccepted_months = IntSetting(tx, "retention.unaccepted_months");
    out.audit_months = IntSetting(tx, "audit.retention_months");
    out.cutoffs = Cutoffs(tx, clock_.Now());
  });
  return out;
}

std::vector<RetentionRun> RetentionService::Runs(const Actor& actor, int limit) {
  Require(actor, Permission::kRunRetention);
  std::vector<RetentionRun> out;
  store_.Read([&](Tx& tx) { out = tx.retention().Runs(limit); });
  return out;
}

std::optional<RetentionRun> RetentionService::RunIfDue(std::string_view owner) {
  const Instant now = clock_.Now();
  if (paris::ToLocal(now).hour < 2 || !DueToday(now)) {
    return std::nullopt;
  }
  bool leased = false;
  store_.Write(
      [&](Tx& tx) { leased = tx.job_leases().TryTake("retention", owner, now, now + kLease); });
  if (!leased) {
    return std::nullopt;  // another server is running it
  }
  const auto release = [&] {
    store_.Write([&](Tx& tx) { tx.job_leases().Release("retention", owner); });
  };
  try {
    // Checked again under the lease: another server may have finished it meanwhile.
    std::optional<RetentionRun> run;
    if (DueToday(clock_.Now())) {
      run = Run(Actor::System("retention"), false, "daily");
    }
    release();
    return run;
  } catch (...) {
    release();
    throw;
  }
}

bool RetentionService::DueToday(Instant now) {
  const LocalDate today = paris::Today(now);
  std::vector<RetentionRun> runs;
  store_.Read([&](Tx& tx) { runs = tx.retention().Runs(10); });
  for (const auto& r : runs) {
    if (!r.dry_run && r.outcome == "success" && paris::Today(r.started_at) == today) {
      return false;
    }
  }
  return true;
}

}  // namespace allervers::service
