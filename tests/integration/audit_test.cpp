// The audit trail (docs/security.md §3): rows chained by hash, `Verify` finding every kind of
// tampering and naming the first bad row, the purge after audit.retention_months keeping the
// chain whole, reads of a case file traced, and « Qui a consulté ce dossier » showing the team
// its own file only. On SQLite and PostgreSQL, including concurrent writers on PostgreSQL.

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <thread>

#include "common/time.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

class AuditTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2026, 11, 16}, 9, 0));
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"EMN2", "Autre équipe", "operateur", "Pontoise"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_ = CreateUser(*s_, "coord@emn.example", "coordinateur", "EMN");
    worker_ = CreateUser(*s_, "lea@emn.example", "intervenant", "EMN");
    other_team_ = CreateUser(*s_, "coord@emn2.example", "coordinateur", "EMN2");
    referrer_ = CreateUser(*s_, "as@ssd.example", "prescripteur", "SSD");
    admin_ = CreateUser(*s_, "admin@emn.example", "admin", "");
    const auto r = s_->referrals.Submit(referrer_, std::nullopt, SampleReferral());
    ASSERT_TRUE(r.errors.empty());
    s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
    referral_ = r.id;
    person_ = *s_->cases.PersonOf(worker_, referral_);
  }

  long long Count(const std::string& query) {
    long long n = 0;
    db_->db().WithSession([&](soci::session& sql) { sql << query, soci::into(n); });
    return n;
  }
  long long MaxId() { return Count("SELECT MAX(id) FROM audit_event"); }

  // What an intruder holding the database would do: lift the append-only trigger first.
  void Tamper(const std::string& statement) {
    if (GetParam() == TestBackend::kSqlite) {
      db_->Exec(
          "DROP TRIGGER IF EXISTS audit_event_no_update; DROP TRIGGER IF EXISTS "
          "audit_event_no_delete; " +
          statement);
    } else {
      db_->Exec("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event; " + statement);
    }
  }

  service::AuditChainReport Verify() { return s_->audit.Verify(system_); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor system_ = service::Actor::System("test");
  service::Actor coordinator_, worker_, other_team_, referrer_, admin_;
  domain::ReferralId referral_ = 0;
  domain::PersonId person_ = 0;
};

TEST_P(AuditTest, EveryRowIsChainedToTheOneBefore) {
  const auto r = Verify();
  EXPECT_TRUE(r.intact) << r.problem;
  EXPECT_EQ(r.legacy_rows, 0);
  EXPECT_EQ(r.rows_checked, Count("SELECT COUNT(*) FROM audit_event"));
  EXPECT_GT(r.rows_checked, 5);
  EXPECT_EQ(r.first_id, Count("SELECT MIN(id) FROM audit_event"));
  EXPECT_EQ(r.last_id, MaxId());
  EXPECT_EQ(r.last_hash.size(), 64u);
  // No row without its hash, and each carries the one before it.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE row_hash IS NULL OR prev_hash IS NULL"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event a JOIN audit_event b ON b.id = (SELECT "
                  "MIN(id) FROM audit_event WHERE id > a.id) WHERE b.prev_hash <> a.row_hash"),
            0);
  // The trigger still refuses a plain change.
  EXPECT_ANY_THROW(db_->Exec("UPDATE audit_event SET detail = 'x' WHERE id = 1"));
  EXPECT_ANY_THROW(db_->Exec("DELETE FROM audit_event WHERE id = 1"));
}

TEST_P(AuditTest, AnAlteredRowIsNamed) {
  Tamper("UPDATE audit_event SET detail = 'autre chose' WHERE id = 3");
  const auto r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, 3);
  EXPECT_NE(r.problem.find("ligne n° 3 a été modifié"), std::string::npos) << r.problem;
}

TEST_P(AuditTest, ARowRewrittenWithItsHashBreaksTheNextLink) {
  // Even recomputing nothing but swapping whole rows is seen: the next row's link breaks.
  Tamper(
      "UPDATE audit_event SET row_hash = (SELECT row_hash FROM audit_event WHERE id = 2), "
      "prev_hash = (SELECT prev_hash FROM audit_event WHERE id = 2), action = (SELECT action "
      "FROM audit_event WHERE id = 2), record_type = (SELECT record_type FROM audit_event "
      "WHERE id = 2), record_id = (SELECT record_id FROM audit_event WHERE id = 2), actor_label "
      "= (SELECT actor_label FROM audit_event WHERE id = 2), actor_user_id = (SELECT "
      "actor_user_id FROM audit_event WHERE id = 2), at = (SELECT at FROM audit_event WHERE id "
      "= 2), outcome = (SELECT outcome FROM audit_event WHERE id = 2), request_id = (SELECT "
      "request_id FROM audit_event WHERE id = 2), ip = (SELECT ip FROM audit_event WHERE id = "
      "2), detail = (SELECT detail FROM audit_event WHERE id = 2) WHERE id = 3");
  const auto r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, 3) << r.problem;
}

TEST_P(AuditTest, ADeletedRowIsFoundAtTheNextOne) {
  Tamper("DELETE FROM audit_event WHERE id = 4");
  const auto r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, 5);
  EXPECT_NE(r.problem.find("supprimées"), std::string::npos) << r.problem;
}

TEST_P(AuditTest, DeletedFirstAndLastRowsAreFound) {
  const long long last = MaxId();
  Tamper("DELETE FROM audit_event WHERE id = " + std::to_string(last));
  auto r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, last);
  EXPECT_NE(r.problem.find("dernières lignes manquent"), std::string::npos) << r.problem;

  Tamper("DELETE FROM audit_event WHERE id = 1");
  r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, 2) << r.problem;
}

TEST_P(AuditTest, ARowAddedOutsideTheApplicationIsFound) {
  db_->Exec(
      "INSERT INTO audit_event (at, actor_label, action, record_type, record_id, outcome) "
      "VALUES (1, 'user', 'case.read', 'person', '1', 'success')");
  const auto r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.broken_at_id, MaxId());
  EXPECT_NE(r.problem.find("en dehors de l’application"), std::string::npos) << r.problem;
}

TEST_P(AuditTest, OnlyAnAdministratorOrTheSystemVerifies) {
  EXPECT_EQ(CodeOf([&] { s_->audit.Verify(coordinator_); }), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(s_->audit.Verify(admin_).intact);
}

TEST_P(AuditTest, ThePurgeDeletesOldRowsAndKeepsTheChainWhole) {
  const long long old_rows = Count("SELECT COUNT(*) FROM audit_event");
  // Thirteen months later, some more activity, then the daily purge (12 months by default).
  s_->clock.Set(paris::FromLocal({2027, 12, 20}, 10, 0));
  (void)s_->cases.Open(worker_, person_);
  const long long recent_from = MaxId();
  const auto run = s_->retention.Run(system_, false, "command");
  EXPECT_EQ(run.audit_rows, old_rows);
  EXPECT_EQ(Count("SELECT MIN(id) FROM audit_event"), recent_from);
  auto r = Verify();
  EXPECT_TRUE(r.intact) << r.problem;
  EXPECT_EQ(r.purged_before_id, recent_from);
  EXPECT_EQ(r.first_id, recent_from);
  // The purge's own report is in the trail, and the chain goes on after it.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'retention.run' AND detail "
                  "LIKE '%audit_rows=" +
                  std::to_string(old_rows) + "%'"),
            1);
  (void)s_->cases.Open(worker_, person_);
  r = Verify();
  EXPECT_TRUE(r.intact) << r.problem;
  // A dry run deletes nothing; a second run finds nothing more to delete.
  const long long before = Count("SELECT COUNT(*) FROM audit_event");
  EXPECT_EQ(s_->retention.Run(system_, true, "command").audit_rows, 0);
  EXPECT_EQ(s_->retention.Run(system_, false, "command").audit_rows, 0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM audit_event"), before);
  EXPECT_TRUE(Verify().intact);
  // Deleting what the purge kept is still seen.
  Tamper("DELETE FROM audit_event WHERE id = " + std::to_string(recent_from));
  EXPECT_FALSE(Verify().intact);
}

TEST_P(AuditTest, EverythingPurgedLeavesAnIntactEmptyChain) {
  s_->clock.Set(paris::FromLocal({2028, 8, 5}, 10, 0));
  s_->settings.Set(system_, "audit.retention_months", "6");
  const long long before = Count("SELECT COUNT(*) FROM audit_event");
  const auto run = s_->retention.Run(system_, false, "command");
  // Every row older than six months went; the setting's change (now) and the run stay.
  EXPECT_EQ(run.audit_rows, before - 1);
  const auto r = Verify();
  EXPECT_TRUE(r.intact) << r.problem;
}

TEST_P(AuditTest, ReadsOfACaseFileAreTraced) {
  const long long before = MaxId();
  (void)s_->cases.Open(worker_, person_);
  (void)s_->referrals.Get(referrer_, referral_);
  const auto bilan =
      s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kInitial);
  (void)s_->cases.Assessment(coordinator_, bilan);
  (void)s_->cases.PersonData(worker_, person_);
  const auto after = [&](const std::string& action) {
    return Count("SELECT COUNT(*) FROM audit_event WHERE id > " + std::to_string(before) +
                 " AND action = '" + action + "'");
  };
  EXPECT_EQ(after("case.read"), 1);
  EXPECT_EQ(after("referral.read"), 1);
  EXPECT_EQ(after("assessment.read"), 1);
  EXPECT_EQ(after("person_data.read"), 1);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM audit_event WHERE action = 'case.read' AND record_type "
            "= 'person' AND record_id = '" +
            std::to_string(person_) + "' AND actor_user_id = " + std::to_string(worker_.user_id)),
      1);
  // A read refused leaves no trace of a consultation.
  EXPECT_EQ(CodeOf([&] { s_->cases.Open(other_team_, person_); }), ErrorCode::kNotFound);
  EXPECT_EQ(after("case.read"), 1);
  EXPECT_TRUE(Verify().intact);
}

TEST_P(AuditTest, WhoConsultedTheFileShowsTheTeamItsOwnFileOnly) {
  (void)s_->cases.Open(worker_, person_);
  s_->clock.Advance(std::chrono::minutes(5));
  (void)s_->referrals.Get(referrer_, referral_);
  s_->clock.Advance(std::chrono::minutes(5));
  // The other team follows the same person in a case of its own: its reads are its business.
  auto in = SampleReferral();
  const auto theirs = s_->referrals.Submit(referrer_, std::nullopt, in);
  ASSERT_TRUE(theirs.errors.empty());
  db_->Exec(
      "UPDATE referral SET operator_id = (SELECT id FROM structure WHERE code = 'EMN2') "
      "WHERE id = " +
      std::to_string(theirs.id));
  const auto their_worker = CreateUser(*s_, "lea@emn2.example", "intervenant", "EMN2");
  s_->referrals.Accept(other_team_, theirs.id, their_worker.user_id);
  const auto their_person = s_->cases.PersonOf(other_team_, theirs.id);
  ASSERT_TRUE(their_person);
  (void)s_->cases.Open(other_team_, *their_person);

  const auto log = s_->cases.AccessLog(coordinator_, person_);
  EXPECT_EQ(log.person_id, person_);
  ASSERT_EQ(log.consultations.size(), 2u);
  EXPECT_EQ(log.consultations[0].action, "referral.read");
  EXPECT_EQ(log.consultations[0].who, "as");
  EXPECT_EQ(log.consultations[0].structure, "SSD Cergy");
  EXPECT_EQ(log.consultations[0].role, "prescripteur");
  EXPECT_EQ(log.consultations[1].action, "case.read");
  EXPECT_EQ(log.consultations[1].who, "lea");
  // Reading the log is not itself a consultation of the file.
  EXPECT_EQ(s_->cases.AccessLog(coordinator_, person_).consultations.size(), 2u);
  // Only the coordinator; another team's coordinator finds no such person.
  EXPECT_EQ(CodeOf([&] { s_->cases.AccessLog(worker_, person_); }), ErrorCode::kPermissionDenied);
  if (*their_person != person_) {
    EXPECT_EQ(CodeOf([&] { s_->cases.AccessLog(other_team_, person_); }), ErrorCode::kNotFound);
  }
}

// PostgreSQL runs writers truly in parallel: the chain must still come out as one line.
TEST_P(AuditTest, ConcurrentWritersKeepOneChain) {
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          if (i % 3 == 0) {
            (void)s_->cases.Open(worker_, person_);
          } else {
            db_->db().Write([&](service::Tx& tx) {
              tx.audit().Append(service::MakeAuditEvent(system_, s_->clock.Now(), "test.write",
                                                        "test", std::to_string(t * 100 + i)));
              tx.audit().Append(service::MakeAuditEvent(system_, s_->clock.Now(), "test.write",
                                                        "test", std::to_string(t * 100 + i)));
            });
          }
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'test.write'"),
            kThreads * (kEach - 5) * 2);
  const auto r = Verify();
  EXPECT_TRUE(r.intact) << r.problem;
  EXPECT_EQ(r.rows_checked, Count("SELECT COUNT(*) FROM audit_event"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
