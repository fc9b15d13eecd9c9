#pragma once

#include <memory>

#include "security/password_hasher.hpp"
#include "security/password_policy.hpp"
#include "security/tokens.hpp"
#include "service/audit_service.hpp"
#include "service/auth_service.hpp"
#include "service/structure_service.hpp"
#include "service/user_service.hpp"
#include "support/fake_clock.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {

/// The services over a test database, with a fake clock and cheap password hashing.
struct TestServices {
  explicit TestServices(service::Store& store, service::AuthSettings auth_settings = {})
      : hasher(security::HashCost::Minimum(), 2),
        structures(store, clock),
        users(store, clock, hasher, policy, tokens),
        auth(store, clock, hasher, policy, tokens, auth_settings),
        audit(store) {
    security::InitCrypto();
  }

  FakeClock clock;
  security::SodiumTokenService tokens;
  security::ZxcvbnPasswordPolicy policy;
  security::Argon2PasswordHasher hasher;
  service::StructureService structures;
  service::UserService users;
  service::AuthService auth;
  service::AuditService audit;
};

inline constexpr const char* kGoodPassword = "quatre chevaux bleus au galop";

}  // namespace allervers::testing
