#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/appointment.hpp"
#include "domain/referral.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::service {

class ContactAttemptRepository {
 public:
  virtual ~ContactAttemptRepository() = default;
  virtual std::int64_t Insert(domain::ReferralId referral, const domain::ContactAttempt& a,
                              std::optional<domain::UserId> user, Instant now) = 0;
  /// Oldest first.
  virtual std::vector<domain::ContactAttempt> ForReferral(domain::ReferralId referral) = 0;
  /// Milestones of the case that reporting needs: the first time the person was reached,
  /// the first honoured appointment (each kept when already earlier).
  virtual void MarkFirstContact(domain::ReferralId referral, Instant at) = 0;
  virtual void MarkFirstVisit(domain::ReferralId referral, Instant at) = 0;
  /// When the case was proposed for closure as injoignable (nullopt: not, or no longer).
  virtual std::optional<Instant> UnreachableProposedAt(domain::ReferralId referral) = 0;
  virtual void SetUnreachableProposed(domain::ReferralId referral, std::optional<Instant> at) = 0;
};

/// An appointment with what agendas, letters and permissions need of its case.
struct AppointmentRecord {
  domain::Appointment appointment;
  domain::StructureId operator_id = 0;
  domain::ReferralId referral_id = 0;
  std::string referral_number;
  domain::ReferralStatus referral_status = domain::ReferralStatus::kAccepted;
  domain::StructureId referring_structure_id = 0;
  std::string referring_structure_name;
  std::optional<domain::UserId> referral_created_by;
  std::string referrer_name;
  std::string referrer_email;
  domain::PersonId person_id = 0;
  std::string person_gender;
  std::string person_first_names;
  std::string person_last_name;  // usage name if any, else birth name
  std::string person_phone;
  std::string person_email;
  std::string person_address_line;
  std::string person_postal_code;
  std::string person_city;
  std::vector<std::string> person_contact_preferences;
};

struct AppointmentFilter {
  std::optional<domain::StructureId> operator_id;
  std::optional<domain::UserId> worker;
  std::optional<domain::UserId> referrer_user;  // tripartite invitations of this referrer
  std::optional<domain::ReferralId> referral;
  std::optional<Instant> from;  // starts at or after
  std::optional<Instant> to;    // starts before
  bool planned_only = false;
  int limit = 2000;
};

class AppointmentRepository {
 public:
  virtual ~AppointmentRepository() = default;
  virtual domain::AppointmentId Insert(const domain::Appointment& a,
                                       domain::StructureId operator_id,
                                       std::optional<domain::UserId> created_by, Instant now) = 0;
  /// Changes time, place, workers, purpose and what to bring; increments the sequence.
  virtual void Update(const domain::Appointment& a, Instant now) = 0;
  virtual void SetOutcome(domain::AppointmentId id, domain::AppointmentStatus status,
                          const std::string& note,
                          std::optional<domain::AppointmentId> rescheduled_to, Instant now) = 0;
  virtual void SetReferrerResponse(domain::AppointmentId id, domain::ReferrerResponse r,
                                   Instant now) = 0;
  virtual std::optional<AppointmentRecord> Find(domain::AppointmentId id) = 0;
  /// Ordered by start time.
  virtual std::vector<AppointmentRecord> List(const AppointmentFilter& filter) = 0;
  /// Planned appointments of a worker overlapping [from, to).
  virtual std::vector<domain::BusySlot> Busy(domain::UserId worker, Instant from, Instant to) = 0;
};

class CalendarFeedRepository {
 public:
  virtual ~CalendarFeedRepository() = default;
  virtual void Put(domain::UserId user, const std::string& digest, Instant now) = 0;
  virtual void Delete(domain::UserId user) = 0;
  virtual bool Exists(domain::UserId user) = 0;
  virtual std::optional<domain::UserId> FindByDigest(const std::string& digest) = 0;
};

}  // namespace allervers::service
