#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace allervers::testing {

enum class TestBackend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<TestBackend>& info);

/// A fresh, migrated database for one test: a temporary SQLite file, or a new schema on the
/// PostgreSQL server named by ALLERVERS_TEST_PG_DSN (dropped at the end).
class TestDatabase {
 public:
  /// Returns nullptr when PostgreSQL is not configured (the caller skips the test), and fails
  /// the test instead when ALLERVERS_TEST_PG_REQUIRED=1.
  static std::unique_ptr<TestDatabase> Create(TestBackend backend, bool migrate = true);
  ~TestDatabase();

  storage::Database& db() { return *db_; }
  const std::string& url() const { return url_; }
  TestBackend backend() const { return backend_; }

  /// Runs a SQL script (several statements) directly, for test set-up.
  void Exec(const std::string& sql);

  /// The referrals whose milestones kept for the indicators (storage/case_milestones.hpp)
  /// differ from a computation afresh from the contacts, appointments, interventions and bilans,
  /// as "id: kept ≠ computed", and the interventions whose copy of the team is not their
  /// referral's; empty when every one is right.
  std::vector<std::string> StaleCaseMilestones();

 private:
  TestDatabase() = default;

  TestBackend backend_ = TestBackend::kSqlite;
  std::string url_;
  std::string schema_;         // PostgreSQL
  std::string admin_dsn_;      // PostgreSQL
  std::filesystem::path dir_;  // SQLite
  std::unique_ptr<storage::Database> db_;
};

/// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The repository root (templates, migrations…).
std::filesystem::path SourceDir();

#define ALLERVERS_SKIP_IF_NO_DB(ptr)                                                      \
  if (!(ptr)) {                                                                           \
    GTEST_SKIP() << "PostgreSQL not configured (set ALLERVERS_TEST_PG_DSN to run these)"; \
  }

}  // namespace allervers::testing
