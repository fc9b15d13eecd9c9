#pragma once

#include <memory>

#include "service/repositories.hpp"
#include "storage/database.hpp"

namespace soci {
class session;
}

namespace allervers::storage {

/// The audit trail of one unit of work: rows appended are kept until Flush(), which chains
/// them by hash just before commit (storage/audit_repository.cpp), so that the head of the
/// chain stays locked for as short a time as possible.
class ChainedAuditRepository : public service::AuditRepository {
 public:
  virtual bool HasPending() const = 0;
  virtual void Flush() = 0;
};

/// The repositories of one unit of work over one leased SOCI session.
/// Repositories are built on first use: most units of work touch only two or three.
class SqlTx final : public service::Tx {
 public:
  SqlTx(soci::session& sql, Backend backend);
  ~SqlTx() override;

  service::StructureRepository& structures() override;
  service::UserRepository& users() override;
  service::SessionRepository& sessions() override;
  service::OidcLoginRepository& oidc_logins() override;
  service::ThrottleRepository& throttle() override;
  service::TwoFactorRepository& two_factor() override;
  service::SealedValueRepository& sealed_values() override;
  service::JobLeaseRepository& job_leases() override;
  service::AuditRepository& audit() override;
  service::PersonRepository& persons() override;
  service::ReferralRepository& referrals() override;
  service::ApiTokenRepository& api_tokens() override;
  service::IdempotencyRepository& idempotency() override;
  service::OutboxRepository& outbox() override;
  service::ImportRepository& imports() override;
  service::SettingRepository& settings() override;
  service::ContactAttemptRepository& contacts() override;
  service::AppointmentRepository& appointments() override;
  service::CalendarFeedRepository& calendar_feeds() override;
  service::AssessmentRepository& assessments() override;
  service::InterventionRepository& interventions() override;
  service::NoteRepository& notes() override;
  service::ProcedureRepository& procedures() override;
  service::MandateRepository& mandates() override;
  service::PartnerRepository& partners() override;
  service::OrientationRepository& orientations() override;
  service::FeedbackRepository& feedbacks() override;
  service::ReviewRepository& reviews() override;
  service::DelegationRepository& delegation() override;
  service::DueRepository& due() override;
  service::IndicatorRepository& indicators() override;
  service::RetentionRepository& retention() override;

  /// Audit rows appended during the unit of work, not yet written.
  bool HasPendingAudit() const;
  /// Writes them, chained; called by Database just before commit.
  void FlushAudit();

 private:
  soci::session& sql_;
  Backend backend_;
  std::unique_ptr<service::StructureRepository> structures_;
  std::unique_ptr<service::UserRepository> users_;
  std::unique_ptr<service::SessionRepository> sessions_;
  std::unique_ptr<service::OidcLoginRepository> oidc_logins_;
  std::unique_ptr<service::ThrottleRepository> throttle_;
  std::unique_ptr<service::TwoFactorRepository> two_factor_;
  std::unique_ptr<service::SealedValueRepository> sealed_values_;
  std::unique_ptr<service::JobLeaseRepository> job_leases_;
  std::unique_ptr<ChainedAuditRepository> audit_;
  std::unique_ptr<service::PersonRepository> persons_;
  std::unique_ptr<service::ReferralRepository> referrals_;
  std::unique_ptr<service::ApiTokenRepository> api_tokens_;
  std::unique_ptr<service::IdempotencyRepository> idempotency_;
  std::unique_ptr<service::OutboxRepository> outbox_;
  std::unique_ptr<service::ImportRepository> imports_;
  std::unique_ptr<service::SettingRepository> settings_;
  std::unique_ptr<service::ContactAttemptRepository> contacts_;
  std::unique_ptr<service::AppointmentRepository> appointments_;
  std::unique_ptr<service::CalendarFeedRepository> calendar_feeds_;
  std::unique_ptr<service::AssessmentRepository> assessments_;
  std::unique_ptr<service::InterventionRepository> interventions_;
  std::unique_ptr<service::NoteRepository> notes_;
  std::unique_ptr<service::ProcedureRepository> procedures_;
  std::unique_ptr<service::MandateRepository> mandates_;
  std::unique_ptr<service::PartnerRepository> partners_;
  std::unique_ptr<service::OrientationRepository> orientations_;
  std::unique_ptr<service::FeedbackRepository> feedbacks_;
  std::unique_ptr<service::ReviewRepository> reviews_;
  std::unique_ptr<service::DelegationRepository> delegation_;
  std::unique_ptr<service::DueRepository> due_;
  std::unique_ptr<service::IndicatorRepository> indicators_;
  std::unique_ptr<service::RetentionRepository> retention_;
};

std::unique_ptr<service::StructureRepository> MakeStructureRepository(soci::session& sql);
std::unique_ptr<service::UserRepository> MakeUserRepository(soci::session& sql);
std::unique_ptr<service::SessionRepository> MakeSessionRepository(soci::session& sql);
std::unique_ptr<service::OidcLoginRepository> MakeOidcLoginRepository(soci::session& sql);
std::unique_ptr<service::ThrottleRepository> MakeThrottleRepository(soci::session& sql);
std::unique_ptr<service::TwoFactorRepository> MakeTwoFactorRepository(soci::session& sql);
std::unique_ptr<service::SealedValueRepository> MakeSealedValueRepository(soci::session& sql);
std::unique_ptr<service::JobLeaseRepository> MakeJobLeaseRepository(soci::session& sql);
std::unique_ptr<ChainedAuditRepository> MakeAuditRepository(soci::session& sql, Backend backend);
std::unique_ptr<service::PersonRepository> MakePersonRepository(soci::session& sql);
std::unique_ptr<service::ReferralRepository> MakeReferralRepository(soci::session& sql);
std::unique_ptr<service::ApiTokenRepository> MakeApiTokenRepository(soci::session& sql);
std::unique_ptr<service::IdempotencyRepository> MakeIdempotencyRepository(soci::session& sql);
std::unique_ptr<service::OutboxRepository> MakeOutboxRepository(soci::session& sql);
std::unique_ptr<service::ImportRepository> MakeImportRepository(soci::session& sql);
std::unique_ptr<service::SettingRepository> MakeSettingRepository(soci::session& sql);
std::unique_ptr<service::ContactAttemptRepository> MakeContactAttemptRepository(soci::session& sql);
std::unique_ptr<service::AppointmentRepository> MakeAppointmentRepository(soci::session& sql);
std::unique_ptr<service::CalendarFeedRepository> MakeCalendarFeedRepository(soci::session& sql);
std::unique_ptr<service::AssessmentRepository> MakeAssessmentRepository(soci::session& sql);
std::unique_ptr<service::InterventionRepository> MakeInterventionRepository(soci::session& sql);
std::unique_ptr<service::NoteRepository> MakeNoteRepository(soci::session& sql);
std::unique_ptr<service::ProcedureRepository> MakeProcedureRepository(soci::session& sql);
std::unique_ptr<service::MandateRepository> MakeMandateRepository(soci::session& sql);
std::unique_ptr<service::PartnerRepository> MakePartnerRepository(soci::session& sql);
std::unique_ptr<service::OrientationRepository> MakeOrientationRepository(soci::session& sql);
std::unique_ptr<service::FeedbackRepository> MakeFeedbackRepository(soci::session& sql);
std::unique_ptr<service::ReviewRepository> MakeReviewRepository(soci::session& sql);
std::unique_ptr<service::DelegationRepository> MakeDelegationRepository(soci::session& sql);
std::unique_ptr<service::DueRepository> MakeDueRepository(soci::session& sql);
std::unique_ptr<service::IndicatorRepository> MakeIndicatorRepository(soci::session& sql);
std::unique_ptr<service::RetentionRepository> MakeRetentionRepository(soci::session& sql);

}  // namespace allervers::storage
