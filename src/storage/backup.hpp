#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "storage/database.hpp"

namespace allervers::storage {

/// What a SQLite backup or restore produced, checked after the copy.
struct SqliteCopyReport {
  std::uintmax_t bytes = 0;  // size of the file written (backup) or read (restore)
  int schema_version = 0;    // highest version in schema_migrations of the copy
};

/// Throws Error(kInvalidArgument) when the SQLite file of `url` does not exist, so that a
/// backup of a mistyped path says so instead of creating (and saving) an empty database.
void RequireExistingSqliteDatabase(const DatabaseUrl& url);

/// Copies the SQLite database of `db` to `output` with SQLite's online backup API, in one read
/// transaction: the copy holds every transaction committed before it started and nothing half
/// done, while other connections keep writing (WAL). The copy is written to a temporary file
/// next to `output` (mode 0600), switched to a plain rollback journal so that it is one
/// self-contained file, checked (PRAGMA integrity_check, an Allervers schema), fsynced, and
/// only then renamed to `output`: a half-written backup never bears the final name.
/// Throws Error(kInvalidArgument) with a French message when `output` cannot be written, is
/// the database itself, or the database holds no Allervers schema; the temporary file is then
/// removed.
SqliteCopyReport BackupSqlite(Database& db, const std::filesystem::path& output);

/// Checks that `input` is a SQLite file that passes PRAGMA integrity_check and holds an
/// Allervers schema no newer than `latest_version`, without writing anything. Throws
/// Error(kInvalidArgument) with a French message saying what is wrong.
SqliteCopyReport InspectSqliteBackup(const std::filesystem::path& input, int latest_version);

/// Replaces the whole content of the SQLite database of `db` by the backup `input`, with the
/// online backup API (one transaction: the target is either fully replaced or left as it was),
/// after InspectSqliteBackup() and after refusing a backup that is the target file itself.
/// The service must be stopped: another process would keep serving the replaced data.
/// Returns the report of the target once restored (integrity checked again).
SqliteCopyReport RestoreSqlite(Database& db, const std::filesystem::path& input,
                               int latest_version);

/// A PostgreSQL client program (pg_dump, pg_restore) as found on PATH.
struct PgClientTool {
  std::string name;
  std::filesystem::path path;  // empty when not found on PATH
  int major = 0;               // from `name --version`; 0 when it could not be read
  std::string version;         // "15.18", as printed by --version
};

/// Looks `name` up on PATH (as the shell would) and reads its major version.
PgClientTool FindPgClientTool(std::string_view name);

/// The major version of the PostgreSQL server of `db` (SHOW server_version_num / 10000).
int PostgresServerMajor(Database& db);

/// The connection URL of `url` without its password (in the user info or a `password`
/// parameter), for commands printed to the operator: libpq then takes the password from
/// ~/.pgpass or PGPASSWORD.
std::string PostgresUrlWithoutPassword(const DatabaseUrl& url);

}  // namespace allervers::storage
