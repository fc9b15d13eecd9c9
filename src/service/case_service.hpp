#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/accompaniment.hpp"
#include "domain/assessment.hpp"
#include "domain/partner.hpp"
#include "domain/reference.hpp"
#include "service/actor.hpp"
#include "service/letter_printer.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// One accompaniment (a referral taken on by the team) with everything recorded on it.
struct CaseRecord {
  ReferralRecord referral;
  std::vector<ReferralEvent> events;
  std::vector<domain::ContactAttempt> contacts;
  std::vector<AppointmentRecord> appointments;
  std::vector<domain::Assessment> assessments;
  std::vector<domain::Intervention> interventions;
  std::vector<domain::Note> notes;  // shared ones and the reader's own private ones
  std::vector<domain::CaseProcedure> procedures;
  std::vector<domain::Mandate> mandates;
  std::vector<domain::Orientation> orientations;
  std::vector<domain::Feedback> feedbacks;  // retours sent to the referrer, most recent first
  std::vector<domain::CaseReview> reviews;  // co-accompaniment reviews, by date
  domain::FollowMode follow_mode = domain::FollowMode::kUnset;
  std::vector<domain::QuarterlyReport> quarterly_reports;  // delegated cases, newest first
};

/// One line of the case page's timeline.
struct TimelineEntry {
  Instant at{};
  std::string kind;  // referral, contact, appointment, assessment, intervention, note
  std::string title;
  std::string detail;
  std::string href;  // empty when there is nothing more to open
  bool is_private = false;
  bool date_only = false;  // recorded by day (bilans, interventions): no time to show
};

/// Something due on the case; `overdue` is said in words on the page, not by colour alone.
struct NextAction {
  std::string label;
  std::optional<LocalDate> due;
  bool overdue = false;
  std::string href;
};

/// The case page: one person, the team's accompaniments of that person, one timeline.
struct CaseFile {
  PersonRecord person;
  std::vector<CaseRecord> cases;         // most recent first
  std::vector<TimelineEntry> timeline;   // most recent first
  std::vector<NextAction> next_actions;  // soonest first
};

/// The person's data and rights (docs/retention.md §6): the information notice, the register
/// of her requests, and whether she may be anonymised now.
struct PersonDataView {
  PersonRecord person;
  std::string person_name;
  std::vector<RightsRequest> requests;  // most recently received first
  bool open_case = false;               // an accompaniment of the team is still open
  bool may_erase = false;               // the reader may anonymise her (coordinator, none open)
};

/// Who consulted the team's file of a person (« Qui a consulté ce dossier »), newest first.
struct CaseAccessLog {
  domain::PersonId person_id = 0;
  std::string person_name;
  std::vector<CaseConsultation> consultations;
};

/// The kinds of request a person may make about her data (RGPD art. 15–21): the code stored,
/// the label of the form's list, and how a letter names the request.
struct RightsRequestKind {
  std::string_view code;
  std::string_view label;   // « Accès à ses données »
  std::string_view phrase;  // « Demande d’accès à ses données »
};
inline constexpr std::array<RightsRequestKind, 5> kRightsRequestKinds = {{
    {"acces", "Accès à ses données", "Demande d’accès à ses données"},
    {"rectification", "Rectification", "Demande de rectification"},
    {"effacement", "Effacement", "Demande d’effacement"},
    {"opposition", "Opposition", "Opposition"},
    {"limitation", "Limitation", "Demande de limitation"},
}};
/// The kind of that code, nullptr for an unknown one.
const RightsRequestKind* FindRightsRequestKind(std::string_view code);

/// Everything the team holds on one person (right of access), as of the reader's rights.
struct AccessCopy {
  CaseFile file;
  std::vector<PersonChange> history;    // rectifications, oldest first
  std::vector<RightsRequest> requests;  // most recently received first
  Instant generated_at{};
};

/// One line of the team's « Échéances »: something due on one of its open cases.
struct DueItem {
  NextAction action;
  domain::PersonId person_id = 0;
  std::string person_name;
  std::string worker_name;  // the case's intervenant; empty when nobody holds it
};

/// How far ahead the team's list looks (procedure deadlines, orientation follow-ups).
inline constexpr int kDueHorizonDays = 14;
/// A right's renewal shows this many days ahead (the C2S window, a housing request's year).
inline constexpr int kRenewalNoticeDays = 30;

struct AssessmentView {
  domain::Assessment assessment;
  const domain::AssessmentGrid* grid = nullptr;  // the version the bilan was taken with
  ReferralRecord referral;
  std::string person_name;
  domain::AssessmentScores scores;
  bool editable = false;  // the case is open
};

struct ComparisonView {
  domain::Assessment initial;
  domain::Assessment final;
  ReferralRecord referral;
  std::string person_name;
  domain::AssessmentComparison comparison;
};

struct ProcedureView {
  domain::CaseProcedure procedure;
  const domain::Procedure* catalogue = nullptr;  // nullptr when dropped from the catalogue
  ReferralRecord referral;
  std::string person_name;
  bool editable = false;
};

struct OrientationView {
  domain::Orientation orientation;
  std::optional<domain::PartnerService> service;  // the directory's entry, when chosen from it
  ReferralRecord referral;
  std::string person_name;
  bool editable = false;  // the case is open
};

/// What the orientation form starts from: the service chosen in the directory, if any.
struct OrientationForm {
  ReferralRecord referral;
  std::string person_name;
  std::optional<domain::PartnerService> service;
};

struct OrientationResult {
  domain::FieldErrors errors;
  domain::OrientationId id = 0;
};

/// One line the intervenant may send to the referrer; `key` names it in the form.
struct FeedbackChoice {
  std::string key;  // "status", "level", "procedure:12", "orientation:3"
  domain::FeedbackItem item;
  bool suggested = false;  // ticked when the form opens
};

struct FeedbackForm {
  ReferralRecord referral;
  std::string person_name;
  std::vector<FeedbackChoice> choices;
  std::vector<domain::Feedback> sent;  // most recent first
};

/// What the referrer of a case is told: the retours and the co-accompaniment reviews.
struct ReferrerView {
  std::vector<domain::Feedback> feedbacks;  // most recent first
  std::vector<domain::CaseReview> reviews;  // by date
};

struct ReviewView {
  domain::CaseReview review;
  ReferralRecord referral;
  std::string person_name;
  bool editable = false;
};

/// The quarterly report of a delegated case for one quarter: the facts composed from the case,
/// or the report already sent.
struct QuarterlyDraft {
  ReferralRecord referral;
  std::string person_name;
  domain::FollowMode mode = domain::FollowMode::kUnset;
  domain::Quarter period;
  std::vector<std::string> summary;
  std::optional<domain::QuarterlyReport> sent;
  std::vector<domain::QuarterlyReport> history;  // every report sent on the case
};

/// One report in the territory manager's list.
struct QuarterlyReportEntry {
  domain::QuarterlyReport report;
  std::string number;       // the fiche's
  std::string person_name;  // delegated cases only: the manager follows these persons
};

struct InterventionResult {
  domain::FieldErrors errors;
  domain::InterventionId id = 0;
};

/// What the intervention form starts from: today's visit filled in.
struct InterventionForm {
  ReferralRecord referral;
  std::string person_name;
  domain::InterventionInput defaults;
  std::vector<domain::User> team;
  std::vector<AppointmentRecord> visits;          // the case's appointments of the last 30 days
  std::vector<domain::CaseProcedure> procedures;  // the case's procedures, to link
};

/// The case page and the accompaniment at the person's home: bilans, interventions, notes.
/// Every read and write checks the permissions module; every write is audited in the same
/// transaction; the referral's status follows (the accompaniment is under way once a bilan
/// is finished or an intervention recorded).
class CaseService {
 public:
  /// `sealer` seals the notes (service/sealed_notes.hpp). `printer` lays out the letters to
  /// the person; without one, asking for a letter fails with Error(kUnavailable).
  CaseService(Store& store, const Clock& clock, const domain::ReferenceData& reference,
              const SecretSealer& sealer, const LetterPrinter* printer = nullptr)
      : store_(store), clock_(clock), reference_(reference), sealer_(sealer), printer_(printer) {}

  CaseFile Open(const Actor& actor, domain::PersonId person);
  /// What is due on the team's open cases, overdue first then soonest: overdue appointment
  /// results, persons to contact, initial bilans to do, procedure deadlines and orientation
  /// follow-ups within kDueHorizonDays, renewals within kRenewalNoticeDays, Aidants Connect
  /// mandates ending within domain::kMandateReminderDays. `worker` keeps one intervenant's
  /// cases (and the appointments they are on).
  std::vector<DueItem> Due(const Actor& actor, std::optional<domain::UserId> worker);
  /// The person a referral is about, for links from a fiche to the case page.
  std::optional<domain::PersonId> PersonOf(const Actor& actor, domain::ReferralId referral);

  /// Starts the bilan of `kind` on the current grid, or returns the one already started.
  domain::AssessmentId StartAssessment(const Actor& actor, domain::ReferralId referral,
                                       domain::AssessmentKind kind);
  AssessmentView Assessment(const Actor& actor, domain::AssessmentId id);
  /// Saves one step (section) of the form; answers of other steps are kept.
  domain::FieldErrors SaveSection(const Actor& actor, domain::AssessmentId id,
                                  const std::string& section, const domain::Answers& answers);
  /// The date the bilan was taken (DD/MM/YYYY or YYYY-MM-DD, not in the future).
  domain::FieldErrors SetAssessmentDate(const Actor& actor, domain::AssessmentId id,
                                        const std::string& date);
  domain::FieldErrors SetExternalScores(const Actor& actor, domain::AssessmentId id,
                                        const domain::ExternalScoresInput& in);
  void CompleteAssessment(const Actor& actor, domain::AssessmentId id);
  /// Initial and final bilans side by side; Error kNotFound unless both exist.
  ComparisonView Compare(const Actor& actor, domain::ReferralId referral);

  InterventionForm NewIntervention(const Actor& actor, domain::ReferralId referral);
  InterventionResult RecordIntervention(const Actor& actor, domain::ReferralId referral,
                                        const domain::InterventionInput& in);

  /// Opens a procedure of the catalogue on the case, with its checklist of documents; an
  /// open procedure of the same code is returned instead of a second one.
  domain::CaseProcedureId AddProcedure(const Actor& actor, domain::ReferralId referral,
                                       const std::string& code);
  ProcedureView Procedure(const Actor& actor, domain::CaseProcedureId id);
  domain::FieldErrors UpdateProcedure(const Actor& actor, domain::CaseProcedureId id,
                                      const domain::ProcedureInput& in);

  domain::FieldErrors RecordMandate(const Actor& actor, domain::ReferralId referral,
                                    const domain::MandateInput& in);
  /// The person revoked the mandate (at any time, Aidants Connect's rule). Returns its case.
  domain::ReferralId RevokeMandate(const Actor& actor, domain::MandateId id);

  /// Ends the accompaniment with its reason; asks for the final bilan first when the initial
  /// one was finished and the reason leaves room for it (unless `without_final_bilan`). The
  /// referrer is told by e-mail (fiche number and reason only).
  domain::FieldErrors Close(const Actor& actor, domain::ReferralId referral,
                            const domain::ClosureInput& in);
  /// Reopens a closed accompaniment; its whole history stays.
  void Reopen(const Actor& actor, domain::ReferralId referral);
  /// The letter to the person at the end of the accompaniment, as a PDF (case_letters.cpp).
  /// Audited. Error kNotFound as for any read of the case; kConflict unless the case is
  /// closed, or when it was closed after a death (no letter is written then).
  std::string ClosureLetterPdf(const Actor& actor, domain::ReferralId referral);

  /// The orientation form for a case, with the directory's service `service` when given.
  OrientationForm NewOrientation(const Actor& actor, domain::ReferralId referral,
                                 std::optional<domain::PartnerServiceId> service);
  /// Orients the person to a partner (from the directory or named), with what is shared and
  /// the person's agreement; the status history starts.
  OrientationResult RecordOrientation(const Actor& actor, domain::ReferralId referral,
                                      const domain::OrientationInput& in);
  OrientationView Orientation(const Actor& actor, domain::OrientationId id);
  /// Follows an orientation up: status (each change dated), follow-up date, sharing, note.
  domain::FieldErrors UpdateOrientation(const Actor& actor, domain::OrientationId id,
                                        const domain::OrientationInput& in);

  /// The lines that may be sent to the referrer, built from the case as it is now.
  FeedbackForm FeedbackDraft(const Actor& actor, domain::ReferralId referral);
  /// Sends the lines chosen (by key) and the next steps to the referrer: stored as sent, shown
  /// on the fiche in the referrer's view, announced by an e-mail naming the fiche only. Open or
  /// closed cases (the retour at closure).
  domain::FieldErrors SendFeedback(const Actor& actor, domain::ReferralId referral,
                                   const std::vector<std::string>& keys,
                                   const std::string& next_steps);
  /// The retours and reviews of a referral, for its referrer's structure and for the team.
  ReferrerView SharedWithReferrer(const Actor& actor, domain::ReferralId referral);

  /// Plans (or records) a review of a co-accompanied case; the referrer is told the date.
  domain::FieldErrors PlanReview(const Actor& actor, domain::ReferralId referral,
                                 const domain::ReviewInput& in);
  ReviewView Review(const Actor& actor, domain::ReviewId id);
  /// Its minutes once held, or a new date; the referrer is told the minutes are there.
  domain::FieldErrors UpdateReview(const Actor& actor, domain::ReviewId id,
                                   const domain::ReviewInput& in);

  /// Co-accompanied with the referrer, or delegated wholly to the team (which then owes a
  /// written report per person each quarter).
  domain::FieldErrors SetFollowMode(const Actor& actor, domain::ReferralId referral,
                                    const std::string& mode);
  /// The quarterly report of `period` (the current quarter when none).
  QuarterlyDraft Quarterly(const Actor& actor, domain::ReferralId referral,
                           std::optional<domain::Quarter> period);
  /// Sends the report to the referring structure's territory manager: delegated cases only,
  /// a quarter begun, once per quarter (Error kConflict for a second one).
  domain::FieldErrors SendQuarterly(const Actor& actor, domain::ReferralId referral,
                                    const domain::Quarter& period, const std::string& observations,
                                    const std::string& perspectives);
  /// The reports on the referrals of the pilote's structure, most recent first.
  std::vector<QuarterlyReportEntry> QuarterlyReports(const Actor& actor);
  /// A report as PDF, for the team or the referring structure's pilote; each read is audited.
  std::string QuarterlyReportPdf(const Actor& actor, domain::QuarterlyReportId id);

  domain::FieldErrors AddNote(const Actor& actor, domain::ReferralId referral,
                              const domain::NoteInput& in);

  // The person's rights (case_rights.cpp). The team's persons only: others are "not found".
  PersonDataView PersonData(const Actor& actor, domain::PersonId person);
  /// The last `limit` consultations of the team's file of the person (the coordinator).
  CaseAccessLog AccessLog(const Actor& actor, domain::PersonId person, int limit = 300);
  /// The day the information notice was handed over (JJ/MM/AAAA or YYYY-MM-DD, not in the
  /// future).
  domain::FieldErrors RecordPrivacyNotice(const Actor& actor, domain::PersonId person,
                                          const std::string& on);
  /// The information notice addressed to the person, as PDF (from the settings).
  std::string PrivacyNoticePdf(const Actor& actor, domain::PersonId person);
  /// Records a request (kind among acces, rectification, effacement, opposition, limitation)
  /// received on a day; its deadline is one month later. Returns its id, or errors.
  domain::FieldErrors AddRightsRequest(const Actor& actor, domain::PersonId person,
                                       const std::string& kind, const std::string& received_on);
  /// Answers a request (status repondue or refusee) on a day not before its receipt.
  domain::FieldErrors AnswerRightsRequest(const Actor& actor, domain::PersonId person,
                                          std::int64_t request, const std::string& status,
                                          const std::string& on);
  /// Everything about the person, for her right of access; audited.
  AccessCopy ExportPersonData(const Actor& actor, domain::PersonId person);
  /// The same, as a readable PDF letter addressed to her.
  std::string AccessCopyPdf(const Actor& actor, domain::PersonId person);
  /// Erasure on request: anonymises the person as the retention purge would (coordinator,
  /// every accompaniment closed: Error(kConflict) otherwise); audited.
  void ErasePerson(const Actor& actor, domain::PersonId person);

 private:
  Store& store_;
  const Clock& clock_;
  const domain::ReferenceData& reference_;
  const SecretSealer& sealer_;
  const LetterPrinter* printer_;
};

}  // namespace allervers::service
