#pragma once

#include <optional>
#include <string_view>

namespace allervers::domain {

/// The roles of DESIGN.md §1.
enum class Role { kIntervenant, kCoordinateur, kPrescripteur, kPilote, kAdmin };

std::string_view RoleCode(Role r);
std::string_view RoleLabel(Role r);  // French, for screens
std::optional<Role> ParseRole(std::string_view code);

/// Kinds of structure: the operator running the mobile team, an SSD territory, a partner.
enum class StructureKind { kOperateur, kSsd, kPartenaire };

std::string_view StructureKindCode(StructureKind k);
std::string_view StructureKindLabel(StructureKind k);
std::optional<StructureKind> ParseStructureKind(std::string_view code);

/// Which structure kinds a role's users may belong to (an intervenant works for the operator…).
bool RoleFitsStructure(Role role, std::optional<StructureKind> kind);

/// Does the role see persons' nominative data? Everyone but the pilote, who reads aggregates
/// only. Two-factor sign-in is mandatory for these roles while security.totp_required is on.
bool RoleSeesPersons(Role role);

}  // namespace allervers::domain
