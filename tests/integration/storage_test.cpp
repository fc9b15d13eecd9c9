#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <thread>

#include "common/error.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_query.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

class StorageTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_P(StorageTest, MigrateIsIdempotentAndRecordsVersions) {
  const auto migrations = storage::LoadMigrations(SourceDir() / "migrations", db_->db().backend());
  ASSERT_FALSE(migrations.empty());
  EXPECT_TRUE(storage::Migrate(db_->db(), migrations).empty()) << "already applied by the fixture";
  const auto status = storage::ReadSchemaStatus(db_->db(), migrations);
  EXPECT_EQ(status.current, migrations.back().version);
  EXPECT_EQ(status.latest, migrations.back().version);
}

TEST_P(StorageTest, BothDialectsShipTheSameMigrationNumbers) {
  const auto lite = storage::LoadMigrations(SourceDir() / "migrations", storage::Backend::kSqlite);
  const auto pg = storage::LoadMigrations(SourceDir() / "migrations", storage::Backend::kPostgres);
  ASSERT_EQ(lite.size(), pg.size());
  for (std::size_t i = 0; i < lite.size(); ++i) {
    EXPECT_EQ(lite[i].name, pg[i].name);
  }
}

TEST_P(StorageTest, StructureAndUserRoundTrip) {
  TestServices s(db_->db());
  const auto system = service::Actor::System("test");
  const auto created = s.structures.Create(system, {"emn", "Équipe mobile", "operateur", "Cergy"});
  ASSERT_TRUE(created.errors.empty());
  const auto structure = s.structures.Get(system, created.id);
  EXPECT_EQ(structure.code, "EMN");
  EXPECT_EQ(structure.name, "Équipe mobile");
  EXPECT_EQ(structure.kind, domain::StructureKind::kOperateur);
  EXPECT_TRUE(structure.active);

  const auto user = s.users.Create(
      system, {"Lea@Example.fr", "Léa Nguyen", "intervenant", "EMN", "0,5"}, kGoodPassword);
  ASSERT_TRUE(user.errors.empty());
  const auto stored = s.users.Get(system, user.id);
  EXPECT_EQ(stored.email, "lea@example.fr");
  EXPECT_EQ(stored.display_name, "Léa Nguyen");
  EXPECT_EQ(stored.role, domain::Role::kIntervenant);
  EXPECT_EQ(stored.structure_id, created.id);
  EXPECT_EQ(stored.structure_name, "Équipe mobile");
  ASSERT_TRUE(stored.fte.has_value());
  EXPECT_DOUBLE_EQ(*stored.fte, 0.5);
  EXPECT_FALSE(stored.must_change_password);
  EXPECT_FALSE(stored.last_sign_in_at.has_value());
}

TEST_P(StorageTest, UniqueViolationBecomesConflict) {
  TestServices s(db_->db());
  ASSERT_TRUE(
      s.structures.Create(service::Actor::System("t"), {"A1", "A", "ssd", ""}).errors.empty());
  EXPECT_EQ(CodeOf([&] {
              db_->db().Write([](service::Tx& tx) {
                tx.structures().Insert({"A1", "Again", "ssd", ""}, FromEpoch(0));
              });
            }),
            ErrorCode::kConflict);
}

TEST_P(StorageTest, CheckConstraintRefusesAnUnknownKind) {
  EXPECT_EQ(CodeOf([&] {
              db_->db().Write([](service::Tx& tx) {
                tx.structures().Insert({"B1", "B", "mairie", ""}, FromEpoch(0));
              });
            }),
            ErrorCode::kConflict);
}

TEST_P(StorageTest, AuditTrailIsAppendOnly) {
  TestServices s(db_->db());
  ASSERT_TRUE(
      s.structures.Create(service::Actor::System("t"), {"A1", "A", "ssd", ""}).errors.empty());
  EXPECT_THROW(db_->Exec("UPDATE audit_event SET outcome = 'tampered'"), Error);
  EXPECT_THROW(db_->Exec("DELETE FROM audit_event"), Error);
  const auto events = s.audit.List(service::Actor::System("t"), {});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome, "success");
  EXPECT_EQ(events[0].action, "structure.create");
}

// A change and its audit row commit together: when the audit insert fails, the change is
// rolled back and the caller sees the error.
TEST_P(StorageTest, FailedAuditWriteRollsTheChangeBack) {
  TestServices s(db_->db());
  const auto system = service::Actor::System("t");
  if (GetParam() == TestBackend::kSqlite) {
    db_->Exec(
        "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'disk "
        "full'); END;");
  } else {
    db_->Exec(
        "CREATE FUNCTION audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
        "EXCEPTION 'disk full'; "
        "END; $$; CREATE TRIGGER audit_fails BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE "
        "FUNCTION "
        "audit_fails();");
  }
  EXPECT_THROW(s.structures.Create(system, {"LOST", "Perdue", "ssd", ""}), Error);
  EXPECT_TRUE(s.structures.List(system).empty())
      << "the structure must not survive its failed audit";
}

TEST_P(StorageTest, RollbackOnExceptionLeavesNothing) {
  EXPECT_THROW(db_->db().Write([](service::Tx& tx) {
    tx.structures().Insert({"R1", "R", "ssd", ""}, FromEpoch(0));
    throw Error(ErrorCode::kInvalidArgument, "stop");
  }),
               Error);
  bool found = true;
  db_->db().Read([&](service::Tx& tx) { found = tx.structures().FindByCode("R1").has_value(); });
  EXPECT_FALSE(found);
}

TEST_P(StorageTest, SessionsExpireAndAreDeletedPerUser) {
  TestServices s(db_->db());
  const auto system = service::Actor::System("t");
  ASSERT_TRUE(s.structures.Create(system, {"EMN", "E", "operateur", ""}).errors.empty());
  const auto u = s.users.Create(system, {"a@b.fr", "A B", "intervenant", "EMN", ""}, kGoodPassword);
  db_->db().Write([&](service::Tx& tx) {
    tx.sessions().Insert({"d1", u.id, "c1", FromEpoch(100), FromEpoch(100), "ip"});
    tx.sessions().Insert({"d2", u.id, "c2", FromEpoch(100), FromEpoch(5000), "ip"});
  });
  int removed = 0;
  db_->db().Write([&](service::Tx& tx) {
    removed = tx.sessions().DeleteExpired(FromEpoch(1000), FromEpoch(0));
  });
  EXPECT_EQ(removed, 1);
  db_->db().Write([&](service::Tx& tx) { tx.sessions().DeleteForUser(u.id); });
  bool any = true;
  db_->db().Read([&](service::Tx& tx) { any = tx.sessions().Find("d2").has_value(); });
  EXPECT_FALSE(any);
}

TEST_P(StorageTest, ConcurrentWritersAllCommit) {
  TestServices s(db_->db());
  const auto system = service::Actor::System("t");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        try {
          const auto r = s.structures.Create(
              system, {"C" + std::to_string(t) + "-" + std::to_string(i), "N", "partenaire", ""});
          failures += r.errors.empty() ? 0 : 1;
        } catch (const Error&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(s.structures.List(system).size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

TEST(DatabaseUrl, ParsesAndRedacts) {
  EXPECT_EQ(storage::DatabaseUrl::Parse("sqlite:var/a.db").target, "var/a.db");
  EXPECT_EQ(storage::DatabaseUrl::Parse("sqlite:///tmp/a.db").target, "/tmp/a.db");
  const auto pg = storage::DatabaseUrl::Parse("postgresql://bob:s3cret@db.example:5432/allervers");
  EXPECT_EQ(pg.backend, storage::Backend::kPostgres);
  EXPECT_EQ(pg.Redacted(), "postgresql://bob:***@db.example:5432/allervers");
  EXPECT_EQ(storage::DatabaseUrl::Parse(
                "postgresql://db.example/allervers?user=bob&password=s3cret&sslmode=require")
                .Redacted(),
            "postgresql://db.example/allervers?user=bob&password=***&sslmode=require");
  EXPECT_THROW(storage::DatabaseUrl::Parse("mysql://x"), Error);
  EXPECT_THROW(storage::DatabaseUrl::Parse("sqlite:"), Error);
  EXPECT_THROW(storage::DatabaseUrl::Parse("sqlite::memory:"), Error);
}

TEST(Database, UnreachablePostgresIsUnavailable) {
  EXPECT_EQ(CodeOf([] {
              storage::Database db(
                  storage::DatabaseUrl::Parse("postgresql://nobody@127.0.0.1:1/none"), {1});
            }),
            ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace allervers::testing
