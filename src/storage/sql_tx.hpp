#pragma once

#include <memory>

#include "service/repositories.hpp"
#include "storage/database.hpp"

namespace soci {
class session;
}

namespace allervers::storage {

/// The repositories of one unit of work over one leased SOCI session.
/// Repositories are built on first use: most units of work touch only two or three.
class SqlTx final : public service::Tx {
 public:
  SqlTx(soci::session& sql, Backend backend);
  ~SqlTx() override;

  service::StructureRepository& structures() override;
  service::UserRepository& users() override;
  service::SessionRepository& sessions() override;
  service::ThrottleRepository& throttle() override;
  service::AuditRepository& audit() override;

 private:
  soci::session& sql_;
  Backend backend_;
  std::unique_ptr<service::StructureRepository> structures_;
  std::unique_ptr<service::UserRepository> users_;
  std::unique_ptr<service::SessionRepository> sessions_;
  std::unique_ptr<service::ThrottleRepository> throttle_;
  std::unique_ptr<service::AuditRepository> audit_;
};

std::unique_ptr<service::StructureRepository> MakeStructureRepository(soci::session& sql);
std::unique_ptr<service::UserRepository> MakeUserRepository(soci::session& sql);
std::unique_ptr<service::SessionRepository> MakeSessionRepository(soci::session& sql);
std::unique_ptr<service::ThrottleRepository> MakeThrottleRepository(soci::session& sql);
std::unique_ptr<service::AuditRepository> MakeAuditRepository(soci::session& sql);

}  // namespace allervers::storage
