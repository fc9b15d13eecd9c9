#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"
#include "service/accompaniment_repositories.hpp"
#include "service/appointment_repositories.hpp"
#include "service/audit.hpp"
#include "service/indicator_repositories.hpp"
#include "service/partner_repositories.hpp"
#include "service/referral_repositories.hpp"
#include "service/retention_repositories.hpp"

namespace allervers::service {

class StructureRepository {
 public:
  virtual ~StructureRepository() = default;
  virtual domain::StructureId Insert(const domain::StructureInput& in, Instant now) = 0;
  virtual void Update(domain::StructureId id, const domain::StructureInput& in) = 0;
  virtual void SetActive(domain::StructureId id, bool active) = 0;
  virtual std::optional<domain::Structure> FindById(domain::StructureId id) = 0;
  virtual std::optional<domain::Structure> FindByCode(std::string_view code) = 0;
  virtual std::vector<domain::Structure> List() = 0;
};

/// A new account as stored: validated fields plus the password hash.
struct NewUserRecord {
  std::string email;
  std::string display_name;
  domain::Role role = domain::Role::kIntervenant;
  std::optional<domain::StructureId> structure_id;
  std::optional<double> fte;
  std::string password_hash;
  bool must_change_password = false;
  Instant created_at{};
};

struct UserUpdate {
  std::string email;
  std::string display_name;
  domain::Role role = domain::Role::kIntervenant;
  std::optional<domain::StructureId> structure_id;
  std::optional<double> fte;
};

struct UserFilter {
  std::optional<domain::StructureId> structure_id;  // only this structure's accounts
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  virtual domain::UserId Insert(const NewUserRecord& rec) = 0;
  virtual void Update(domain::UserId id, const UserUpdate& upd) = 0;
  virtual void SetActive(domain::UserId id, bool active) = 0;
  virtual void SetPassword(domain::UserId id, const std::string& hash, bool must_change,
                           Instant now) = 0;
  virtual void RecordSignIn(domain::UserId id, Instant now) = 0;
  virtual std::optional<domain::User> FindById(domain::UserId id) = 0;
  virtual std::optional<domain::User> FindByEmail(std::string_view normalized_email) = 0;
  /// The stored password hash, for sign-in and password change only.
  virtual std::optional<std::string> PasswordHash(domain::UserId id) = 0;
  virtual std::vector<domain::User> List(const UserFilter& filter) = 0;
};

/// How far a session has come: a session waiting for its second factor, or for the account's
/// enrolment in two-factor sign-in, opens no page but that step and sign-out.
enum class SessionStage { kFull, kSecondFactor, kEnrolment };

/// "full", "second_factor", "enrolment" (column user_session.stage).
inline std::string_view SessionStageCode(SessionStage s) {
  switch (s) {
    case SessionStage::kSecondFactor:
      return "second_factor";
    case SessionStage::kEnrolment:
      return "enrolment";
    case SessionStage::kFull:
      break;
  }
  return "full";
}

/// An unknown code reads as the most restricted stage that still lets the user out.
inline SessionStage ParseSessionStage(std::string_view code) {
  if (code == "full") {
    return SessionStage::kFull;
  }
  return code == "enrolment" ? SessionStage::kEnrolment : SessionStage::kSecondFactor;
}

struct SessionRecord {
  std::string id_digest;  // digest of the cookie value; the cookie itself is never stored
  domain::UserId user_id = 0;
  std::string csrf_token;
  Instant created_at{};
  Instant last_seen_at{};
  std::string ip;
  SessionStage stage = SessionStage::kFull;
  std::string idp_id_token{};  // opened through ProConnect: its ID token, for the logout
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual void Insert(const SessionRecord& rec) = 0;
  virtual std::optional<SessionRecord> Find(std::string_view id_digest) = 0;
  virtual void Touch(std::string_view id_digest, Instant now) = 0;
  virtual void Delete(std::string_view id_digest) = 0;
  virtual void DeleteForUser(domain::UserId user_id) = 0;
  /// Removes sessions idle since before `idle_before` or created before `created_before`.
  virtual int DeleteExpired(Instant idle_before, Instant created_before) = 0;
};

/// A sign-in through the identity provider, between the redirection and the provider's answer.
struct OidcLogin {
  std::string state_digest;
  std::string nonce;
  std::string code_verifier;
  std::string return_to;
  Instant created_at{};
};

class OidcLoginRepository {
 public:
  virtual ~OidcLoginRepository() = default;
  virtual void Insert(const OidcLogin& login) = 0;
  /// Deletes and returns the sign-in of this state digest, if any: it can be taken once.
  virtual std::optional<OidcLogin> Take(std::string_view state_digest) = 0;
  /// Removes the sign-ins started before `before`; returns how many.
  virtual int DeleteOlderThan(Instant before) = 0;
};

struct ThrottleState {
  int failures = 0;
  Instant window_start{};
  Instant blocked_until{};
};

/// Failed sign-in counters, keyed by account ("acct:<email digest>") and by address ("ip:…").
class ThrottleRepository {
 public:
  virtual ~ThrottleRepository() = default;
  virtual std::optional<ThrottleState> Get(std::string_view key) = 0;
  virtual void Put(std::string_view key, const ThrottleState& state) = 0;
  virtual void Clear(std::string_view key) = 0;
};

/// An account's TOTP secret (sealed by the key file) and the last time step accepted.
struct TotpRecord {
  domain::UserId user_id = 0;
  std::string secret_sealed;
  std::optional<Instant> confirmed_at;  // nothing: enrolment not finished
  std::int64_t last_step = 0;
  Instant created_at{};
};

/// Two-factor sign-in: the TOTP secret of an account and its recovery codes (digests only).
class TwoFactorRepository {
 public:
  virtual ~TwoFactorRepository() = default;
  virtual std::optional<TotpRecord> Find(domain::UserId user_id) = 0;
  /// Stores a new, unconfirmed secret, replacing an unconfirmed one.
  virtual void PutPending(domain::UserId user_id, const std::string& secret_sealed,
                          Instant now) = 0;
  /// Confirms the pending secret with the step of its first code; false when there is no
  /// pending secret any more (confirmed meanwhile, or reset).
  virtual bool Confirm(domain::UserId user_id, std::int64_t step, Instant now) = 0;
  /// Records `step` as the last accepted one, only if it is later than the stored one; false
  /// otherwise (the code was already used), atomically.
  virtual bool AdvanceStep(domain::UserId user_id, std::int64_t step) = 0;
  /// Removes the secret and the recovery codes of the account.
  virtual void Delete(domain::UserId user_id) = 0;
  /// Replaces every recovery code of the account.
  virtual void ReplaceRecoveryCodes(domain::UserId user_id, const std::vector<std::string>& digests,
                                    Instant now) = 0;
  /// Marks the unused code of this digest used; false when there is none, atomically.
  virtual bool UseRecoveryCode(domain::UserId user_id, std::string_view digest, Instant now) = 0;
  virtual int UnusedRecoveryCodes(domain::UserId user_id) = 0;
  /// The accounts that finished their enrolment.
  virtual std::vector<domain::UserId> EnrolledUsers() = 0;
};

/// Leases of the jobs that must run once across the servers sharing the database (job_lease).
class JobLeaseRepository {
 public:
  virtual ~JobLeaseRepository() = default;
  /// Takes the lease of job `name` for `owner` until `until`, if it is free, lapsed, or
  /// already `owner`'s; false when another server holds it.
  virtual bool TryTake(std::string_view name, std::string_view owner, Instant now,
                       Instant until) = 0;
  /// Gives the lease back, if `owner` holds it.
  virtual void Release(std::string_view name, std::string_view owner) = 0;
};

/// The columns that hold text sealed with the server's key ring (SecretSealer).
enum class SealedColumn { kCaseNoteBody, kTotpSecret };

/// One stored value of a sealed column. `referral_id` and `author` are a note's (what its
/// sealed text is bound to); for a TOTP secret, `id` is the account.
struct SealedValue {
  std::int64_t id = 0;
  std::string text;
  std::int64_t referral_id = 0;
  domain::UserId author = 0;
};

/// The sealed values, for key rotation (KeyRingService). It reads the key id that the sealed
/// texts begin with ("sb1.<8 hex digits>.", security::SecretBox) in SQL, so as to count and
/// page through millions of notes without reading them into the server.
class SealedValueRepository {
 public:
  virtual ~SealedValueRepository() = default;
  /// How many non-empty values of `column` each key id sealed; "" counts the values that are
  /// not sealed texts.
  virtual std::vector<std::pair<std::string, std::int64_t>> CountByKey(SealedColumn column) = 0;
  /// Up to `limit` non-empty values of `column` with an id above `after`, by id: those not
  /// sealed by key `key_id`, or, without a key id, those not sealed at all.
  virtual std::vector<SealedValue> NotSealedBy(SealedColumn column,
                                               const std::optional<std::string>& key_id,
                                               std::int64_t after, int limit) = 0;
  /// Replaces a value if it still reads `old_text`; false when it changed meanwhile.
  virtual bool Replace(SealedColumn column, std::int64_t id, const std::string& old_text,
                       const std::string& new_text) = 0;
};

struct AuditFilter {
  std::optional<std::string> record_type;
  std::optional<std::string> record_id;
  std::optional<domain::UserId> actor_user_id;
  int limit = 100;
  int offset = 0;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  /// Adds a row to the trail. Rows are chained by hash when the unit of work commits (a read
  /// that appends gets a short write transaction of its own), in the order of their ids.
  virtual void Append(const AuditEvent& event) = 0;
  virtual std::vector<AuditEvent> List(const AuditFilter& filter) = 0;
  /// The reads (actions "*.read") of a person's case file by `structure`'s team: of the person
  /// by its members, of the team's referrals of her by anyone. Newest first.
  virtual std::vector<CaseConsultation> Consultations(domain::PersonId person,
                                                      domain::StructureId structure, int limit) = 0;
  /// Walks the whole chain from its base to its head.
  virtual AuditChainReport Verify() = 0;
  /// Deletes the rows older than `cutoff` from the start of the chain (audit retention) and
  /// moves the chain's base past them; the number of rows deleted.
  virtual long long PurgeBefore(Instant cutoff) = 0;
};

/// The repositories of one unit of work, all sharing one database transaction.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual StructureRepository& structures() = 0;
  virtual UserRepository& users() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual OidcLoginRepository& oidc_logins() = 0;
  virtual ThrottleRepository& throttle() = 0;
  virtual TwoFactorRepository& two_factor() = 0;
  virtual SealedValueRepository& sealed_values() = 0;
  virtual JobLeaseRepository& job_leases() = 0;
  virtual AuditRepository& audit() = 0;
  virtual PersonRepository& persons() = 0;
  virtual ReferralRepository& referrals() = 0;
  virtual ApiTokenRepository& api_tokens() = 0;
  virtual IdempotencyRepository& idempotency() = 0;
  virtual OutboxRepository& outbox() = 0;
  virtual ImportRepository& imports() = 0;
  virtual SettingRepository& settings() = 0;
  virtual ContactAttemptRepository& contacts() = 0;
  virtual AppointmentRepository& appointments() = 0;
  virtual CalendarFeedRepository& calendar_feeds() = 0;
  virtual AssessmentRepository& assessments() = 0;
  virtual InterventionRepository& interventions() = 0;
  virtual NoteRepository& notes() = 0;
  virtual ProcedureRepository& procedures() = 0;
  virtual MandateRepository& mandates() = 0;
  virtual PartnerRepository& partners() = 0;
  virtual OrientationRepository& orientations() = 0;
  virtual FeedbackRepository& feedbacks() = 0;
  virtual ReviewRepository& reviews() = 0;
  virtual DelegationRepository& delegation() = 0;
  virtual DueRepository& due() = 0;
  virtual IndicatorRepository& indicators() = 0;
  virtual RetentionRepository& retention() = 0;
};

/// Entry point of storage for services. Write() runs `fn` in one transaction that is
/// committed when `fn` returns and rolled back when it throws, so a change and its audit
/// row are stored together or not at all.
class Store {
 public:
  virtual ~Store() = default;
  virtual void Write(const std::function<void(Tx&)>& fn) = 0;
  virtual void Read(const std::function<void(Tx&)>& fn) = 0;
};

}  // namespace allervers::service
