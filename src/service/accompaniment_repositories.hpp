#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/accompaniment.hpp"
#include "domain/referral.hpp"

namespace allervers::service {

class AssessmentRepository {
 public:
  virtual ~AssessmentRepository() = default;
  /// Inserts the bilan (kind, grid version, date, author); answers and scores come later.
  virtual domain::AssessmentId Insert(const domain::Assessment& a, Instant now) = 0;
  /// With its answers and its author's name.
  virtual std::optional<domain::Assessment> Find(domain::AssessmentId id) = 0;
  /// The bilans of a referral, initial first, with their answers.
  virtual std::vector<domain::Assessment> ForReferral(domain::ReferralId referral) = 0;
  /// Replaces the answers and the stored scores, level, dates and completion.
  virtual void Save(const domain::Assessment& a, Instant now) = 0;
};

class InterventionRepository {
 public:
  virtual ~InterventionRepository() = default;
  virtual domain::InterventionId Insert(const domain::Intervention& i, Instant now) = 0;
  /// Most recent first, with codes, workers and their names.
  virtual std::vector<domain::Intervention> ForReferral(domain::ReferralId referral) = 0;
};

class ProcedureRepository {
 public:
  virtual ~ProcedureRepository() = default;
  /// Inserts the procedure with its documents; the first event is added by the caller.
  virtual domain::CaseProcedureId Insert(const domain::CaseProcedure& p,
                                         std::optional<domain::UserId> created_by, Instant now) = 0;
  /// With its documents and events (and the names of their authors).
  virtual std::optional<domain::CaseProcedure> Find(domain::CaseProcedureId id) = 0;
  /// Oldest first, with documents and events.
  virtual std::vector<domain::CaseProcedure> ForReferral(domain::ReferralId referral) = 0;
  /// Status, modality, dates, outcome, amount, note and the documents gathered.
  virtual void Update(const domain::CaseProcedure& p, Instant now) = 0;
  virtual void AddEvent(domain::CaseProcedureId id, std::optional<domain::UserId> user,
                        const std::string& from, const std::string& to, Instant at) = 0;
};

class MandateRepository {
 public:
  virtual ~MandateRepository() = default;
  virtual domain::MandateId Insert(const domain::Mandate& m,
                                   std::optional<domain::UserId> created_by, Instant now) = 0;
  virtual std::optional<domain::Mandate> Find(domain::MandateId id) = 0;
  /// Most recent first.
  virtual std::vector<domain::Mandate> ForReferral(domain::ReferralId referral) = 0;
  virtual void Revoke(domain::MandateId id, const LocalDate& on) = 0;
};

class FeedbackRepository {
 public:
  virtual ~FeedbackRepository() = default;
  /// Stores the retour with its lines in order.
  virtual domain::FeedbackId Insert(const domain::Feedback& f, std::optional<domain::UserId> author,
                                    Instant now) = 0;
  /// Most recent first, with their lines and their authors' names.
  virtual std::vector<domain::Feedback> ForReferral(domain::ReferralId referral) = 0;
};

class ReviewRepository {
 public:
  virtual ~ReviewRepository() = default;
  virtual domain::ReviewId Insert(const domain::CaseReview& r,
                                  std::optional<domain::UserId> created_by, Instant now) = 0;
  virtual std::optional<domain::CaseReview> Find(domain::ReviewId id) = 0;
  /// By date, soonest first.
  virtual std::vector<domain::CaseReview> ForReferral(domain::ReferralId referral) = 0;
  virtual void Update(const domain::CaseReview& r, Instant now) = 0;
};

/// Delegated cases and the quarterly reports on them.
class DelegationRepository {
 public:
  virtual ~DelegationRepository() = default;
  virtual domain::FollowMode Mode(domain::ReferralId referral) = 0;
  virtual void SetMode(domain::ReferralId referral, domain::FollowMode mode,
                       std::optional<domain::UserId> by, Instant now) = 0;
  /// Error kConflict (unique) when the quarter's report was already sent.
  virtual domain::QuarterlyReportId InsertReport(const domain::QuarterlyReport& r,
                                                 std::optional<domain::UserId> author,
                                                 Instant now) = 0;
  virtual std::optional<domain::QuarterlyReport> FindReport(domain::QuarterlyReportId id) = 0;
  /// Most recent quarter first.
  virtual std::vector<domain::QuarterlyReport> ReportsFor(domain::ReferralId referral) = 0;
  /// The reports on the referrals of one referring structure, most recent first.
  virtual std::vector<domain::QuarterlyReport> ReportsOfReferrer(domain::StructureId structure,
                                                                 int limit) = 0;
};

class NoteRepository {
 public:
  virtual ~NoteRepository() = default;
  virtual domain::NoteId Insert(const domain::Note& n, Instant now) = 0;
  /// The shared notes of a referral and the private notes of `reader`, oldest first.
  /// Private notes of others are never read out of the database.
  virtual std::vector<domain::Note> ForReferral(domain::ReferralId referral,
                                                domain::UserId reader) = 0;
};

/// What is due on a team's open cases, gathered by one query across the case tables (the home
/// page and « Échéances » list it without opening each case).
struct DueQuery {
  domain::StructureId operator_id = 0;
  std::optional<domain::UserId> worker;  // the case's intervenant, or one of the appointment's
  Instant now{};
  LocalDate today;
  Instant contact_before{};      // taken on by then and never contacted: to contact
  LocalDate due_until;           // procedure deadlines and orientation follow-ups
  LocalDate renewal_until;       // renewals of rights opened
  LocalDate mandate_ends_until;  // mandates whose end date (exclusive) comes by this day
};

struct DueRow {
  std::string kind;  // appointment_result, first_contact, initial_assessment, procedure_due,
                     // renewal, mandate_end, orientation_follow_up
  domain::ReferralId referral_id = 0;
  domain::PersonId person_id = 0;
  std::string person_last_name;
  std::string person_first_names;
  std::string worker_name;      // the case's intervenant; empty when not assigned
  std::int64_t subject_id = 0;  // the appointment, procedure, mandate or orientation
  std::string subject;          // procedure code, partner name
  std::optional<LocalDate> due;
  std::optional<Instant> at;  // appointment start, acceptance, first visit
};

class DueRepository {
 public:
  virtual ~DueRepository() = default;
  virtual std::vector<DueRow> Due(const DueQuery& q) = 0;
};

}  // namespace allervers::service
