#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "security/password_hasher.hpp"
#include "security/password_policy.hpp"
#include "security/secret_box.hpp"
#include "security/tokens.hpp"
#include "security/totp.hpp"
#include "service/api_token_service.hpp"
#include "service/appointment_service.hpp"
#include "service/audit_service.hpp"
#include "service/auth_service.hpp"
#include "service/case_service.hpp"
#include "service/csv_import.hpp"
#include "service/indicator_service.hpp"
#include "service/partner_directory.hpp"
#include "service/referral_service.hpp"
#include "service/retention_service.hpp"
#include "service/settings_service.hpp"
#include "service/structure_service.hpp"
#include "service/two_factor_service.hpp"
#include "service/user_service.hpp"
#include "storage/reference_loader.hpp"
#include "support/fake_clock.hpp"
#include "support/test_db.hpp"
#include "web/letters.hpp"

namespace allervers::testing {

/// The key of the tests' SecretBox (fixed: tests never depend on a key file).
inline security::SecretKey TestSecretKey() {
  security::SecretKey key{};
  key.fill(0x5a);
  return key;
}

/// The services over a test database, with a fake clock and cheap password hashing.
struct TestServices {
  explicit TestServices(service::Store& store, service::AuthSettings auth_settings = {})
      : hasher(security::HashCost::Minimum(), 2),
        structures(store, clock),
        users(store, clock, hasher, policy, tokens),
        secret_box(std::vector<security::SecretKey>{TestSecretKey()}),
        two_factor(store, clock, secret_box, otp, tokens),
        auth(store, clock, hasher, policy, tokens, two_factor, auth_settings),
        audit(store),
        reference(storage::LoadReferenceData(SourceDir() / "data")),
        referrals(store, clock, reference),
        api_tokens(store, clock, tokens),
        imports(store, clock, referrals),
        appointments(store, clock, reference, tokens),
        printer(SourceDir() / "node_modules" / "@fontsource" / "atkinson-hyperlegible" / "files"),
        cases(store, clock, reference, secret_box, &printer),
        partners(store, clock, reference),
        indicators(store, clock),
        settings(store, clock),
        retention(store, clock, reference.assessment) {
    security::InitCrypto();
  }

  FakeClock clock;
  security::SodiumTokenService tokens;
  security::ZxcvbnPasswordPolicy policy;
  security::Argon2PasswordHasher hasher;
  service::StructureService structures;
  service::UserService users;
  security::SecretBox secret_box;
  security::TotpGenerator otp;
  service::TwoFactorService two_factor;
  service::AuthService auth;
  service::AuditService audit;
  domain::ReferenceData reference;
  service::ReferralService referrals;
  service::ApiTokenService api_tokens;
  service::CsvImportService imports;
  service::AppointmentService appointments;
  web::PdfLetterPrinter printer;
  service::CaseService cases;
  service::PartnerDirectory partners;
  service::IndicatorService indicators;
  service::SettingsService settings;
  service::RetentionService retention;
};

inline constexpr const char* kGoodPassword = "quatre chevaux bleus au galop";

/// Creates an account (named after its e-mail's local part, password kGoodPassword) and returns
/// it signed in as an actor. `structure` is a structure code, empty for an administrator.
inline service::Actor CreateUser(TestServices& s, const std::string& email, const std::string& role,
                                 const std::string& structure) {
  const auto system = service::Actor::System("t");
  const auto r = s.users.Create(
      system, {email, email.substr(0, email.find('@')), role, structure, ""}, kGoodPassword);
  EXPECT_TRUE(r.errors.empty()) << email;
  return service::Actor::ForUser(s.users.Get(system, r.id), "req", "ip");
}

}  // namespace allervers::testing
