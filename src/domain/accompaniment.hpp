#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "domain/assessment.hpp"
#include "domain/field_error.hpp"
#include "domain/reference.hpp"
#include "domain/user.hpp"

namespace allervers::domain {

// ---- Bilans --------------------------------------------------------------------------------

/// The initial bilan (T0, at the start of the accompaniment) and the final one (T1, before
/// closure); the same grid, so that progress can be measured.
enum class AssessmentKind { kInitial, kFinal };

std::string_view AssessmentKindCode(AssessmentKind k);   // "initial"
std::string_view AssessmentKindLabel(AssessmentKind k);  // "Bilan initial"
std::optional<AssessmentKind> ParseAssessmentKind(std::string_view s);

struct Assessment {
  AssessmentId id = 0;
  std::int64_t referral_id = 0;
  AssessmentKind kind = AssessmentKind::kInitial;
  std::string grid_version;
  bool completed = false;
  LocalDate conducted_on;
  Answers answers;
  // Stored with the bilan when it is saved, so that reports need not re-read the grid.
  std::optional<double> score_access;
  std::optional<double> score_accounts;
  std::optional<double> score_skills;
  std::optional<AutonomyLevel> level;
  // Optional objective checks: score and date only.
  std::optional<int> abc_diag_score;
  std::optional<LocalDate> abc_diag_on;
  std::optional<int> pix_score;
  std::optional<LocalDate> pix_on;
  std::optional<UserId> created_by;
  std::string created_by_name;
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> completed_at;
};

/// What a worker typed for the external scores (ABC Diag out of 100, Pix out of 1 024).
struct ExternalScoresInput {
  std::string abc_diag_score;
  std::string abc_diag_on;
  std::string pix_score;
  std::string pix_on;
};

/// Validates the external scores; empty fields clear them. Dates not in the future.
FieldErrors ValidateExternalScores(const ExternalScoresInput& in, const LocalDate& today,
                                   Assessment& out);

// ---- Interventions ---------------------------------------------------------------------------

using InterventionId = std::int64_t;

/// Quick picks of duration (minutes), after La Coop de la médiation numérique.
const std::vector<int>& DurationQuickPicks();

inline constexpr int kMaxInterventionMinutes = 720;

/// A duration as French speakers write it: "45 min", "1 h", "1 h 30".
std::string FormatMinutes(int minutes);
inline constexpr std::size_t kMaxSummaryLength = 2000;

struct Intervention {
  InterventionId id = 0;
  std::int64_t referral_id = 0;
  LocalDate occurred_on;
  int duration_minutes = 0;
  std::string place;     // vocabulary intervention_places
  std::string modality;  // vocabulary intervention_modalities
  std::string autonomy;  // vocabulary autonomy (La Coop), empty when not observed
  std::vector<std::string> digital_themes;
  std::vector<std::string> administrative_themes;
  std::vector<std::string> equipment;
  std::vector<UserId> workers;
  std::vector<std::string> worker_names;  // filled when read, same order as workers
  std::string summary;
  std::optional<std::int64_t> appointment_id;
  std::optional<UserId> created_by;
  Instant created_at{};
};

/// What a worker typed at the end of a visit, before validation.
struct InterventionInput {
  std::string date;
  std::string duration;         // one of the quick picks, or "autre"
  std::string custom_duration;  // minutes when duration is "autre"
  std::string place;
  std::string modality;
  std::string autonomy;
  std::vector<std::string> digital_themes;
  std::vector<std::string> administrative_themes;
  std::vector<std::string> equipment;
  std::vector<std::string> workers;  // user ids as sent by the form
  std::string summary;
  std::string appointment;  // id of the visit it records, may be empty
};

/// Checks the input against the vocabularies: a date not in the future nor older than a
/// year, a duration of 1 to 720 minutes, a place, a modality, at least one theme, known
/// codes only, at least one intervenant, a summary of at most 2 000 characters.
/// Workers are checked against the team by the service.
FieldErrors ValidateIntervention(const InterventionInput& in, const Vocabularies& v,
                                 const LocalDate& today, Intervention& out);

// ---- Notes -----------------------------------------------------------------------------------

using NoteId = std::int64_t;

inline constexpr std::size_t kMaxNoteLength = 5000;

struct Note {
  NoteId id = 0;
  std::int64_t referral_id = 0;
  UserId author = 0;
  std::string author_name;
  bool is_private = false;
  std::string body;
  Instant created_at{};
  Instant updated_at{};
};

struct NoteInput {
  std::string body;
  bool is_private = false;
};

FieldErrors ValidateNote(const NoteInput& in, Note& out);

}  // namespace allervers::domain
