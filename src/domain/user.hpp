#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/role.hpp"
#include "domain/structure.hpp"

namespace allervers::domain {

using UserId = std::int64_t;

/// A staff account. Persons accompanied never have accounts.
struct User {
  UserId id = 0;
  std::string email;  // normalised: trimmed, lower case
  std::string display_name;
  Role role = Role::kIntervenant;
  std::optional<StructureId> structure_id;
  std::string structure_name;  // filled by listings, for display
  std::optional<StructureKind> structure_kind;
  std::optional<double> fte;  // full-time equivalent, for workers (0 < fte <= 1)
  bool active = true;
  bool must_change_password = false;
  Instant created_at{};
  std::optional<Instant> last_sign_in_at;
};

/// What an administrator types to create or edit an account.
struct UserInput {
  std::string email;
  std::string display_name;
  std::string role;
  std::string structure_code;  // empty = none
  std::string fte;             // decimal, "0,5" or "0.5"; empty = none
};

std::string NormalizeEmail(std::string_view email);
bool IsPlausibleEmail(std::string_view email);

/// Parses a French or English decimal ("0,5", "1") into an FTE in (0, 1].
std::optional<double> ParseFte(std::string_view s);

/// Trims and checks the fields that need no database: e-mail, name, role, FTE.
/// The structure's existence and its fit with the role are checked by the service.
FieldErrors ValidateUserFields(UserInput& in);

}  // namespace allervers::domain
