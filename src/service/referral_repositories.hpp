#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/referral.hpp"

namespace allervers::service {

/// A person as stored.
struct PersonRecord {
  domain::PersonId id = 0;
  domain::PersonData data;
  std::optional<domain::PersonId> merged_into;
  std::optional<LocalDate> privacy_notice_on;  // the information notice was handed over
  std::optional<Instant> anonymized_at;        // by the retention purge or on request
  Instant created_at{};
  Instant updated_at{};
};

struct PersonChange {
  Instant at{};
  std::optional<domain::UserId> user_id;
  std::string actor_label;
  std::string field;
  std::string old_value;
  std::string new_value;
};

/// A request of the person about her data (RGPD art. 15–21), with its legal deadline.
struct RightsRequest {
  std::int64_t id = 0;
  domain::PersonId person_id = 0;
  std::string kind;  // acces, rectification, effacement, opposition, limitation
  LocalDate received_on;
  LocalDate due_on;                      // one month after receipt (art. 12.3)
  std::string status = "ouverte";        // ouverte, repondue, refusee
  std::optional<LocalDate> answered_on;  // when status is not « ouverte »
};

class PersonRepository {
 public:
  virtual ~PersonRepository() = default;
  virtual domain::PersonId Insert(const domain::PersonData& p, const std::string& search_name,
                                  Instant now) = 0;
  virtual void Update(domain::PersonId id, const domain::PersonData& p,
                      const std::string& search_name, Instant now) = 0;
  virtual std::optional<PersonRecord> Find(domain::PersonId id) = 0;
  virtual std::vector<PersonRecord> FindMany(const std::vector<domain::PersonId>& ids) = 0;
  /// Replaces the duplicate-detection keys of a person.
  virtual void ReplaceKeys(domain::PersonId id, const std::vector<std::string>& keys) = 0;
  /// Persons (not merged away) indexed under any of `keys`, at most `limit`.
  virtual std::vector<domain::PersonId> FindByKeys(const std::vector<std::string>& keys,
                                                   int limit) = 0;
  virtual void AddChange(domain::PersonId id, const PersonChange& change) = 0;
  virtual std::vector<PersonChange> Changes(domain::PersonId id) = 0;
  /// Marks `from` as merged into `into` and drops its keys; its row and history are kept.
  virtual void MarkMerged(domain::PersonId from, domain::PersonId into, Instant now) = 0;
  virtual void SetPrivacyNotice(domain::PersonId id, const LocalDate& on, Instant now) = 0;
  virtual std::int64_t InsertRightsRequest(const RightsRequest& r,
                                           std::optional<domain::UserId> author, Instant now) = 0;
  virtual std::optional<RightsRequest> FindRightsRequest(std::int64_t id) = 0;
  /// The person's requests, the most recently received first.
  virtual std::vector<RightsRequest> RightsRequests(domain::PersonId id) = 0;
  virtual void AnswerRightsRequest(std::int64_t id, const std::string& status, const LocalDate& on,
                                   Instant now) = 0;
};

/// A referral as stored, with the names needed to show it.
struct ReferralRecord {
  domain::ReferralId id = 0;
  std::string number;  // empty while draft
  domain::ReferralStatus status = domain::ReferralStatus::kDraft;
  std::string source;  // form, api, csv
  domain::StructureId structure_id = 0;
  std::string structure_name;
  std::string structure_territory;
  domain::StructureId operator_id = 0;
  std::optional<domain::UserId> created_by;
  domain::ReferralData data;  // person filled from the person record
  std::optional<domain::PersonId> person_id;
  std::string identity_status;  // unchecked, confirmed_new, linked
  std::optional<domain::UserId> assigned_user_id;
  std::string assigned_name;
  std::optional<domain::StructureId> redirected_to;
  std::string redirected_to_name;
  std::string decision_reason;
  std::string decision_message;
  std::string draft_data;
  std::optional<Instant> received_at, accepted_at, first_contact_at, first_visit_at, closed_at;
  Instant created_at{};
  Instant updated_at{};
};

/// One line of a list of referrals (inbox, referrer's list).
struct ReferralSummary {
  domain::ReferralId id = 0;
  std::string number;
  domain::ReferralStatus status = domain::ReferralStatus::kDraft;
  int urgency = 0;
  std::string structure_name;
  std::string person_last_name;  // usage name if any, else birth name; empty for drafts
  std::string person_first_names;
  std::string postal_code;
  std::string city;
  std::string identity_status;
  std::string assigned_name;
  std::optional<Instant> received_at;
  std::optional<Instant> first_contact_at;
  Instant updated_at{};
  std::vector<std::string> procedures;
};

struct ReferralFilter {
  std::vector<domain::ReferralStatus> statuses;  // empty: all but drafts
  std::optional<domain::StructureId> operator_id;
  std::optional<domain::StructureId> structure_id;  // referring structure
  std::optional<domain::UserId> created_by;         // drafts: their author only
  std::optional<domain::UserId> assigned_to;
  std::string territory;  // referring structure's territory
  std::string procedure;  // catalogue code
  bool include_drafts = false;
  enum class Order { kInbox, kRecent } order = Order::kRecent;
  int limit = 50;
  int offset = 0;
};

struct ReferralEvent {
  Instant at{};
  std::optional<domain::UserId> user_id;
  std::string actor_label;  // display name or "API", kept for history
  std::string from_status;
  std::string to_status;
  std::string note;
};

/// Fields changed by a triage decision or a status change.
struct ReferralStatusUpdate {
  domain::ReferralStatus status = domain::ReferralStatus::kReceived;
  Instant at{};
  std::optional<domain::UserId> assigned_user_id;
  std::optional<domain::StructureId> redirected_to;
  std::string decision_reason;
  std::string decision_message;
};

class ReferralRepository {
 public:
  virtual ~ReferralRepository() = default;
  /// Next referral number of `year`, counting from 1 (serialised by the transaction).
  virtual int NextSequence(int year) = 0;
  virtual domain::ReferralId InsertDraft(domain::StructureId structure,
                                         domain::StructureId operator_id, domain::UserId author,
                                         const std::string& draft_data, Instant now) = 0;
  virtual void UpdateDraft(domain::ReferralId id, const std::string& draft_data, Instant now) = 0;
  virtual void DeleteDraft(domain::ReferralId id) = 0;
  /// Inserts a received referral (API, CSV) or turns a draft into one (form, `draft` set).
  virtual domain::ReferralId Store(std::optional<domain::ReferralId> draft,
                                   const std::string& number, const std::string& source,
                                   domain::StructureId structure, domain::StructureId operator_id,
                                   std::optional<domain::UserId> author,
                                   const domain::ReferralData& data, domain::PersonId person,
                                   const std::string& identity_status, Instant now) = 0;
  virtual std::optional<ReferralRecord> Find(domain::ReferralId id) = 0;
  virtual std::vector<ReferralSummary> List(const ReferralFilter& filter) = 0;
  virtual long long Count(const ReferralFilter& filter) = 0;
  virtual std::vector<ReferralSummary> ForPerson(domain::PersonId person) = 0;
  virtual void UpdateStatus(domain::ReferralId id, const ReferralStatusUpdate& update) = 0;
  virtual void SetPerson(domain::ReferralId id, domain::PersonId person,
                         const std::string& identity_status, Instant now) = 0;
  virtual void MovePerson(domain::PersonId from, domain::PersonId into) = 0;
  virtual void AddEvent(domain::ReferralId id, const ReferralEvent& event) = 0;
  virtual std::vector<ReferralEvent> Events(domain::ReferralId id) = 0;
};

struct ApiTokenRecord {
  std::int64_t id = 0;
  domain::StructureId structure_id = 0;
  std::string structure_code;
  std::string structure_name;
  std::string label;
  std::string hint;  // first characters, to recognise a token in a list
  std::vector<std::string> scopes;
  Instant created_at{};
  std::string created_by;
  std::optional<Instant> last_used_at;
  std::optional<Instant> revoked_at;
};

class ApiTokenRepository {
 public:
  virtual ~ApiTokenRepository() = default;
  virtual std::int64_t Insert(const ApiTokenRecord& rec, const std::string& digest) = 0;
  virtual std::optional<ApiTokenRecord> FindByDigest(std::string_view digest) = 0;
  virtual std::optional<ApiTokenRecord> Find(std::int64_t id) = 0;
  virtual std::vector<ApiTokenRecord> List() = 0;
  virtual void Revoke(std::int64_t id, Instant now) = 0;
  virtual void Touch(std::int64_t id, Instant now) = 0;
};

struct IdempotentResponse {
  std::string request_digest;
  int status = 0;
  std::string body;
  std::string location;
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;
  virtual std::optional<IdempotentResponse> Find(std::int64_t token_id, std::string_view key) = 0;
  virtual void Insert(std::int64_t token_id, std::string_view key,
                      const IdempotentResponse& response, Instant now) = 0;
};

struct OutboxMessage {
  std::int64_t id = 0;
  std::string channel;  // email, sms
  std::string recipient;
  std::string subject;
  std::string body;
  std::string dedupe_key;  // the same event never queues two messages
  std::string status;
  int attempts = 0;
  Instant next_attempt_at{};
  std::string last_error;
  std::string related_type;
  std::string related_id;
  Instant created_at{};
  std::optional<Instant> sent_at;
  std::string lease_owner;  // empty unless leased
  std::optional<Instant> lease_until;
};

/// Messages of the outbox by status, for monitoring.
struct OutboxCounts {
  long long pending = 0;
  long long sending = 0;
  long long sent = 0;
  long long failed = 0;
  long long cancelled = 0;
};

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;
  /// Queues a message unless one with the same dedupe key exists; returns whether it was queued.
  virtual bool Enqueue(const OutboxMessage& message) = 0;
  virtual std::vector<OutboxMessage> ForRelated(std::string_view type, std::string_view id) = 0;

  /// Leases at most `limit` messages of `channels` that are due: pending with next_attempt_at
  /// <= now, or still 'sending' under a lease that expired (their sender died mid-send). Each
  /// becomes 'sending' under `owner` until now + lease, and its attempt is counted now, so that
  /// a message that crashes its sender cannot be retried forever. Two owners never lease the
  /// same message (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: writes are serialised). Call it
  /// in a Write transaction of its own and commit before sending.
  virtual std::vector<OutboxMessage> LeaseDue(Instant now, std::string_view owner,
                                              std::chrono::seconds lease, int limit,
                                              const std::vector<std::string>& channels) = 0;
  /// Records a delivery by `owner`; false when `owner` no longer holds the lease.
  virtual bool MarkSent(std::int64_t id, std::string_view owner, Instant now) = 0;
  /// Back to 'pending' until `next_attempt_at`, keeping the error (no personal data in it).
  virtual bool MarkRetry(std::int64_t id, std::string_view owner, std::string_view error,
                         Instant next_attempt_at) = 0;
  /// Gives up: 'failed' with its error.
  virtual bool MarkFailed(std::int64_t id, std::string_view owner, std::string_view error) = 0;
  /// Gives back a leased message not tried (shutdown): 'pending', its attempt not counted.
  virtual bool Release(std::int64_t id, std::string_view owner) = 0;
  /// Cancels the unsent messages (pending, waiting for a retry, or being sent) of a record
  /// whose dedupe key starts with `dedupe_prefix` (empty: all of them); returns how many. A
  /// message being sent at that moment is not stopped, but it is never retried: it ends 'sent'
  /// if that send succeeds, 'cancelled' otherwise.
  virtual int CancelPending(std::string_view related_type, std::string_view related_id,
                            std::string_view dedupe_prefix) = 0;
  virtual OutboxCounts Counts() = 0;
  /// Pending messages of one channel (to warn that it is not configured).
  virtual long long CountPending(std::string_view channel) = 0;
  /// The latest messages, newest first, of one status (empty: all).
  virtual std::vector<OutboxMessage> List(std::string_view status, int limit) = 0;
  virtual std::optional<OutboxMessage> Find(std::int64_t id) = 0;
};

struct ImportBatch {
  std::int64_t id = 0;
  domain::UserId user_id = 0;
  domain::StructureId structure_id = 0;
  std::string filename;
  std::string content;
  Instant created_at{};
};

class ImportRepository {
 public:
  virtual ~ImportRepository() = default;
  virtual std::int64_t Insert(const ImportBatch& batch) = 0;
  virtual std::optional<ImportBatch> Find(std::int64_t id) = 0;
  virtual void Delete(std::int64_t id) = 0;
  virtual int DeleteOlderThan(Instant before) = 0;
};

class SettingRepository {
 public:
  virtual ~SettingRepository() = default;
  virtual std::optional<std::string> Get(std::string_view key) = 0;
  virtual void Put(std::string_view key, std::string_view value, Instant now,
                   std::string_view by) = 0;
};

}  // namespace allervers::service
