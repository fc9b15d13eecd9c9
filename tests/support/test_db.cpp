#include "support/test_db.hpp"

#include <soci/soci.h>

#include <cstdlib>
#include <map>
#include <random>

#include "storage/case_milestones.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_query.hpp"

namespace allervers::testing {
namespace {

std::string RandomSuffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) {
    s.push_back(kChars[rng() % 36]);
  }
  return s;
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<TestBackend>& info) {
  return info.param == TestBackend::kSqlite ? "Sqlite" : "Postgres";
}

std::filesystem::path SourceDir() { return ALLERVERS_SOURCE_DIR; }

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("allervers-test-" + RandomSuffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<TestDatabase> TestDatabase::Create(TestBackend backend, bool migrate) {
  std::unique_ptr<TestDatabase> t(new TestDatabase());
  t->backend_ = backend;
  if (backend == TestBackend::kSqlite) {
    t->dir_ = std::filesystem::temp_directory_path() / ("allervers-db-" + RandomSuffix());
    std::filesystem::create_directories(t->dir_);
    t->url_ = "sqlite:" + (t->dir_ / "test.db").string();
  } else {
    const char* dsn = std::getenv("ALLERVERS_TEST_PG_DSN");
    if (dsn == nullptr || *dsn == '\0') {
      const char* required = std::getenv("ALLERVERS_TEST_PG_REQUIRED");
      if (required != nullptr && std::string(required) == "1") {
        ADD_FAILURE() << "ALLERVERS_TEST_PG_REQUIRED=1 but ALLERVERS_TEST_PG_DSN is not set";
      }
      return nullptr;
    }
    t->admin_dsn_ = dsn;
    t->schema_ = "t_" + RandomSuffix();
    {
      storage::Database admin(storage::DatabaseUrl::Parse(t->admin_dsn_),
                              storage::DatabaseOptions{1});
      admin.WithSession([&](soci::session& sql) { sql << ("CREATE SCHEMA " + t->schema_); });
    }
    const std::string separator = t->admin_dsn_.find('?') == std::string::npos ? "?" : "&";
    t->url_ = t->admin_dsn_ + separator + "options=-csearch_path%3D" + t->schema_;
  }
  storage::DatabaseOptions options;
  options.pool_size = 4;
  t->db_ = std::make_unique<storage::Database>(storage::DatabaseUrl::Parse(t->url_), options);
  if (migrate) {
    storage::Migrate(*t->db_,
                     storage::LoadMigrations(SourceDir() / "migrations", t->db_->backend()));
    // Migration 0014 makes two-factor sign-in mandatory; tests sign in with a password alone
    // unless they turn it on (tests/integration/two_factor_test.cpp), as `allervers demo` does.
    t->db_->Write([](service::Tx& tx) {
      tx.settings().Put("security.totp_required", "0", FromEpoch(0), "test");
    });
  }
  return t;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  std::error_code ec;
  if (backend_ == TestBackend::kSqlite) {
    std::filesystem::remove_all(dir_, ec);
    return;
  }
  if (schema_.empty()) {
    return;  // PostgreSQL was not configured: nothing was created
  }
  try {
    storage::Database admin(storage::DatabaseUrl::Parse(admin_dsn_), storage::DatabaseOptions{1});
    admin.WithSession([&](soci::session& sql) { sql << ("DROP SCHEMA " + schema_ + " CASCADE"); });
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not drop test schema " << schema_ << ": " << e.what();
  }
}

void TestDatabase::Exec(const std::string& sql) {
  db_->WithSession([&](soci::session& session) { db_->ExecuteScript(session, sql); });
}

std::vector<std::string> TestDatabase::StaleCaseMilestones() {
  const auto read = [&](soci::session& sql) {
    std::map<long long, std::string> out;
    long long id = 0;
    std::string row;
    storage::Query q(sql,
                     "SELECT id, COALESCE(CAST(reached_at AS TEXT), '-') || ' ' || "
                     "COALESCE(CAST(honoured_at AS TEXT), '-') || ' ' || "
                     "COALESCE(first_intervention_on, '-') || ' ' || COALESCE(first_bilan_on, "
                     "'-') || ' ' || initial_level || ' ' || COALESCE(initial_on, '-') || ' ' || "
                     "final_level FROM referral WHERE status <> 'draft' ORDER BY id");
    q.Into(id).Into(row);
    q.ForEach([&] { out[id] = row; });
    return out;
  };
  std::vector<std::string> stale;
  db_->WithSession([&](soci::session& sql) {
    const auto kept = read(sql);
    soci::transaction tx(sql);
    storage::Query update(sql, std::string("UPDATE referral SET ") +
                                   storage::kCaseMilestonesAssignments +
                                   " WHERE status <> 'draft'");
    update.Run();
    const auto computed = read(sql);
    tx.rollback();
    long long intervention = 0;
    storage::Query copies(sql,
                          "SELECT i.id FROM intervention i JOIN referral r ON r.id = "
                          "i.referral_id WHERE i.operator_id IS NULL OR i.operator_id <> "
                          "r.operator_id ORDER BY i.id");
    copies.Into(intervention);
    copies.ForEach([&] {
      stale.push_back("intervention " + std::to_string(intervention) + ": not its team's");
    });
    for (const auto& [id, row] : computed) {
      const auto it = kept.find(id);
      if (it == kept.end() || it->second != row) {
        stale.push_back(std::to_string(id) + ": " + (it == kept.end() ? "?" : it->second) + " ≠ " +
                        row);
      }
    }
  });
  return stale;
}

}  // namespace allervers::testing
