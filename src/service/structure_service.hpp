#pragma once

#include <vector>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/structure.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

struct StructureSaveResult {
  domain::FieldErrors errors;
  domain::StructureId id = 0;
};

/// Structures: the operator, SSD territories and partners. Managed by administrators.
class StructureService {
 public:
  StructureService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  std::vector<domain::Structure> List(const Actor& actor);
  domain::Structure Get(const Actor& actor, domain::StructureId id);
  StructureSaveResult Create(const Actor& actor, domain::StructureInput in);
  StructureSaveResult Update(const Actor& actor, domain::StructureId id, domain::StructureInput in);
  void SetActive(const Actor& actor, domain::StructureId id, bool active);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace allervers::service
