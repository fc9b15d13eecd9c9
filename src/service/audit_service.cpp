#include "service/audit_service.hpp"

#include <algorithm>

#include "service/permissions.hpp"

namespace allervers::service {

std::vector<AuditEvent> AuditService::List(const Actor& actor, const AuditFilter& filter) {
  Require(actor, Permission::kViewAudit);
  AuditFilter bounded = filter;
  bounded.limit = std::clamp(filter.limit, 1, 500);
  bounded.offset = std::max(0, filter.offset);
  std::vector<AuditEvent> out;
  store_.Read([&](Tx& tx) { out = tx.audit().List(bounded); });
  return out;
}

AuditChainReport AuditService::Verify(const Actor& actor) {
  Require(actor, Permission::kViewAudit);
  AuditChainReport out;
  store_.Read([&](Tx& tx) { out = tx.audit().Verify(); });
  return out;
}

}  // namespace allervers::service
