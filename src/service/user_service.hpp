#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

struct UserSaveResult {
  domain::FieldErrors errors;
  domain::UserId id = 0;
  /// Set when the service generated a temporary password: shown once, never stored in clear.
  std::string temporary_password;
};

/// Staff accounts. Administrators manage every account; coordinators manage their team.
class UserService {
 public:
  UserService(Store& store, const Clock& clock, const PasswordHasher& hasher,
              const PasswordPolicy& policy, const TokenService& tokens)
      : store_(store), clock_(clock), hasher_(hasher), policy_(policy), tokens_(tokens) {}

  /// Accounts the actor may manage.
  std::vector<domain::User> List(const Actor& actor);
  domain::User Get(const Actor& actor, domain::UserId id);

  /// Creates an account. With `password`, it must pass the policy; without, a temporary
  /// password is generated and must be changed at first sign-in.
  UserSaveResult Create(const Actor& actor, domain::UserInput in,
                        const std::optional<std::string>& password);
  UserSaveResult Update(const Actor& actor, domain::UserId id, domain::UserInput in);

  /// Disabling revokes every session of the account at once.
  void SetActive(const Actor& actor, domain::UserId id, bool active);

  /// Replaces the password by a temporary one to change at next sign-in; revokes sessions.
  std::string ResetPassword(const Actor& actor, domain::UserId id);
  /// Sets a chosen password (command line); revokes sessions.
  domain::FieldErrors SetPassword(const Actor& actor, domain::UserId id,
                                  const std::string& password);

  /// Structures the actor may pick from when creating an account.
  std::vector<domain::Structure> AssignableStructures(const Actor& actor);

 private:
  domain::FieldErrors CheckAssignment(const Actor& actor, Tx& tx, const domain::UserInput& in,
                                      std::optional<domain::Structure>& structure);
  domain::User Load(const Actor& actor, Tx& tx, domain::UserId id);

  Store& store_;
  const Clock& clock_;
  const PasswordHasher& hasher_;
  const PasswordPolicy& policy_;
  const TokenService& tokens_;
};

}  // namespace allervers::service
