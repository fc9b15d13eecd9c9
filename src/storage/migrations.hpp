#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace allervers::storage {

struct Migration {
  int version = 0;
  std::string name;  // file stem, "0001_foundation"
  std::string sql;
};

struct SchemaStatus {
  int current = 0;  // highest version applied to the database (0: empty database)
  int latest = 0;   // highest version this binary ships
};

/// Numbered migrations of one dialect, read from `<root>/sqlite` or `<root>/postgresql`.
/// Throws Error(kInternal) when the folder is missing or two files share a number.
std::vector<Migration> LoadMigrations(const std::filesystem::path& root, Backend backend);

SchemaStatus ReadSchemaStatus(Database& db, const std::vector<Migration>& migrations);

/// Applies every migration not yet applied, each in its own transaction together with its
/// row in schema_migrations. Idempotent; safe when two processes run it at once.
/// Returns the names of the migrations applied.
std::vector<std::string> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace allervers::storage
