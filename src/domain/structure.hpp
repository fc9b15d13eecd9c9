#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/role.hpp"

namespace allervers::domain {

using StructureId = std::int64_t;

/// An organisation: the operator, an SSD territory or a partner (CCAS, CAF, bailleur…).
struct Structure {
  StructureId id = 0;
  std::string code;  // short stable code, upper case: "SSD-CERGY"
  std::string name;
  StructureKind kind = StructureKind::kPartenaire;
  std::string territory;  // may be empty
  bool active = true;
  Instant created_at{};
};

/// What a user types to create or edit a structure, before validation.
struct StructureInput {
  std::string code;
  std::string name;
  std::string kind;
  std::string territory;
};

/// Trims and normalises `in` in place (code upper-cased) and returns every problem found.
FieldErrors ValidateStructure(StructureInput& in);

}  // namespace allervers::domain
