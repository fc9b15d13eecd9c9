#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/appointment.hpp"
#include "domain/field_error.hpp"
#include "domain/letter.hpp"
#include "domain/reference.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// Settings of contact and appointments (settings table, with these defaults).
struct AgendaSettings {
  int travel_minutes = 20;
  std::vector<int> reminder_days = {2, 1};
  domain::UnreachableRule unreachable;
  domain::Letterhead letterhead;
  std::string base_postal_code = "95000";  // where the team starts and ends its day
  std::string base_city = "Cergy";
};

/// Reads the settings, falling back on the defaults for anything missing or malformed.
AgendaSettings LoadAgendaSettings(Tx& tx);

struct CaseContacts {
  std::vector<domain::ContactAttempt> attempts;
  std::optional<Instant> unreachable_proposed_at;
  int failed_since_reached = 0;       // since the person was last reached (call or visit)
  std::optional<Instant> last_visit;  // the last honoured appointment
  domain::UnreachableRule rule;
};

/// The answer to creating, moving or postponing an appointment.
struct AppointmentResult {
  domain::FieldErrors errors;
  std::vector<domain::Conflict> conflicts;  // not saved: confirm with `force` to keep it
  domain::AppointmentId id = 0;
};

struct AgendaQuery {
  std::optional<domain::UserId> worker;  // absent: the whole team
  Instant from{};
  Instant to{};
  bool planned_only = false;
};

/// One letter's facts, ready to compose (see domain::ComposeAppointmentLetter).
struct LetterBatch {
  std::vector<domain::LetterFacts> letters;
};

/// Contact attempts, appointments, agendas, letters and calendar feeds (issue: contact and
/// home appointments). Every read and write checks the permissions module first; every write
/// is audited in its own transaction, and the referral's status follows the appointments.
class AppointmentService {
 public:
  AppointmentService(Store& store, const Clock& clock, const domain::ReferenceData& reference,
                     const TokenService& tokens)
      : store_(store), clock_(clock), reference_(reference), tokens_(tokens) {}

  CaseContacts Contacts(const Actor& actor, domain::ReferralId referral);
  domain::FieldErrors RecordContact(const Actor& actor, domain::ReferralId referral,
                                    const domain::ContactAttemptInput& in);

  std::vector<AppointmentRecord> ForReferral(const Actor& actor, domain::ReferralId referral);
  AppointmentRecord Get(const Actor& actor, domain::AppointmentId id);

  AppointmentResult Create(const Actor& actor, domain::ReferralId referral,
                           const domain::AppointmentInput& in, bool force);
  /// Changes the time, place or people of a planned appointment.
  AppointmentResult Move(const Actor& actor, domain::AppointmentId id,
                         const domain::AppointmentInput& in, bool force);
  /// Honoured, absent, cancelled (by the person or the team). Postponing goes through
  /// Postpone, which fixes the new appointment at the same time.
  void SetOutcome(const Actor& actor, domain::AppointmentId id, domain::AppointmentStatus status,
                  const std::string& note);
  AppointmentResult Postpone(const Actor& actor, domain::AppointmentId id,
                             const domain::AppointmentInput& next, const std::string& note,
                             bool force);

  /// A referrer's answer to a tripartite invitation.
  void Respond(const Actor& actor, domain::AppointmentId id, bool accept);
  /// The tripartite appointments a referrer is invited to, from `from` on.
  std::vector<AppointmentRecord> Invitations(const Actor& actor, Instant from);

  std::vector<AppointmentRecord> Agenda(const Actor& actor, const AgendaQuery& query);
  /// Free slots for a home visit of `referral` with `worker` on `day`.
  std::vector<domain::SlotSuggestion> Suggest(const Actor& actor, domain::ReferralId referral,
                                              domain::UserId worker, const LocalDate& day,
                                              int duration_minutes);
  /// Team members who may be given appointments.
  std::vector<domain::User> Workers(const Actor& actor);

  /// Letters of the given appointments (planned ones), audited: one audit row per letter.
  LetterBatch Letters(const Actor& actor, const std::vector<domain::AppointmentId>& ids);

  /// The calendar feed of the actor: a new secret URL token (the old one stops working).
  std::string RenewFeed(const Actor& actor);
  void RevokeFeed(const Actor& actor);
  bool HasFeed(const Actor& actor);
  /// The appointments of the feed's owner (six weeks back, six months ahead), or kNotFound.
  std::vector<AppointmentRecord> Feed(const std::string& token, std::string& owner_name);

  AgendaSettings Settings();

 private:
  AppointmentRecord Load(const Actor& actor, Tx& tx, domain::AppointmentId id);
  AppointmentResult Save(const Actor& actor, Tx& tx, const AppointmentRecord* existing,
                         domain::ReferralId referral, const domain::AppointmentInput& in,
                         bool force, Instant now);
  void QueueReminders(Tx& tx, const AppointmentRecord& r, const AgendaSettings& settings,
                      Instant now);
  static void CancelReminders(Tx& tx, domain::AppointmentId id, int sequence);

  Store& store_;
  const Clock& clock_;
  const domain::ReferenceData& reference_;
  const TokenService& tokens_;
};

}  // namespace allervers::service
