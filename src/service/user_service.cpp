#include "service/user_service.hpp"

#include "common/error.hpp"
#include "service/permissions.hpp"

namespace allervers::service {

domain::User UserService::Load(const Actor& actor, Tx& tx, domain::UserId id) {
  auto user = tx.users().FindById(id);
  if (!user) {
    throw Error(ErrorCode::kNotFound, "Ce compte n’existe pas.");
  }
  Require(AccessUser(actor, *user));
  return *user;
}

std::vector<domain::User> UserService::List(const Actor& actor) {
  Require(actor, Permission::kManageUsers);
  std::vector<domain::User> all;
  UserFilter filter;
  if (actor.is_user() && actor.role == domain::Role::kCoordinateur) {
    if (!actor.structure_id) {
      return {};
    }
    filter.structure_id = actor.structure_id;
  }
  store_.Read([&](Tx& tx) { all = tx.users().List(filter); });
  std::vector<domain::User> visible;
  for (auto& u : all) {
    if (AccessUser(actor, u) == Access::kAllow) {
      visible.push_back(std::move(u));
    }
  }
  return visible;
}

domain::User UserService::Get(const Actor& actor, domain::UserId id) {
  Require(actor, Permission::kManageUsers);
  domain::User user;
  store_.Read([&](Tx& tx) { user = Load(actor, tx, id); });
  return user;
}

std::vector<domain::Structure> UserService::AssignableStructures(const Actor& actor) {
  Require(actor, Permission::kManageUsers);
  std::vector<domain::Structure> all;
  store_.Read([&](Tx& tx) { all = tx.structures().List(); });
  std::vector<domain::Structure> out;
  for (auto& s : all) {
    if (s.active && (MayAssignRole(actor, domain::Role::kIntervenant, s) ||
                     MayAssignRole(actor, domain::Role::kPrescripteur, s))) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

domain::FieldErrors UserService::CheckAssignment(const Actor& actor, Tx& tx,
                                                 const domain::UserInput& in,
                                                 std::optional<domain::Structure>& structure) {
  domain::FieldErrors errors;
  const auto role = domain::ParseRole(in.role);
  if (!in.structure_code.empty()) {
    structure = tx.structures().FindByCode(in.structure_code);
    if (!structure || !structure->active) {
      errors.push_back({"structure", "Cette structure n’existe pas ou est désactivée."});
      return errors;
    }
  }
  if (!role) {
    return errors;
  }
  if (!domain::RoleFitsStructure(*role,
                                 structure ? std::optional(structure->kind) : std::nullopt)) {
    errors.push_back({"structure",
                      "Ce rôle ne correspond pas à cette structure : l’équipe mobile appartient à "
                      "l’opérateur, un prescripteur à un SSD ou à un partenaire."});
    return errors;
  }
  if (!MayAssignRole(actor, *role, structure)) {
    errors.push_back({"role", "Vous ne pouvez pas attribuer ce rôle dans cette structure."});
  }
  return errors;
}

UserSaveResult UserService::Create(const Actor& actor, domain::UserInput in,
                                   const std::optional<std::string>& password) {
  Require(actor, Permission::kManageUsers);
  UserSaveResult result;
  result.errors = domain::ValidateUserFields(in);
  std::string chosen;
  if (password) {
    chosen = *password;
    if (auto refusal = policy_.Check(chosen, {in.email, in.display_name})) {
      result.errors.push_back({"password", *refusal});
    }
  } else {
    chosen = tokens_.NewTemporaryPassword();
  }
  std::optional<domain::Structure> structure;
  store_.Read([&](Tx& tx) {
    auto more = CheckAssignment(actor, tx, in, structure);
    result.errors.insert(result.errors.end(), more.begin(), more.end());
    if (!in.email.empty() && tx.users().FindByEmail(in.email)) {
      result.errors.push_back({"email", "Un compte existe déjà avec cette adresse e-mail."});
    }
  });
  if (!result.errors.empty()) {
    return result;
  }
  NewUserRecord rec;
  rec.email = in.email;
  rec.display_name = in.display_name;
  rec.role = *domain::ParseRole(in.role);
  rec.structure_id = structure ? std::optional(structure->id) : std::nullopt;
  rec.fte = in.fte.empty() ? std::nullopt : domain::ParseFte(in.fte);
  rec.password_hash = hasher_.Hash(chosen);
  rec.must_change_password = !password.has_value();
  rec.created_at = clock_.Now();
  store_.Write([&](Tx& tx) {
    result.id = tx.users().Insert(rec);
    tx.audit().Append(MakeAuditEvent(actor, rec.created_at, "user.create", "user",
                                     std::to_string(result.id), "success",
                                     "role=" + std::string(domain::RoleCode(rec.role))));
  });
  if (!password) {
    result.temporary_password = chosen;
  }
  return result;
}

UserSaveResult UserService::Update(const Actor& actor, domain::UserId id, domain::UserInput in) {
  Require(actor, Permission::kManageUsers);
  UserSaveResult result;
  result.id = id;
  result.errors = domain::ValidateUserFields(in);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const domain::User existing = Load(actor, tx, id);
    std::optional<domain::Structure> structure;
    auto more = CheckAssignment(actor, tx, in, structure);
    result.errors.insert(result.errors.end(), more.begin(), more.end());
    if (auto other = tx.users().FindByEmail(in.email); other && other->id != id) {
      result.errors.push_back({"email", "Un compte existe déjà avec cette adresse e-mail."});
    }
    const auto role = domain::ParseRole(in.role);
    if (actor.is_user() && actor.user_id == id && role && *role != existing.role) {
      result.errors.push_back({"role", "Vous ne pouvez pas changer votre propre rôle."});
    }
    if (!result.errors.empty()) {
      return;
    }
    UserUpdate upd;
    upd.email = in.email;
    upd.display_name = in.display_name;
    upd.role = *role;
    upd.structure_id = structure ? std::optional(structure->id) : std::nullopt;
    upd.fte = in.fte.empty() ? std::nullopt : domain::ParseFte(in.fte);
    tx.users().Update(id, upd);
    // A change of role or structure changes what the account may see: end its sessions.
    if (upd.role != existing.role || upd.structure_id != existing.structure_id) {
      tx.sessions().DeleteForUser(id);
    }
    tx.audit().Append(MakeAuditEvent(actor, now, "user.update", "user", std::to_string(id)));
  });
  return result;
}

void UserService::SetActive(const Actor& actor, domain::UserId id, bool active) {
  Require(actor, Permission::kManageUsers);
  if (!active && actor.is_user() && actor.user_id == id) {
    throw Error(ErrorCode::kInvalidArgument, "Vous ne pouvez pas désactiver votre propre compte.");
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    (void)Load(actor, tx, id);
    tx.users().SetActive(id, active);
    if (!active) {
      tx.sessions().DeleteForUser(id);
    }
    tx.audit().Append(MakeAuditEvent(actor, now, active ? "user.enable" : "user.disable", "user",
                                     std::to_string(id)));
  });
}

std::string UserService::ResetPassword(const Actor& actor, domain::UserId id) {
  Require(actor, Permission::kManageUsers);
  std::string temporary = tokens_.NewTemporaryPassword();
  const std::string hash = hasher_.Hash(temporary);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    (void)Load(actor, tx, id);
    tx.users().SetPassword(id, hash, true, now);
    tx.sessions().DeleteForUser(id);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "user.reset_password", "user", std::to_string(id)));
  });
  return temporary;
}

domain::FieldErrors UserService::SetPassword(const Actor& actor, domain::UserId id,
                                             const std::string& password) {
  Require(actor, Permission::kManageUsers);
  domain::User user;
  store_.Read([&](Tx& tx) { user = Load(actor, tx, id); });
  domain::FieldErrors errors;
  if (auto refusal = policy_.Check(password, {user.email, user.display_name})) {
    errors.push_back({"password", *refusal});
    return errors;
  }
  const std::string hash = hasher_.Hash(password);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.users().SetPassword(id, hash, false, now);
    tx.sessions().DeleteForUser(id);
    tx.audit().Append(MakeAuditEvent(actor, now, "user.set_password", "user", std::to_string(id)));
  });
  return errors;
}

}  // namespace allervers::service
