#include "storage/migrations.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "storage/sql_query.hpp"

namespace allervers::storage {
namespace {

constexpr const char* kVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
    "NULL, "
    "applied_at BIGINT NOT NULL)";

int CurrentVersion(soci::session& sql) {
  int version = 0;
  soci::indicator ind = soci::i_ok;
  Query q(sql, "SELECT MAX(version) FROM schema_migrations");
  q.Into(version, ind);
  q.One();
  return ind == soci::i_ok ? version : 0;
}

bool VersionTableExists(soci::session& sql, Backend backend) {
  long long count = 0;
  if (backend == Backend::kSqlite) {
    Query q(
        sql,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    q.Into(count);
    q.One();
  } else {
    Query q(sql,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' "
            "AND table_schema = current_schema()");
    q.Into(count);
    q.One();
  }
  return count > 0;
}

}  // namespace

std::vector<Migration> LoadMigrations(const std::filesystem::path& root, Backend backend) {
  const std::filesystem::path dir = root / (backend == Backend::kSqlite ? "sqlite" : "postgresql");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorCode::kInternal, "Dossier des migrations introuvable : " + dir.string());
  }
  std::map<int, Migration> by_version;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sql") {
      continue;
    }
    const std::string stem = entry.path().stem().string();
    const auto underscore = stem.find('_');
    int version = 0;
    try {
      version = std::stoi(stem.substr(0, underscore));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInternal, "Nom de migration invalide : " + entry.path().string());
    }
    if (by_version.contains(version)) {
      throw Error(ErrorCode::kInternal,
                  "Deux migrations portent le numéro " + std::to_string(version));
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    by_version[version] = Migration{version, stem, content.str()};
  }
  std::vector<Migration> out;
  for (auto& [v, m] : by_version) {
    out.push_back(std::move(m));
  }
  return out;
}

SchemaStatus ReadSchemaStatus(Database& db, const std::vector<Migration>& migrations) {
  SchemaStatus status;
  status.latest = migrations.empty() ? 0 : migrations.back().version;
  db.WithSession([&](soci::session& sql) {
    if (VersionTableExists(sql, db.backend())) {
      status.current = CurrentVersion(sql);
    }
  });
  return status;
}

std::vector<std::string> Migrate(Database& db, const std::vector<Migration>& migrations) {
  std::vector<std::string> applied;
  db.WithSession([&](soci::session& sql) {
    sql << kVersionTable;
    for (const Migration& m : migrations) {
      // Each migration and its version row commit together. The lock (BEGIN IMMEDIATE on
      // SQLite, an advisory lock on PostgreSQL) serialises concurrent `migrate` runs.
      if (db.backend() == Backend::kSqlite) {
        sql << "BEGIN IMMEDIATE";
      } else {
        sql << "BEGIN";
        sql << "SELECT pg_advisory_xact_lock(4242)";
      }
      try {
        long long already = 0;
        const int version = m.version;
        {
          // Destroyed before the script runs: an unfinalised statement on the connection
          // makes SQLite refuse DROP TABLE ("database table is locked").
          Query check(sql, "SELECT COUNT(*) FROM schema_migrations WHERE version = :v");
          check.Into(already).Use(version);
          check.One();
        }
        if (already == 0) {
          try {
            db.ExecuteScript(sql, m.sql);
          } catch (const std::exception& e) {
            // The operator running `migrate` needs the driver's words to fix the problem.
            throw Error(ErrorCode::kInternal, "La migration " + m.name + " a échoué : " + e.what(),
                        e.what());
          }
          const long long now = ToEpoch(SystemClock().Now());
          Query mark(
              sql, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)");
          mark.Use(version).Use(m.name).Use(now);
          mark.Run();
          applied.push_back(m.name);
        }
        sql << "COMMIT";
      } catch (...) {
        sql << "ROLLBACK";
        throw;
      }
    }
  });
  return applied;
}

}  // namespace allervers::storage
