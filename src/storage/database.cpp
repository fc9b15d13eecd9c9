#include "storage/database.hpp"

#include <poll.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <regex>

#include "common/error.hpp"
#include "storage/error_translation.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {

DatabaseUrl DatabaseUrl::Parse(std::string_view url) {
  DatabaseUrl out;
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.starts_with("//")) {
      path = path.substr(2);  // sqlite:///abs/path
    }
    if (path.empty() || path == ":memory:") {
      throw Error(ErrorCode::kInvalidArgument,
                  "URL de base de données invalide : indiquez un fichier, par exemple "
                  "sqlite:var/allervers.db");
    }
    out.backend = Backend::kSqlite;
    out.target = path;
    return out;
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    static const std::regex kPg(R"(^postgres(ql)?://([^@/]*@)?[^/?]*(/[^?]*)?(\?.*)?$)");
    if (!std::regex_match(std::string(url), kPg)) {
      throw Error(
          ErrorCode::kInvalidArgument,
          "URL PostgreSQL invalide : attendu postgresql://utilisateur:motdepasse@hôte:port/base");
    }
    out.backend = Backend::kPostgres;
    out.target = std::string(url);
    return out;
  }
  throw Error(ErrorCode::kInvalidArgument,
              "URL de base de données non reconnue : attendu sqlite:CHEMIN ou "
              "postgresql://utilisateur:motdepasse@hôte:port/base");
}

std::string DatabaseUrl::Redacted() const {
  if (backend == Backend::kSqlite) {
    return "sqlite:" + target;
  }
  static const std::regex kPassword(R"(^(postgres(ql)?://[^:@/]*):[^@/]*@)");
  // libpq also takes the password as a parameter: ?password=… or &password=….
  static const std::regex kParameter(R"(([?&]password=)[^&]*)");
  return std::regex_replace(std::regex_replace(target, kPassword, "$1:***@"), kParameter, "$1***");
}

// A pooled session held for the duration of one unit of work. Reconnects a session whose
// connection was lost (a restarted PostgreSQL server) before handing it out.
class Database::Lease {
 public:
  Lease(Database& db, std::chrono::milliseconds timeout) : db_(db) {
    if (!db_.pool_->try_lease(pos_, static_cast<int>(timeout.count()))) {
      db_.lease_timeouts_.fetch_add(1, std::memory_order_relaxed);
      throw Error(ErrorCode::kUnavailable,
                  "Le serveur est très sollicité. Réessayez dans un instant.",
                  "database pool lease timed out");
    }
    leased_ = true;
    db_.in_use_.fetch_add(1, std::memory_order_relaxed);
  }
  ~Lease() {
    if (leased_) {
      db_.in_use_.fetch_sub(1, std::memory_order_relaxed);
      db_.pool_->give_back(pos_);
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  soci::session& session() { return db_.pool_->at(pos_); }

 private:
  Database& db_;
  std::size_t pos_ = 0;
  bool leased_ = false;
};

namespace {

void ConfigureSqlite(soci::session& sql) {
  sql << "PRAGMA foreign_keys = ON";
  sql << "PRAGMA synchronous = NORMAL";
  // Reads through a memory map of the file (up to SQLite's own 2 GiB ceiling) instead of one
  // read() per page into each connection's small page cache: the indicators' scans of a
  // quarter's rows, scattered through the tables, spent half their time in those calls
  // (docs/performance.md). The pages are the kernel's file cache, shared by the connections.
  sql << "PRAGMA mmap_size = 2147418112";
}

// SOCI mangles libpq connection URIs, so the URI is parsed by libpq itself and handed to
// SOCI as a keyword/value string, each value quoted as libpq expects.
std::string PostgresConnectString(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options == nullptr) {
    std::string detail = error ? error : "invalid connection URI";
    PQfreemem(error);
    throw Error(ErrorCode::kInvalidArgument, "URL PostgreSQL invalide : " + detail);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || o->val[0] == '\0') {
      continue;
    }
    std::string value;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') {
        value.push_back('\\');
      }
      value.push_back(*c);
    }
    out += std::string(o->keyword) + "='" + value + "' ";
  }
  PQconninfoFree(options);
  return out;
}

void OpenSession(soci::session& sql, const DatabaseUrl& url, const DatabaseOptions& options) {
  if (url.backend == Backend::kSqlite) {
    sql.open(*soci::factory_sqlite3(), "db=" + url.target + " timeout=" +
                                           std::to_string(options.sqlite_busy_timeout_seconds));
    ConfigureSqlite(sql);
  } else {
    sql.open(*soci::factory_postgresql(), PostgresConnectString(url.target));
    sql << "SET TIME ZONE 'UTC'";
  }
}

// Debian's SOCI does not export the backends' typeinfo, so dynamic_cast cannot be used:
// the backend name tells which concrete type the session holds.
soci::sqlite3_session_backend* SqliteBackend(soci::session& sql) {
  return sql.get_backend_name() == "sqlite3"
             ? static_cast<soci::sqlite3_session_backend*>(sql.get_backend())
             : nullptr;
}

soci::postgresql_session_backend* PostgresBackend(soci::session& sql) {
  soci::details::session_backend* backend = sql.get_backend();
  return backend != nullptr && backend->get_backend_name() == "postgresql"
             ? static_cast<soci::postgresql_session_backend*>(backend)
             : nullptr;
}

bool IsPostgresConnectionLost(soci::session& sql) {
  auto* backend = PostgresBackend(sql);
  if (backend == nullptr) {
    return true;  // a reconnection failed and left the session without a connection
  }
  PGconn* conn = backend->conn_;
  // A connection the server closed (a restart, a crash, a terminated backend) still says OK
  // until it is used. An idle connection has nothing to read: anything readable is the
  // server's farewell or the end of the stream, which PQconsumeInput turns into a bad status.
  // One poll() without waiting, no round trip.
  for (int i = 0; i < 2 && PQstatus(conn) == CONNECTION_OK; ++i) {
    pollfd p{PQsocket(conn), POLLIN, 0};
    if (poll(&p, 1, 0) <= 0 || PQconsumeInput(conn) == 0) {
      break;
    }
  }
  return PQstatus(conn) != CONNECTION_OK;
}

}  // namespace

Database::Database(const DatabaseUrl& url, DatabaseOptions options)
    : url_(url),
      options_(options),
      pool_(std::make_unique<soci::connection_pool>(
          static_cast<std::size_t>(std::max(1, options.pool_size)))) {
  if (url_.backend == Backend::kSqlite) {
    const std::filesystem::path parent = std::filesystem::path(url_.target).parent_path();
    std::error_code ec;
    if (!parent.empty()) {
      std::filesystem::create_directories(parent, ec);
    }
  }
  try {
    for (std::size_t i = 0; i < static_cast<std::size_t>(std::max(1, options_.pool_size)); ++i) {
      OpenSession(pool_->at(i), url_, options_);
    }
    if (url_.backend == Backend::kSqlite) {
      // WAL lets readers proceed while one writer commits; it is a property of the file.
      std::string mode;
      pool_->at(0) << "PRAGMA journal_mode = WAL", soci::into(mode);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kUnavailable,
                "Impossible d’ouvrir la base de données " + url_.Redacted(), e.what());
  }
}

Database::~Database() = default;

void Database::WithSession(const std::function<void(soci::session&)>& fn) {
  try {
    Lease lease(*this, options_.lease_timeout);
    soci::session& sql = lease.session();
    if (url_.backend == Backend::kPostgres && IsPostgresConnectionLost(sql)) {
      try {
        sql.reconnect();
        sql << "SET TIME ZONE 'UTC'";
      } catch (const std::exception& e) {
        // The server is down or restarting: 503, and the next request tries again.
        throw Error(ErrorCode::kUnavailable, "La base de données est momentanément indisponible.",
                    e.what());
      }
    }
    fn(sql);
  } catch (...) {
    RethrowAsAppError(std::current_exception());
  }
}

namespace {

// Runs `body` between BEGIN and COMMIT, rolled back when it throws. SQLite takes the write lock
// at BEGIN so that two writers never deadlock on upgrade.
template <class Body>
void InTransaction(soci::session& sql, Backend backend, Body body) {
  sql << (backend == Backend::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  try {
    body();
    sql << "COMMIT";
  } catch (...) {
    try {
      sql << "ROLLBACK";
    } catch (const std::exception& rollback_error) {
      spdlog::warn("event=db.rollback_failed detail=\"{}\"", rollback_error.what());
    }
    throw;
  }
}

}  // namespace

void Database::Transaction(const std::function<void(service::Tx&)>& fn, bool write) {
  WithSession([&](soci::session& sql) {
    if (write) {
      InTransaction(sql, url_.backend, [&] {
        SqlTx tx(sql, url_.backend);
        fn(tx);
        tx.FlushAudit();
      });
      return;
    }
    SqlTx tx(sql, url_.backend);
    fn(tx);
    if (tx.HasPendingAudit()) {
      // A read that is audited (a case file opened) stores its rows in a short write of its
      // own; when they cannot be stored the read fails and shows nothing.
      InTransaction(sql, url_.backend, [&] { tx.FlushAudit(); });
    }
  });
}

void Database::Write(const std::function<void(service::Tx&)>& fn) { Transaction(fn, true); }

void Database::Read(const std::function<void(service::Tx&)>& fn) { Transaction(fn, false); }

void Database::ExecuteScript(soci::session& sql, const std::string& script) {
  if (auto* lite = SqliteBackend(sql)) {
    char* message = nullptr;
    const int rc =
        sqlite_api::sqlite3_exec(lite->conn_, script.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string detail = message ? message : "unknown error";
      sqlite_api::sqlite3_free(message);
      throw soci::sqlite3_soci_error(detail, rc);
    }
    return;
  }
  if (auto* pg = PostgresBackend(sql)) {
    PGresult* res = PQexec(pg->conn_, script.c_str());
    const ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string detail = PQresultErrorMessage(res);
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      std::string sqlstate = state ? state : "XX000";
      PQclear(res);
      throw soci::postgresql_soci_error(detail, sqlstate.c_str());
    }
    PQclear(res);
    return;
  }
  throw Error(ErrorCode::kInternal, "Erreur interne", "unknown database backend");
}

bool Database::Ping() {
  try {
    int one = 0;
    WithSession([&](soci::session& sql) { sql << "SELECT 1", soci::into(one); });
    return one == 1;
  } catch (const Error& e) {
    spdlog::warn("event=db.ping_failed detail=\"{}\"", e.what());
    return false;
  }
}

}  // namespace allervers::storage
