#include "service/structure_service.hpp"

#include "common/error.hpp"
#include "service/permissions.hpp"

namespace allervers::service {

std::vector<domain::Structure> StructureService::List(const Actor& actor) {
  Require(actor, Permission::kManageStructures);
  std::vector<domain::Structure> out;
  store_.Read([&](Tx& tx) { out = tx.structures().List(); });
  return out;
}

domain::Structure StructureService::Get(const Actor& actor, domain::StructureId id) {
  Require(actor, Permission::kManageStructures);
  std::optional<domain::Structure> s;
  store_.Read([&](Tx& tx) { s = tx.structures().FindById(id); });
  if (!s) {
    throw Error(ErrorCode::kNotFound, "Cette structure n’existe pas.");
  }
  return *s;
}

StructureSaveResult StructureService::Create(const Actor& actor, domain::StructureInput in) {
  Require(actor, Permission::kManageStructures);
  StructureSaveResult result;
  result.errors = domain::ValidateStructure(in);
  if (!result.errors.empty()) {
    return result;
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    if (tx.structures().FindByCode(in.code)) {
      result.errors.push_back({"code", "Une structure porte déjà ce code."});
      return;
    }
    result.id = tx.structures().Insert(in, now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "structure.create", "structure", std::to_string(result.id)));
  });
  return result;
}

StructureSaveResult StructureService::Update(const Actor& actor, domain::StructureId id,
                                             domain::StructureInput in) {
  Require(actor, Permission::kManageStructures);
  StructureSaveResult result;
  result.id = id;
  result.errors = domain::ValidateStructure(in);
  if (!result.errors.empty()) {
    return result;
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    if (!tx.structures().FindById(id)) {
      throw Error(ErrorCode::kNotFound, "Cette structure n’existe pas.");
    }
    if (auto other = tx.structures().FindByCode(in.code); other && other->id != id) {
      result.errors.push_back({"code", "Une structure porte déjà ce code."});
      return;
    }
    tx.structures().Update(id, in);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "structure.update", "structure", std::to_string(id)));
  });
  return result;
}

void StructureService::SetActive(const Actor& actor, domain::StructureId id, bool active) {
  Require(actor, Permission::kManageStructures);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    if (!tx.structures().FindById(id)) {
      throw Error(ErrorCode::kNotFound, "Cette structure n’existe pas.");
    }
    tx.structures().SetActive(id, active);
    tx.audit().Append(MakeAuditEvent(actor, now, active ? "structure.enable" : "structure.disable",
                                     "structure", std::to_string(id)));
  });
}

}  // namespace allervers::service
