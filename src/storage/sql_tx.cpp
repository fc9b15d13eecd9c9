#include "storage/sql_tx.hpp"

#include <soci/soci.h>

namespace allervers::storage {
namespace {

// Repositories are built on first use: most units of work touch two or three of them.
template <class Repo, class Make>
Repo& Lazy(std::unique_ptr<Repo>& slot, soci::session& sql, Make make) {
  if (!slot) {
    slot = make(sql);
  }
  return *slot;
}

}  // namespace

SqlTx::SqlTx(soci::session& sql, Backend backend) : sql_(sql), backend_(backend) {}
SqlTx::~SqlTx() = default;

service::StructureRepository& SqlTx::structures() {
  return Lazy(structures_, sql_, MakeStructureRepository);
}
service::UserRepository& SqlTx::users() { return Lazy(users_, sql_, MakeUserRepository); }
service::SessionRepository& SqlTx::sessions() {
  return Lazy(sessions_, sql_, MakeSessionRepository);
}
service::OidcLoginRepository& SqlTx::oidc_logins() {
  return Lazy(oidc_logins_, sql_, MakeOidcLoginRepository);
}
service::ThrottleRepository& SqlTx::throttle() {
  return Lazy(throttle_, sql_, MakeThrottleRepository);
}
service::TwoFactorRepository& SqlTx::two_factor() {
  return Lazy(two_factor_, sql_, MakeTwoFactorRepository);
}
service::SealedValueRepository& SqlTx::sealed_values() {
  return Lazy(sealed_values_, sql_, MakeSealedValueRepository);
}
service::JobLeaseRepository& SqlTx::job_leases() {
  return Lazy(job_leases_, sql_, MakeJobLeaseRepository);
}
service::AuditRepository& SqlTx::audit() {
  if (!audit_) {
    audit_ = MakeAuditRepository(sql_, backend_);
  }
  return *audit_;
}
bool SqlTx::HasPendingAudit() const { return audit_ && audit_->HasPending(); }
void SqlTx::FlushAudit() {
  if (audit_) {
    audit_->Flush();
  }
}
service::PersonRepository& SqlTx::persons() { return Lazy(persons_, sql_, MakePersonRepository); }
service::ReferralRepository& SqlTx::referrals() {
  return Lazy(referrals_, sql_, MakeReferralRepository);
}
service::ApiTokenRepository& SqlTx::api_tokens() {
  return Lazy(api_tokens_, sql_, MakeApiTokenRepository);
}
service::IdempotencyRepository& SqlTx::idempotency() {
  return Lazy(idempotency_, sql_, MakeIdempotencyRepository);
}
service::OutboxRepository& SqlTx::outbox() { return Lazy(outbox_, sql_, MakeOutboxRepository); }
service::ImportRepository& SqlTx::imports() { return Lazy(imports_, sql_, MakeImportRepository); }
service::SettingRepository& SqlTx::settings() {
  return Lazy(settings_, sql_, MakeSettingRepository);
}
service::ContactAttemptRepository& SqlTx::contacts() {
  return Lazy(contacts_, sql_, MakeContactAttemptRepository);
}
service::AppointmentRepository& SqlTx::appointments() {
  return Lazy(appointments_, sql_, MakeAppointmentRepository);
}
service::CalendarFeedRepository& SqlTx::calendar_feeds() {
  return Lazy(calendar_feeds_, sql_, MakeCalendarFeedRepository);
}

service::AssessmentRepository& SqlTx::assessments() {
  return Lazy(assessments_, sql_, MakeAssessmentRepository);
}
service::InterventionRepository& SqlTx::interventions() {
  return Lazy(interventions_, sql_, MakeInterventionRepository);
}
service::NoteRepository& SqlTx::notes() { return Lazy(notes_, sql_, MakeNoteRepository); }
service::ProcedureRepository& SqlTx::procedures() {
  return Lazy(procedures_, sql_, MakeProcedureRepository);
}
service::MandateRepository& SqlTx::mandates() {
  return Lazy(mandates_, sql_, MakeMandateRepository);
}
service::PartnerRepository& SqlTx::partners() {
  return Lazy(partners_, sql_, MakePartnerRepository);
}
service::OrientationRepository& SqlTx::orientations() {
  return Lazy(orientations_, sql_, MakeOrientationRepository);
}
service::FeedbackRepository& SqlTx::feedbacks() {
  return Lazy(feedbacks_, sql_, MakeFeedbackRepository);
}
service::ReviewRepository& SqlTx::reviews() { return Lazy(reviews_, sql_, MakeReviewRepository); }
service::DelegationRepository& SqlTx::delegation() {
  return Lazy(delegation_, sql_, MakeDelegationRepository);
}

service::DueRepository& SqlTx::due() { return Lazy(due_, sql_, MakeDueRepository); }

service::IndicatorRepository& SqlTx::indicators() {
  return Lazy(indicators_, sql_, MakeIndicatorRepository);
}

service::RetentionRepository& SqlTx::retention() {
  return Lazy(retention_, sql_, MakeRetentionRepository);
}

}  // namespace allervers::storage
