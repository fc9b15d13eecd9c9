#include "storage/error_translation.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>

#include "common/error.hpp"

namespace allervers::storage {

void RethrowAsAppError(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const Error&) {
    throw;
  } catch (const soci::postgresql_soci_error& e) {
    const std::string state = e.sqlstate();
    if (state == "23505" || state == "23503" || state == "23514") {
      throw Error(ErrorCode::kConflict, "Cet enregistrement entre en conflit avec un autre.",
                  e.what());
    }
    // No SQLSTATE: libpq lost the connection before any answer (server restarted or gone).
    if (state.empty() || state.starts_with("08") || state.starts_with("57P") || state == "53300") {
      throw Error(ErrorCode::kUnavailable, "La base de données est momentanément indisponible.",
                  e.what());
    }
    throw Error(ErrorCode::kInternal, "Erreur interne", e.what());
  } catch (const soci::sqlite3_soci_error& e) {
    const int rc = e.result() & 0xFF;
    if (rc == SQLITE_CONSTRAINT) {
      throw Error(ErrorCode::kConflict, "Cet enregistrement entre en conflit avec un autre.",
                  e.what());
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      throw Error(ErrorCode::kUnavailable, "La base de données est occupée. Réessayez.", e.what());
    }
    if (rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN || rc == SQLITE_READONLY) {
      throw Error(ErrorCode::kUnavailable,
                  "La base de données ne peut pas enregistrer pour l’instant.", e.what());
    }
    throw Error(ErrorCode::kInternal, "Erreur interne", e.what());
  } catch (const soci::soci_error& e) {
    const std::string what = e.what();
    if (e.get_error_category() == soci::soci_error::connection_error ||
        what.find("connection") != std::string::npos ||
        what.find("server closed") != std::string::npos) {
      throw Error(ErrorCode::kUnavailable, "La base de données est momentanément indisponible.",
                  what);
    }
    throw Error(ErrorCode::kInternal, "Erreur interne", what);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInternal, "Erreur interne", e.what());
  }
}

}  // namespace allervers::storage
