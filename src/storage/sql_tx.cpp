#include "storage/sql_tx.hpp"

#include <soci/soci.h>

namespace allervers::storage {

SqlTx::SqlTx(soci::session& sql, Backend backend) : sql_(sql), backend_(backend) {}
SqlTx::~SqlTx() = default;

service::StructureRepository& SqlTx::structures() {
  if (!structures_) {
    structures_ = MakeStructureRepository(sql_);
  }
  return *structures_;
}

service::UserRepository& SqlTx::users() {
  if (!users_) {
    users_ = MakeUserRepository(sql_);
  }
  return *users_;
}

service::SessionRepository& SqlTx::sessions() {
  if (!sessions_) {
    sessions_ = MakeSessionRepository(sql_);
  }
  return *sessions_;
}

service::ThrottleRepository& SqlTx::throttle() {
  if (!throttle_) {
    throttle_ = MakeThrottleRepository(sql_);
  }
  return *throttle_;
}

service::AuditRepository& SqlTx::audit() {
  if (!audit_) {
    audit_ = MakeAuditRepository(sql_);
  }
  return *audit_;
}

}  // namespace allervers::storage
