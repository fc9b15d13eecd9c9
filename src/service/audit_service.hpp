#pragma once

#include <vector>

#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// Reading the audit trail (writing happens inside each service's own transactions).
class AuditService {
 public:
  explicit AuditService(Store& store) : store_(store) {}

  std::vector<AuditEvent> List(const Actor& actor, const AuditFilter& filter);
  /// Walks the hash chain (`allervers audit verify`; the system or an administrator).
  AuditChainReport Verify(const Actor& actor);

 private:
  Store& store_;
};

}  // namespace allervers::service
