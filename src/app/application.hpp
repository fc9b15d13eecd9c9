#pragma once

#include <memory>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "config/config.hpp"
#include "render/template_engine.hpp"
#include "security/password_hasher.hpp"
#include "security/password_policy.hpp"
#include "security/tokens.hpp"
#include "security/totp.hpp"
#include "service/api_token_service.hpp"
#include "service/appointment_service.hpp"
#include "service/audit_service.hpp"
#include "service/auth_service.hpp"
#include "service/case_service.hpp"
#include "service/csv_import.hpp"
#include "service/demo.hpp"
#include "service/identity_provider.hpp"
#include "service/indicator_service.hpp"
#include "service/key_ring_service.hpp"
#include "service/outbox_dispatcher.hpp"
#include "service/partner_directory.hpp"
#include "service/referral_service.hpp"
#include "service/retention_service.hpp"
#include "service/scale_demo.hpp"
#include "service/settings_service.hpp"
#include "service/structure_service.hpp"
#include "service/two_factor_service.hpp"
#include "service/user_service.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/reference_loader.hpp"

namespace allervers::app {

/// What to do when the secret key file is missing.
enum class KeyFileMissing {
  kCarryOn,  // most commands: they never touch a sealed secret
  kCreate,   // serve, demo, migrate: create it (mode 0600) and say so in the log
};

/// The composition root: builds configuration → database → services → web, and nothing else.
class Application {
 public:
  explicit Application(config::Config config,
                       KeyFileMissing key_file_missing = KeyFileMissing::kCarryOn);
  ~Application();

  const config::Config& config() const { return config_; }
  storage::Database& database() { return *database_; }
  service::StructureService& structures() { return *structures_; }
  service::UserService& users() { return *users_; }
  service::AuthService& auth() { return *auth_; }
  service::AuditService& audit() { return *audit_; }
  service::DemoSeeder& demo() { return *demo_; }
  service::ScaleDemo& scale_demo() { return *scale_demo_; }
  service::ReferralService& referrals() { return *referrals_; }
  service::ApiTokenService& api_tokens() { return *api_tokens_; }
  service::CsvImportService& imports() { return *imports_; }
  service::AppointmentService& appointments() { return *appointments_; }
  service::CaseService& cases() { return *cases_; }
  service::PartnerDirectory& partners() { return *partners_; }
  service::IndicatorService& indicators() { return *indicators_; }
  service::RetentionService& retention() { return *retention_; }
  service::TwoFactorService& two_factor() { return *two_factor_; }
  service::KeyRingService& key_ring() { return *key_ring_; }
  /// Why the key ring is missing (no key file), empty when it is there.
  const std::string& key_problem() const { return key_problem_; }
  /// The key file read at start (empty when none is configured, on PostgreSQL).
  const std::filesystem::path& key_file() const { return key_file_; }
  const domain::ReferenceData& reference() const { return reference_; }
  /// Atkinson Hyperlegible for the PDFs (letters, reports).
  std::filesystem::path fonts_dir() const;
  const service::TokenService& tokens() const { return tokens_; }
  const Clock& clock() const { return clock_; }
  /// Delivery of the outbox (e-mail and SMS senders built from the configuration).
  service::OutboxDispatcher& outbox() { return *outbox_; }

  std::vector<storage::Migration> Migrations() const;

  /// Throws Error(kUnavailable) with a clear message unless the schema is exactly the one
  /// this binary expects ("run allervers migrate", or "database newer than this binary").
  void RequireCurrentSchema();

  /// Serves HTTP until SIGINT or SIGTERM. Returns the process exit code.
  int Serve();

 private:
  // The retention purge, when it is due today (called by the housekeeping thread of Serve).
  void RunDailyRetention();
  /// What /metrics reads at scrape time: pool, database, outbox, memory.
  std::vector<MetricFamily> MetricGauges();
  config::Config config_;
  SystemClock clock_;
  security::SodiumTokenService tokens_;
  security::ZxcvbnPasswordPolicy policy_;
  std::unique_ptr<security::Argon2PasswordHasher> hasher_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<service::StructureService> structures_;
  std::unique_ptr<service::UserService> users_;
  std::unique_ptr<service::IdentityProvider> identity_provider_;  // before auth_, which uses it
  std::unique_ptr<service::AuthService> auth_;
  std::unique_ptr<service::AuditService> audit_;
  domain::ReferenceData reference_;
  std::unique_ptr<service::ReferralService> referrals_;
  std::unique_ptr<service::ApiTokenService> api_tokens_;
  std::unique_ptr<service::CsvImportService> imports_;
  std::unique_ptr<service::AppointmentService> appointments_;
  std::unique_ptr<service::LetterPrinter> letter_printer_;  // before cases_, which uses it
  std::unique_ptr<service::CaseService> cases_;
  std::unique_ptr<service::PartnerDirectory> partners_;
  std::unique_ptr<service::IndicatorService> indicators_;
  std::unique_ptr<service::SettingsService> settings_;
  std::unique_ptr<service::RetentionService> retention_;
  std::unique_ptr<service::SecretSealer> sealer_;
  std::unique_ptr<service::KeyRingService> key_ring_;
  security::TotpGenerator otp_;
  std::unique_ptr<service::TwoFactorService> two_factor_;
  /// Why there is no key ring (empty when there is one): Serve() refuses to start then.
  std::string key_problem_;
  std::string instance_;  // host:pid:random, the owner of the job leases this process takes
  std::filesystem::path key_file_;
  std::unique_ptr<service::DemoSeeder> demo_;
  std::unique_ptr<service::ScaleGenerator> scale_generator_;
  std::unique_ptr<service::ScaleDemo> scale_demo_;
  std::unique_ptr<service::MessageSender> mailer_;  // null when smtp.url is not set
  std::unique_ptr<service::MessageSender> sms_;     // null when sms.url is not set
  std::unique_ptr<service::OutboxDispatcher> outbox_;
  Metrics metrics_;
  double started_unix_seconds_ = 0;
};

}  // namespace allervers::app
