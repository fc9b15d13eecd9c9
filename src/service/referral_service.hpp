#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/reference.hpp"
#include "domain/referral.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// A person who might be the same as the one of a referral, with why.
struct DuplicateCandidate {
  domain::PersonId person_id = 0;
  domain::PersonData person;
  double score = 0;
  bool probable = false;
  std::vector<std::string> reasons;
  std::vector<ReferralSummary> referrals;  // what the actor may see of this person's referrals
};

struct SubmitResult {
  domain::FieldErrors errors;
  domain::ReferralId id = 0;
  std::string number;
  domain::ReferralStatus status = domain::ReferralStatus::kReceived;
  /// Possible duplicates among the referrals the submitter may see (its own structure's), so
  /// that nothing about other structures' cases leaks to a referrer or a partner system.
  std::vector<ReferralSummary> visible_duplicates;
};

/// An API call's Idempotency-Key: a retry with the same key returns the first answer.
struct IdempotencyKey {
  std::string key;
  std::string request_digest;  // a retry must carry the same body
};

/// Outcome of an idempotent submission: either the stored first answer, or a new one.
struct IdempotentSubmit {
  std::optional<IdempotentResponse> replay;
  SubmitResult result;
};

/// Builds the response stored for replay, inside the transaction that records the referral.
using ResponseRenderer = std::function<IdempotentResponse(const SubmitResult&)>;

/// One line of the triage inbox.
struct InboxLine {
  ReferralSummary summary;
  int age_working_days = 0;
  bool overdue = false;  // no first contact after the configured number of working days
};

struct InboxQuery {
  std::vector<domain::ReferralStatus>
      statuses;  // empty: received, accepted, contact, appointment_set
  std::optional<domain::StructureId> referring_structure;
  std::string territory;
  std::string procedure;
  std::optional<domain::UserId> assigned_to;
  int page = 1;
};

struct InboxPage {
  std::vector<InboxLine> lines;
  long long total = 0;
  int page = 1;
  int page_size = 50;
  int flag_working_days = 5;
};

/// Triage decisions.
struct TriageDecision {
  std::optional<domain::UserId> assign_to;         // accept
  std::string reason;                              // not receivable: code
  std::string message;                             // to the referrer
  std::optional<domain::StructureId> redirect_to;  // redirect
};

/// The referral journey's first steps: drafts, intake from the form, the API and CSV files,
/// duplicate detection, triage and the referrer's view. Every decision of access goes through
/// the permissions module; every write is audited in its own transaction.
class ReferralService {
 public:
  ReferralService(Store& store, const Clock& clock, const domain::ReferenceData& reference)
      : store_(store), clock_(clock), reference_(reference) {}

  // Drafts: visible to their author only.
  domain::ReferralId SaveDraft(const Actor& actor, std::optional<domain::ReferralId> id,
                               const std::string& data);
  std::string LoadDraft(const Actor& actor, domain::ReferralId id);
  void DeleteDraft(const Actor& actor, domain::ReferralId id);

  /// Validates and records a referral: from a form (optionally replacing a draft) or the API.
  SubmitResult Submit(const Actor& actor, std::optional<domain::ReferralId> draft,
                      const domain::ReferralInput& in);

  /// Submission by a partner system. With a key, the first successful answer is stored in the
  /// same transaction as the referral, and a retry gets it back without creating anything;
  /// the same key with another body is a conflict.
  IdempotentSubmit SubmitIdempotent(const Actor& actor, const domain::ReferralInput& in,
                                    const std::optional<IdempotencyKey>& key,
                                    const ResponseRenderer& render);

  /// Records already-validated referrals of one structure in a single transaction (CSV import).
  std::vector<SubmitResult> SubmitBatch(const Actor& actor, domain::StructureId structure,
                                        const std::vector<domain::ReferralData>& referrals);

  ReferralRecord Get(const Actor& actor, domain::ReferralId id);
  std::vector<ReferralEvent> History(const Actor& actor, domain::ReferralId id);
  std::optional<PersonRecord> Person(const Actor& actor, const ReferralRecord& referral);

  InboxPage Inbox(const Actor& actor, const InboxQuery& query);
  /// The referrer's structure's referrals (and their own drafts), most recent first.
  std::vector<ReferralSummary> ForReferrer(const Actor& actor, int limit = 200);
  /// Referrals of the token's structure, for GET /api/v1/referrals.
  std::vector<ReferralSummary> ForApi(const Actor& actor,
                                      std::optional<domain::ReferralStatus> status, int limit);

  void Accept(const Actor& actor, domain::ReferralId id, domain::UserId assignee);
  void Reassign(const Actor& actor, domain::ReferralId id, domain::UserId assignee);
  void DeclareNotReceivable(const Actor& actor, domain::ReferralId id, const std::string& reason,
                            const std::string& message);
  void Redirect(const Actor& actor, domain::ReferralId id, domain::StructureId to,
                const std::string& message);
  void Withdraw(const Actor& actor, domain::ReferralId id, const std::string& message);

  std::vector<DuplicateCandidate> Duplicates(const Actor& actor, domain::ReferralId id);
  /// The referral's person is the same as `existing`: the new record is merged into it.
  void LinkToPerson(const Actor& actor, domain::ReferralId id, domain::PersonId existing);
  void ConfirmNewPerson(const Actor& actor, domain::ReferralId id);
  /// Moves every referral of `from` to `into` and marks `from` merged; both histories are kept.
  void MergePersons(const Actor& actor, domain::PersonId from, domain::PersonId into);

  /// Rectifies the person of a referral (team only); each changed field is kept in the
  /// person's history with its old value.
  domain::FieldErrors UpdatePerson(const Actor& actor, domain::ReferralId id,
                                   const domain::ReferralInput& in);
  std::vector<PersonChange> PersonHistory(const Actor& actor, domain::ReferralId id);

  /// Team members who may be assigned a referral.
  std::vector<domain::User> AssignableWorkers(const Actor& actor);
  /// Structures a referral may be redirected to.
  std::vector<domain::Structure> RedirectTargets(const Actor& actor);
  std::vector<domain::Structure> ReferringStructures(const Actor& actor);

  const domain::ReferenceData& reference() const { return reference_; }

  /// Duplicate candidates of an identity among all persons (no permission: internal use).
  static std::vector<DuplicateCandidate> FindCandidates(Tx& tx,
                                                        const domain::PersonIdentity& identity,
                                                        std::optional<domain::PersonId> exclude);

 private:
  ReferralRecord Load(const Actor& actor, Tx& tx, domain::ReferralId id);
  void MergeInTx(const Actor& actor, Tx& tx, domain::PersonId from, domain::PersonId into,
                 Instant now);
  void ChangeStatus(const Actor& actor, Tx& tx, const ReferralRecord& r, domain::ReferralStatus to,
                    ReferralStatusUpdate update, const std::string& note);
  SubmitResult Record(const Actor& actor, Tx& tx, std::optional<domain::ReferralId> draft,
                      domain::StructureId structure, const std::string& source,
                      const domain::ReferralData& data, Instant now);

  Store& store_;
  const Clock& clock_;
  const domain::ReferenceData& reference_;
};

/// A referral `actor` may see (Error kNotFound / kPermissionDenied otherwise).
ReferralRecord LoadReferral(const Actor& actor, Tx& tx, domain::ReferralId id);

/// Moves the referral to `to` when the transition is allowed (and it is not there already),
/// with its event and its audit row in the same transaction; otherwise does nothing.
void ChangeStatusIfAllowed(const Actor& actor, Tx& tx, const ReferralRecord& r,
                           domain::ReferralStatus to, Instant now, const std::string& note);

/// Queues an e-mail to the referrer of `r` (none when the fiche has no e-mail), deduplicated
/// by `event`. Messages name the fiche by its number only, never the person.
void QueueReferrerMessage(Tx& tx, const ReferralRecord& r, const std::string& event,
                          const std::string& subject, const std::string& body, Instant now);
/// The closing lines of every message to a referrer.
std::string Signature();

/// The active intervenants and coordinators of a team: who may be given cases and appointments.
std::vector<domain::User> ActiveTeam(Tx& tx, domain::StructureId team);

/// "MARTIN Claire" from a surname and first names.
std::string DisplayName(const std::string& last_name, const std::string& first_names);

}  // namespace allervers::service
