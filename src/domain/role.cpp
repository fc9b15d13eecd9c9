#include "domain/role.hpp"

#include <array>
#include <utility>

namespace allervers::domain {
namespace {

struct RoleInfo {
  Role role;
  std::string_view code;
  std::string_view label;
};

constexpr std::array<RoleInfo, 5> kRoles = {{
    {Role::kIntervenant, "intervenant", "Intervenant·e"},
    {Role::kCoordinateur, "coordinateur", "Coordinateur·rice"},
    {Role::kPrescripteur, "prescripteur", "Prescripteur·rice"},
    {Role::kPilote, "pilote", "Pilote (Département)"},
    {Role::kAdmin, "admin", "Administrateur·rice"},
}};

struct KindInfo {
  StructureKind kind;
  std::string_view code;
  std::string_view label;
};

constexpr std::array<KindInfo, 3> kKinds = {{
    {StructureKind::kOperateur, "operateur", "Opérateur (équipe mobile)"},
    {StructureKind::kSsd, "ssd", "Service social départemental"},
    {StructureKind::kPartenaire, "partenaire", "Partenaire"},
}};

}  // namespace

std::string_view RoleCode(Role r) {
  for (const auto& info : kRoles) {
    if (info.role == r) {
      return info.code;
    }
  }
  return "";
}

std::string_view RoleLabel(Role r) {
  for (const auto& info : kRoles) {
    if (info.role == r) {
      return info.label;
    }
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view code) {
  for (const auto& info : kRoles) {
    if (info.code == code) {
      return info.role;
    }
  }
  return std::nullopt;
}

std::string_view StructureKindCode(StructureKind k) {
  for (const auto& info : kKinds) {
    if (info.kind == k) {
      return info.code;
    }
  }
  return "";
}

std::string_view StructureKindLabel(StructureKind k) {
  for (const auto& info : kKinds) {
    if (info.kind == k) {
      return info.label;
    }
  }
  return "";
}

std::optional<StructureKind> ParseStructureKind(std::string_view code) {
  for (const auto& info : kKinds) {
    if (info.code == code) {
      return info.kind;
    }
  }
  return std::nullopt;
}

bool RoleFitsStructure(Role role, std::optional<StructureKind> kind) {
  switch (role) {
    case Role::kIntervenant:
    case Role::kCoordinateur:
      return kind == StructureKind::kOperateur;
    case Role::kPrescripteur:
      return kind == StructureKind::kSsd || kind == StructureKind::kPartenaire;
    case Role::kPilote:
      // A territory manager belongs to an SSD territory; a Département-wide pilot to none.
      return !kind || kind == StructureKind::kSsd;
    case Role::kAdmin:
      return true;
  }
  return false;
}

bool RoleSeesPersons(Role role) {
  switch (role) {
    case Role::kIntervenant:
    case Role::kCoordinateur:
    case Role::kPrescripteur:
    case Role::kAdmin:  // accounts, the audit trail and the retention reports
      return true;
    case Role::kPilote:
      return false;
  }
  return true;
}

}  // namespace allervers::domain
