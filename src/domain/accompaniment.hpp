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
  std::vector<std::int64_t> procedures;  // the case's procedures worked on
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
  std::string appointment;              // id of the visit it records, may be empty
  std::vector<std::string> procedures;  // ids of the case's procedures worked on
};

/// Checks the input against the vocabularies: a date not in the future nor older than a
/// year, a duration of 1 to 720 minutes, a place, a modality, at least one theme, known
/// codes only, at least one intervenant, a summary of at most 2 000 characters.
/// Workers are checked against the team by the service.
FieldErrors ValidateIntervention(const InterventionInput& in, const Vocabularies& v,
                                 const LocalDate& today, Intervention& out);

// ---- Procedures followed to their outcome -----------------------------------------------------

using CaseProcedureId = std::int64_t;
using MandateId = std::int64_t;

/// The statuses of a procedure (domain.md §2, after La Coop's degrés de finalisation).
enum class ProcedureStatus {
  kTodo,           // à faire
  kInProgress,     // en cours
  kFiled,          // déposée: sent, waiting for the organisation's answer
  kCompleted,      // finalisée
  kToFinishAlone,  // à finaliser en autonomie
  kMustReturn,     // doit revenir
  kOriented,       // orientée vers une autre structure
  kAbandoned,      // abandonnée
};

std::string_view ProcedureStatusCode(ProcedureStatus s);
std::string_view ProcedureStatusLabel(ProcedureStatus s);
std::optional<ProcedureStatus> ParseProcedureStatus(std::string_view s);
const std::vector<ProcedureStatus>& AllProcedureStatuses();
/// Nothing more is expected of the team (finalisée, orientée, abandonnée).
bool IsProcedureClosed(ProcedureStatus s);

/// Whether the right a procedure asks for was opened.
enum class RightOutcome { kNone, kOpened, kRefused, kPending };

std::string_view RightOutcomeCode(RightOutcome o);   // "", "ouvert", "refuse", "en_attente"
std::string_view RightOutcomeLabel(RightOutcome o);  // "Droit ouvert"…
std::optional<RightOutcome> ParseRightOutcome(std::string_view s);

struct ProcedureDocument {
  std::string label;
  bool gathered = false;
};

struct ProcedureEvent {
  Instant at{};
  std::string actor_name;
  std::string from_status;
  std::string to_status;
};

struct CaseProcedure {
  CaseProcedureId id = 0;
  std::int64_t referral_id = 0;
  std::string code;  // catalogue code
  ProcedureStatus status = ProcedureStatus::kTodo;
  std::string modality;                 // vocabulary intervention_modalities, empty when not said
  bool aidants_connect = false;         // done under an Aidants Connect mandate
  std::optional<LocalDate> due_on;      // deadline
  std::optional<LocalDate> renewal_on;  // when to start the renewal
  RightOutcome outcome = RightOutcome::kNone;
  std::optional<std::int64_t> monthly_amount_cents;  // estimated, when the right is opened
  std::optional<LocalDate> outcome_on;
  std::string note;
  std::vector<ProcedureDocument> documents;
  std::vector<ProcedureEvent> events;  // oldest first
  Instant created_at{};
  Instant updated_at{};
};

/// What a worker typed on the procedure's form, before validation.
struct ProcedureInput {
  std::string status;
  std::string modality;
  bool aidants_connect = false;
  std::string due_on;
  std::string renewal_on;
  std::string outcome;
  std::string monthly_amount;  // euros: "607,75" or "607.75"
  std::string outcome_on;
  std::string note;
  std::vector<std::string> gathered;  // positions (0-based) of the documents gathered
};

inline constexpr std::size_t kMaxProcedureNote = 1000;

/// Validates the form against the procedure `p` of the catalogue and applies it to `out`
/// (whose code and documents are already set). An outcome is only for procedures that open a
/// right; an amount only for a right opened; a right opened without a renewal date takes the
/// catalogue's renewal window (SuggestRenewal).
FieldErrors ValidateProcedure(const ProcedureInput& in, const Procedure& p, const Vocabularies& v,
                              const LocalDate& today, CaseProcedure& out);

/// When to start renewing a right opened on `opened_on`: the catalogue's renewal period minus
/// its notice (the C2S: 12 months, renewal in the last 4; social housing: yearly). None when the
/// catalogue sets no renewal for the procedure.
std::optional<LocalDate> SuggestRenewal(const Procedure& p, const LocalDate& opened_on);

/// "607,75 €" from cents.
std::string FormatEuros(std::int64_t cents);

/// Text that looks like a credential ("mot de passe : …", "mdp=…"): the person's passwords
/// are never written in Allervers. Checked on every free text of the accompaniment.
bool LooksLikeCredential(std::string_view text);

// ---- Aidants Connect mandates ----------------------------------------------------------------

/// The durations Aidants Connect offers, in days: 1 day, 1 month, 6 months, 1 year.
const std::vector<int>& MandateDurations();
std::string MandateDurationLabel(int days);

struct Mandate {
  MandateId id = 0;
  std::int64_t referral_id = 0;
  int duration_days = 0;
  LocalDate starts_on;
  LocalDate ends_on;                 // starts_on + duration_days
  std::vector<std::string> domains;  // catalogue domains the mandate covers
  std::optional<LocalDate> revoked_on;
  Instant created_at{};

  bool ActiveOn(const LocalDate& d) const { return !revoked_on && starts_on <= d && d < ends_on; }
};

struct MandateInput {
  std::string starts_on;
  std::string duration_days;
  std::vector<std::string> domains;
};

/// A mandate starts today or earlier (at most a year back), lasts one of the Aidants Connect
/// durations and covers at least one domain of the catalogue.
FieldErrors ValidateMandate(const MandateInput& in, const ProcedureCatalogue& catalogue,
                            const LocalDate& today, Mandate& out);

/// How many days before its end a mandate is shown as about to expire.
inline constexpr int kMandateReminderDays = 14;

// ---- Closure ---------------------------------------------------------------------------------

struct ClosureInput {
  std::string reason;                // vocabulary closure_reasons
  std::string note;                  // for the team and the referrer, facts only
  bool without_final_bilan = false;  // the worker confirms closing with no final bilan
};

inline constexpr std::size_t kMaxClosureNote = 1000;

/// A reason of the list, a note of at most 1 000 characters (required for « autre »).
FieldErrors ValidateClosure(const ClosureInput& in, const Vocabularies& v, std::string& note);

/// Whether the reason leaves room for a final bilan with the person: not when the person
/// could not be reached, refused, moved away or died.
bool ClosureExpectsFinalBilan(std::string_view reason);

// ---- Orientations --------------------------------------------------------------------------

using OrientationId = std::int64_t;

/// Where an orientation to a partner stands.
enum class OrientationStatus {
  kProposed,    // proposée to the person
  kAccepted,    // acceptée by the partner (an appointment or a contact is set)
  kDone,        // réalisée: the person was received
  kNoFollowUp,  // sans suite
};

std::string_view OrientationStatusCode(OrientationStatus s);   // "proposee"…
std::string_view OrientationStatusLabel(OrientationStatus s);  // "Proposée"…
std::optional<OrientationStatus> ParseOrientationStatus(std::string_view s);
const std::vector<OrientationStatus>& AllOrientationStatuses();
/// Nothing more to follow (réalisée, sans suite).
bool IsOrientationClosed(OrientationStatus s);

struct Orientation {
  OrientationId id = 0;
  std::int64_t referral_id = 0;
  std::optional<std::int64_t> service_id;  // a service of the directory, or none (typed name)
  std::string partner_name;                // as shown, kept if the directory changes
  std::string partner_kind;                // vocabulary redirection_kinds (La Coop)
  std::string reason;
  OrientationStatus status = OrientationStatus::kProposed;
  std::optional<LocalDate> follow_up_on;
  std::vector<std::string> shared;  // vocabulary orientation_shared: what the partner was told
  std::string consent_method;       // orientation_consent_methods, when something is shared
  std::optional<LocalDate> consent_on;
  std::string note;
  std::string author_name;
  std::vector<ProcedureEvent> events;  // status changes, oldest first
  Instant created_at{};
  Instant updated_at{};
};

struct OrientationInput {
  std::string service_id;  // empty for a partner outside the directory
  std::string partner_name;
  std::string partner_kind;
  std::string reason;
  std::string status;
  std::string follow_up_on;
  std::vector<std::string> shared;
  bool consent = false;  // the person agreed to what is shared
  std::string consent_method;
  std::string note;
};

inline constexpr std::size_t kMaxOrientationText = 1000;

/// A partner (named when outside the directory), its kind, a reason, a status, an optional
/// follow-up date; whatever is shared with the partner needs the person's agreement and how it
/// was given (dated today when first given). `out` keeps its id, service and consent date.
FieldErrors ValidateOrientation(const OrientationInput& in, const Vocabularies& v,
                                const LocalDate& today, Orientation& out);

// ---- Feedback to the referrer and co-accompaniment reviews ----------------------------------

using FeedbackId = std::int64_t;
using ReviewId = std::int64_t;

/// One line of a retour, as the referrer reads it. `kind`: status, level, procedure,
/// orientation.
struct FeedbackItem {
  std::string kind;
  std::string label;
};

/// A structured retour sent to the referrer: the lines the intervenant chose one by one, kept
/// exactly as sent, and the next steps.
struct Feedback {
  FeedbackId id = 0;
  std::int64_t referral_id = 0;
  std::string author_name;
  std::vector<FeedbackItem> items;
  std::string next_steps;
  Instant sent_at{};
};

inline constexpr std::size_t kMaxFeedbackText = 1000;

/// At least one line chosen or next steps written; next steps of at most 1 000 characters,
/// never a credential. Returns the trimmed next steps in `next_steps`.
FieldErrors ValidateFeedback(std::size_t chosen, const std::string& raw_next_steps,
                             std::string& next_steps);

/// A review of a co-accompanied case (the SSD's referrer, the team and the person), planned
/// then minuted.
enum class ReviewStatus { kPlanned, kHeld, kCancelled };

std::string_view ReviewStatusCode(ReviewStatus s);   // "prevu", "tenu", "annule"
std::string_view ReviewStatusLabel(ReviewStatus s);  // "Prévu"…
std::optional<ReviewStatus> ParseReviewStatus(std::string_view s);

struct CaseReview {
  ReviewId id = 0;
  std::int64_t referral_id = 0;
  Instant scheduled_at{};
  std::string place;
  std::vector<std::string> participants;  // vocabulary review_participants
  ReviewStatus status = ReviewStatus::kPlanned;
  std::string minutes;    // compte rendu, shared with the referrer
  std::string decisions;  // what was decided, who does what
  std::string author_name;
  Instant created_at{};
  Instant updated_at{};
};

struct ReviewInput {
  std::string date;
  std::string time;
  std::string place;
  std::vector<std::string> participants;
  std::string status;
  std::string minutes;
  std::string decisions;
};

inline constexpr std::size_t kMaxReviewMinutes = 5000;

/// A date and time, a place, who takes part (the team always; at least the referrer or the
/// person besides); held reviews need their minutes and cannot be in the future; texts are
/// readable, bounded and never a credential.
FieldErrors ValidateReview(const ReviewInput& in, const Vocabularies& v, Instant now,
                           CaseReview& out);

// ---- Delegated cases and their quarterly reports ---------------------------------------------

/// How the SSD and the team share a case: followed together, or delegated wholly to the team
/// (the call for projects then asks for a written report per person each quarter).
enum class FollowMode { kUnset, kCoAccompaniment, kDelegation };

std::string_view FollowModeCode(FollowMode m);   // "", "co_accompagnement", "delegation"
std::string_view FollowModeLabel(FollowMode m);  // "Non précisé"…
std::optional<FollowMode> ParseFollowMode(std::string_view s);

struct Quarter {
  int year = 0;
  int quarter = 1;  // 1..4
  bool operator==(const Quarter&) const = default;
};

Quarter QuarterOf(const LocalDate& d);
LocalDate QuarterStart(const Quarter& q);
LocalDate QuarterEnd(const Quarter& q);      // its last day
std::string QuarterLabel(const Quarter& q);  // "4e trimestre 2026", "1er trimestre 2027"
/// From form fields ("2026", "4"); none when not a quarter between 2000 and 2100.
std::optional<Quarter> ParseQuarter(std::string_view year, std::string_view quarter);

using QuarterlyReportId = std::int64_t;

/// A written quarterly report on one person of a delegated case, as sent to the SSD's
/// territory manager: the facts of the quarter (composed from the case, kept as sent) and
/// what the team observes and plans.
struct QuarterlyReport {
  QuarterlyReportId id = 0;
  std::int64_t referral_id = 0;
  Quarter period;
  std::vector<std::string> summary;
  std::string observations;
  std::string perspectives;
  std::string author_name;
  Instant sent_at{};
};

inline constexpr std::size_t kMaxReportObservations = 3000;
inline constexpr std::size_t kMaxReportPerspectives = 2000;

/// Observations required (at most 3 000 characters), perspectives at most 2 000; readable,
/// never a credential. Fills `out`'s texts.
FieldErrors ValidateQuarterlyReport(const std::string& observations,
                                    const std::string& perspectives, QuarterlyReport& out);

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
