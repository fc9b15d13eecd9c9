#pragma once

#include <optional>
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

class NoteRepository {
 public:
  virtual ~NoteRepository() = default;
  virtual domain::NoteId Insert(const domain::Note& n, Instant now) = 0;
  /// The shared notes of a referral and the private notes of `reader`, oldest first.
  /// Private notes of others are never read out of the database.
  virtual std::vector<domain::Note> ForReferral(domain::ReferralId referral,
                                                domain::UserId reader) = 0;
};

}  // namespace allervers::service
