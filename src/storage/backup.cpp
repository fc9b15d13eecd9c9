#include "storage/backup.hpp"

#include <fcntl.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <regex>
#include <stdexcept>
#include <vector>

#include "common/error.hpp"

namespace allervers::storage {
namespace {

namespace sq = sqlite_api;
namespace fs = std::filesystem;

// A backup only needs a read lock on the database, which WAL refuses only during a recovery:
// it tries again for 5 s. A restore needs the write lock; the pooled session already waits
// its busy timeout for it, and a service still running is better reported at once.
constexpr int kBackupBusyRounds = 50;
constexpr int kBusySleepMs = 100;

// A failure of the SQLite library itself, turned into a French Error by the callers, which
// know what was being done.
class SqliteFailure : public std::runtime_error {
 public:
  SqliteFailure(int rc, const std::string& message) : std::runtime_error(message), rc_(rc) {}
  int rc() const { return rc_; }

 private:
  int rc_;
};

std::string Quoted(const fs::path& path) { return "« " + path.string() + " »"; }

// One native SQLite connection of our own (not of the pool), closed at scope exit.
class Connection {
 public:
  Connection(const fs::path& path, int flags) {
    const int rc = sq::sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sq::sqlite3_errmsg(db_) : sq::sqlite3_errstr(rc);
      Close();
      throw SqliteFailure(rc, message);
    }
    sq::sqlite3_extended_result_codes(db_, 1);
  }
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sq::sqlite3* get() const { return db_; }

  void Close() {
    if (db_ != nullptr) {
      sq::sqlite3_close_v2(db_);
      db_ = nullptr;
    }
  }

 private:
  sq::sqlite3* db_ = nullptr;
};

// The first column of every row of `sql`, as text.
std::vector<std::string> Column(sq::sqlite3* db, const char* sql) {
  sq::sqlite3_stmt* stmt = nullptr;
  int rc = sq::sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    throw SqliteFailure(rc, sq::sqlite3_errmsg(db));
  }
  std::vector<std::string> rows;
  while ((rc = sq::sqlite3_step(stmt)) == SQLITE_ROW) {
    const unsigned char* text = sq::sqlite3_column_text(stmt, 0);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  const std::string message = sq::sqlite3_errmsg(db);
  sq::sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    throw SqliteFailure(rc, message);
  }
  return rows;
}

void Exec(sq::sqlite3* db, const char* sql) { Column(db, sql); }

// Empty when PRAGMA integrity_check says "ok"; otherwise its first findings (or the error that
// kept it from running: a file too damaged to be read at all).
std::string IntegrityProblem(sq::sqlite3* db) {
  std::vector<std::string> rows;
  try {
    rows = Column(db, "PRAGMA integrity_check(5)");
  } catch (const SqliteFailure& e) {
    return e.what();
  }
  if (rows.size() == 1 && rows.front() == "ok") {
    return {};
  }
  std::string out;
  for (const auto& row : rows) {
    out += (out.empty() ? "" : " ; ") + row;
  }
  return out.empty() ? "aucun résultat" : out;
}

// The highest version in schema_migrations; 0 when the table does not exist.
int SchemaVersion(sq::sqlite3* db) {
  const auto tables = Column(
      db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (tables.empty() || tables.front() == "0") {
    return 0;
  }
  const auto version = Column(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return version.empty() ? 0 : std::atoi(version.front().c_str());
}

// Copies the whole of `src` into `dest` in one step, that is within one read transaction of
// `src`: step(-1) never sees a later commit, whereas page-by-page steps restart whenever another
// connection writes, and might never finish under a steady write load.
// `busy_rounds` more tries are made, 100 ms apart, while a lock is held elsewhere.
void CopyDatabase(sq::sqlite3* dest, sq::sqlite3* src, int busy_rounds) {
  sq::sqlite3_backup* backup = sq::sqlite3_backup_init(dest, "main", src, "main");
  if (backup == nullptr) {
    throw SqliteFailure(sq::sqlite3_extended_errcode(dest), sq::sqlite3_errmsg(dest));
  }
  int rc = SQLITE_OK;
  for (int round = 0;; ++round) {
    rc = sq::sqlite3_backup_step(backup, -1);
    const bool busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    if (!busy || round >= busy_rounds) {
      break;
    }
    sq::sqlite3_sleep(kBusySleepMs);
  }
  sq::sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    const std::string message = sq::sqlite3_errmsg(dest);
    throw SqliteFailure(rc, std::string(sq::sqlite3_errstr(rc)) + " (" + message + ")");
  }
}

// The native connection of a pooled SQLite session. Debian's SOCI does not export the
// backends' typeinfo (no dynamic_cast): the backend name tells the concrete type.
sq::sqlite3* NativeHandle(soci::session& sql) {
  if (sql.get_backend_name() != "sqlite3") {
    throw Error(ErrorCode::kInternal, "Erreur interne", "not a SQLite session");
  }
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

void RequireSqlite(const Database& db) {
  if (db.backend() != Backend::kSqlite) {
    throw Error(ErrorCode::kInternal, "Erreur interne", "SQLite backup on another backend");
  }
}

bool SameFile(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

void SyncPath(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "open " + path.string());
  }
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    throw std::system_error(saved, std::generic_category(), "fsync " + path.string());
  }
}

// The temporary file next to the output; removed (with any journal SQLite left) unless kept.
class PartialFile {
 public:
  explicit PartialFile(const fs::path& output) {
    const fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
    std::string pattern = (dir / ("." + output.filename().string() + ".partiel-XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());  // mode 0600: a backup holds personal data
    if (fd < 0) {
      throw Error(ErrorCode::kInvalidArgument, "Impossible d’écrire dans le dossier " +
                                                   Quoted(dir) + " : " + std::strerror(errno) +
                                                   ".");
    }
    ::close(fd);
    path_ = pattern;
  }
  ~PartialFile() {
    if (!kept_) {
      std::error_code ec;
      for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
        fs::remove(path_.string() + suffix, ec);
      }
    }
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const fs::path& path() const { return path_; }
  void Keep() { kept_ = true; }

 private:
  fs::path path_;
  bool kept_ = false;
};

Error CopyFailed(const std::string& what, const std::exception& e) {
  return Error(ErrorCode::kInvalidArgument, what + " (" + e.what() + ").", e.what());
}

}  // namespace

void RequireExistingSqliteDatabase(const DatabaseUrl& url) {
  std::error_code ec;
  if (url.backend == Backend::kSqlite && !fs::is_regular_file(url.target, ec)) {
    throw Error(ErrorCode::kInvalidArgument,
                "La base " + Quoted(url.target) + " n’existe pas : rien à sauvegarder.");
  }
}

SqliteCopyReport BackupSqlite(Database& db, const fs::path& output) {
  RequireSqlite(db);
  std::error_code ec;
  if (output.empty() || fs::is_directory(output, ec)) {
    throw Error(ErrorCode::kInvalidArgument,
                "Indiquez un fichier de sauvegarde, pas un dossier : " + Quoted(output) + ".");
  }
  if (SameFile(output, db.url().target)) {
    throw Error(ErrorCode::kInvalidArgument,
                "La sauvegarde ne peut pas remplacer la base elle-même : choisissez un autre "
                "fichier que " +
                    Quoted(output) + ".");
  }
  const fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorCode::kInvalidArgument, "Le dossier " + Quoted(dir) + " n’existe pas.");
  }

  PartialFile partial(output);
  SqliteCopyReport report;
  try {
    {
      Connection copy(partial.path(), SQLITE_OPEN_READWRITE);
      db.WithSession([&](soci::session& sql) {
        CopyDatabase(copy.get(), NativeHandle(sql), kBackupBusyRounds);
      });
    }
    // The copy carries the source's WAL flag: reopened, it is switched back to a rollback
    // journal, which folds everything into the one file that is renamed below.
    Connection copy(partial.path(), SQLITE_OPEN_READWRITE);
    Exec(copy.get(), "PRAGMA journal_mode = DELETE");
    if (const std::string problem = IntegrityProblem(copy.get()); !problem.empty()) {
      throw Error(ErrorCode::kInternal,
                  "La copie de la base ne passe pas le contrôle d’intégrité : " + problem + ".",
                  problem);
    }
    report.schema_version = SchemaVersion(copy.get());
    copy.Close();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw CopyFailed("La sauvegarde a échoué", e);
  }
  if (report.schema_version == 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "La base " + Quoted(db.url().target) +
                    " n’est pas initialisée (aucune migration) : rien à sauvegarder.");
  }
  try {
    SyncPath(partial.path(), O_RDONLY);
    fs::rename(partial.path(), output);
    partial.Keep();
    SyncPath(dir, O_RDONLY | O_DIRECTORY);  // the rename itself survives a power cut
  } catch (const std::exception& e) {
    throw CopyFailed("Impossible d’écrire la sauvegarde " + Quoted(output), e);
  }
  report.bytes = fs::file_size(output, ec);
  return report;
}

SqliteCopyReport InspectSqliteBackup(const fs::path& input, int latest_version) {
  std::error_code ec;
  if (!fs::exists(input, ec)) {
    throw Error(ErrorCode::kInvalidArgument, "Le fichier " + Quoted(input) + " n’existe pas.");
  }
  if (!fs::is_regular_file(input, ec)) {
    throw Error(ErrorCode::kInvalidArgument, Quoted(input) + " n’est pas un fichier.");
  }
  const std::string not_sqlite = Quoted(input) +
                                 " n’est pas une base SQLite : ce n’est pas une sauvegarde faite "
                                 "par « allervers backup ».";
  {
    // Every SQLite database starts with this header; checked first, so that a text file or an
    // archive gets a clear word rather than "file is not a database".
    constexpr std::string_view kMagic{"SQLite format 3\0", 16};
    std::array<char, 16> head{};
    std::ifstream in(input, std::ios::binary);
    if (!in.read(head.data(), head.size()) || std::string_view(head.data(), 16) != kMagic) {
      throw Error(ErrorCode::kInvalidArgument, not_sqlite);
    }
  }
  SqliteCopyReport report;
  report.bytes = fs::file_size(input, ec);
  try {
    Connection backup(input, SQLITE_OPEN_READONLY);
    if (const std::string problem = IntegrityProblem(backup.get()); !problem.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "La sauvegarde " + Quoted(input) + " est endommagée (contrôle d’intégrité : " +
                      problem + ") : restaurez-en une autre.",
                  problem);
    }
    // A copy cut short where only free pages were lost can pass integrity_check; the header
    // still says how many pages the database has. (With a -wal file beside it, the database
    // file alone may legitimately be shorter.)
    const auto pages = Column(backup.get(), "PRAGMA page_count");
    const auto page_size = Column(backup.get(), "PRAGMA page_size");
    const auto expected = static_cast<std::uintmax_t>(std::atoll(pages.at(0).c_str())) *
                          static_cast<std::uintmax_t>(std::atoll(page_size.at(0).c_str()));
    if (!fs::exists(input.string() + "-wal", ec) && report.bytes < expected) {
      throw Error(ErrorCode::kInvalidArgument,
                  "La sauvegarde " + Quoted(input) +
                      " est endommagée (fichier tronqué : " + std::to_string(report.bytes) +
                      " octets sur " + std::to_string(expected) + ") : restaurez-en une autre.");
    }
    report.schema_version = SchemaVersion(backup.get());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidArgument,
                "La sauvegarde " + Quoted(input) + " est illisible (" + e.what() +
                    ") : restaurez-en une autre.",
                e.what());
  }
  if (report.schema_version == 0) {
    throw Error(ErrorCode::kInvalidArgument,
                Quoted(input) + " ne contient pas de base Allervers (pas de version de schéma).");
  }
  if (report.schema_version > latest_version) {
    throw Error(ErrorCode::kInvalidArgument,
                "La sauvegarde " + Quoted(input) + " est en version " +
                    std::to_string(report.schema_version) +
                    ", plus récente que ce programme (version " + std::to_string(latest_version) +
                    ") : installez la version à jour d’Allervers pour la restaurer.");
  }
  return report;
}

SqliteCopyReport RestoreSqlite(Database& db, const fs::path& input, int latest_version) {
  RequireSqlite(db);
  if (SameFile(input, db.url().target)) {
    throw Error(ErrorCode::kInvalidArgument,
                "La sauvegarde " + Quoted(input) +
                    " est la base configurée elle-même : rien à restaurer. Indiquez une copie.");
  }
  const SqliteCopyReport inspected = InspectSqliteBackup(input, latest_version);
  SqliteCopyReport report;
  try {
    Connection backup(input, SQLITE_OPEN_READONLY);
    db.WithSession([&](soci::session& sql) {
      sq::sqlite3* target = NativeHandle(sql);
      CopyDatabase(target, backup.get(), 0);
      if (const std::string problem = IntegrityProblem(target); !problem.empty()) {
        throw Error(ErrorCode::kInternal,
                    "La base restaurée ne passe pas le contrôle d’intégrité : " + problem + ".",
                    problem);
      }
      report.schema_version = SchemaVersion(target);
    });
  } catch (const Error&) {
    throw;
  } catch (const SqliteFailure& e) {
    if ((e.rc() & 0xff) == SQLITE_BUSY || (e.rc() & 0xff) == SQLITE_LOCKED) {
      throw Error(ErrorCode::kUnavailable,
                  "La base " + Quoted(db.url().target) +
                      " est en cours d’utilisation : arrêtez le service avant de restaurer.",
                  e.what());
    }
    throw CopyFailed("La restauration a échoué", e);
  } catch (const std::exception& e) {
    throw CopyFailed("La restauration a échoué", e);
  }
  report.bytes = inspected.bytes;
  return report;
}

PgClientTool FindPgClientTool(std::string_view name) {
  PgClientTool tool;
  tool.name = std::string(name);
  const char* path_env = std::getenv("PATH");
  const std::string path_list = path_env != nullptr ? path_env : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path_list.size()) {
    const std::size_t end = std::min(path_list.find(':', start), path_list.size());
    const fs::path dir = end > start ? fs::path(path_list.substr(start, end - start)) : ".";
    const fs::path candidate = dir / tool.name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      tool.path = candidate;
      break;
    }
    start = end + 1;
  }
  if (tool.path.empty()) {
    return tool;
  }
  // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
  std::string quoted = "'";
  for (const char ch : tool.path.string()) {
    quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  }
  quoted += "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      ::popen((quoted + " --version 2>/dev/null").c_str(), "r"), ::pclose);
  std::string line;
  if (pipe) {
    std::array<char, 256> buffer{};
    if (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
      line = buffer.data();
    }
  }
  static const std::regex kVersion(R"(\(PostgreSQL\) ((\d+)(\.\d+)*))");
  std::smatch match;
  if (std::regex_search(line, match, kVersion)) {
    tool.version = match[1];
    tool.major = std::atoi(match[2].str().c_str());
  }
  return tool;
}

int PostgresServerMajor(Database& db) {
  std::string number;
  db.WithSession([&](soci::session& sql) { sql << "SHOW server_version_num", soci::into(number); });
  return std::atoi(number.c_str()) / 10000;
}

std::string PostgresUrlWithoutPassword(const DatabaseUrl& url) {
  if (url.backend != Backend::kPostgres) {
    return url.Redacted();
  }
  static const std::regex kUserInfoPassword(R"(^(postgres(ql)?://[^:@/?]*):[^@/?]*@)");
  std::string out = std::regex_replace(url.target, kUserInfoPassword, "$1@");
  // A password given as a parameter: ?password=…&… or &password=…
  static const std::regex kParameter(R"(([?&])password=[^&]*(&|$))");
  out = std::regex_replace(out, kParameter, "$1");
  while (!out.empty() && (out.back() == '&' || out.back() == '?')) {
    out.pop_back();
  }
  return out;
}

}  // namespace allervers::storage
