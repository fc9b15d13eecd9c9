#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "domain/field_error.hpp"
#include "domain/user.hpp"

namespace allervers::domain {

using AppointmentId = std::int64_t;

// ---- Contact attempts ------------------------------------------------------------------------

enum class ContactChannel { kPhone, kSms, kLetter, kHomeCall, kViaReferrer };
enum class ContactOutcome { kReached, kMessageLeft, kNoAnswer, kWrongNumber, kRefused };

std::string_view ChannelCode(ContactChannel c);
std::string_view ChannelLabel(ContactChannel c);
std::optional<ContactChannel> ParseChannel(std::string_view code);
const std::vector<ContactChannel>& AllChannels();

std::string_view OutcomeCode(ContactOutcome o);
std::string_view OutcomeLabel(ContactOutcome o);
std::optional<ContactOutcome> ParseOutcome(std::string_view code);
const std::vector<ContactOutcome>& AllOutcomes();

/// An attempt that did not reach the person (message left, no answer, wrong number).
bool IsFailedAttempt(ContactOutcome o);

struct ContactAttempt {
  std::int64_t id = 0;
  Instant at{};
  ContactChannel channel = ContactChannel::kPhone;
  ContactOutcome outcome = ContactOutcome::kNoAnswer;
  std::string note;
  std::string author_name;
};

/// The rule that proposes closing a case as *injoignable*.
struct UnreachableRule {
  int attempts = 3;  // failed attempts since the person was last reached
  int min_days = 10; // spread over at least this many days (first to last failed attempt)
};

/// Whether the attempts (any order) call for proposing closure as *injoignable*: at least
/// `rule.attempts` failed attempts since the last one that reached the person, the first
/// and the last of them at least `rule.min_days` calendar days apart (Europe/Paris).
bool ShouldProposeUnreachable(const std::vector<ContactAttempt>& attempts,
                              const UnreachableRule& rule);

/// What a worker typed for a contact attempt, before validation.
struct ContactAttemptInput {
  std::string date;  // YYYY-MM-DD
  std::string time;  // HH:MM
  std::string channel;
  std::string outcome;
  std::string note;
};

/// Validates and converts; errors name the fields "date", "time", "channel", "outcome", "note".
std::optional<ContactAttempt> ValidateContactAttempt(const ContactAttemptInput& in, Instant now,
                                                     FieldErrors& errors);

// ---- Appointments ----------------------------------------------------------------------------

enum class PlaceKind { kHome, kPartner, kPublicPlace, kPhone, kVideo };
enum class AppointmentStatus {
  kPlanned,
  kHonoured,
  kAbsent,
  kCancelledByPerson,
  kCancelledByTeam,
  kPostponed,
};
enum class ReferrerResponse { kNone, kPending, kAccepted, kDeclined };

std::string_view PlaceCode(PlaceKind p);
std::string_view PlaceLabel(PlaceKind p);
std::optional<PlaceKind> ParsePlace(std::string_view code);
const std::vector<PlaceKind>& AllPlaces();
/// The place needs the team to travel there (home, partner's premises, public place).
bool IsInPerson(PlaceKind p);

std::string_view AppointmentStatusCode(AppointmentStatus s);
std::string_view AppointmentStatusLabel(AppointmentStatus s);
std::optional<AppointmentStatus> ParseAppointmentStatus(std::string_view code);
/// The outcomes a planned appointment can be given (every status but kPlanned).
const std::vector<AppointmentStatus>& AppointmentOutcomes();

std::string_view ReferrerResponseCode(ReferrerResponse r);
std::string_view ReferrerResponseLabel(ReferrerResponse r);
std::optional<ReferrerResponse> ParseReferrerResponse(std::string_view code);

/// An appointment's time and place, as stored.
struct Appointment {
  AppointmentId id = 0;
  std::int64_t referral_id = 0;
  Instant starts_at{};
  Instant ends_at{};
  PlaceKind place = PlaceKind::kHome;
  std::string place_label;  // name of the partner's premises or public place
  std::string address_line;
  std::string postal_code;
  std::string city;
  std::string purpose;
  std::string to_bring;
  std::vector<UserId> workers;
  std::vector<std::string> worker_names;
  bool tripartite = false;
  std::optional<UserId> referrer_user_id;
  ReferrerResponse referrer_response = ReferrerResponse::kNone;
  AppointmentStatus status = AppointmentStatus::kPlanned;
  std::string outcome_note;
  std::optional<AppointmentId> rescheduled_to;
  std::optional<AppointmentId> rescheduled_from;
  int sequence = 0;  // iCalendar SEQUENCE: incremented on every change
  Instant updated_at{};
};

/// What a worker typed for an appointment, before validation.
struct AppointmentInput {
  std::string date;        // YYYY-MM-DD, Europe/Paris
  std::string start_time;  // HH:MM
  std::string duration_minutes;
  std::string place;
  std::string place_label;
  std::string address_line;
  std::string postal_code;
  std::string city;
  std::vector<std::string> workers;  // user ids as typed
  bool tripartite = false;
  std::string purpose;
  std::string to_bring;
};

/// Validates the input; a home visit without address takes `home` (the person's address).
/// Errors name the form fields ("date", "start_time", "duration_minutes", "place",
/// "address_line", "postal_code", "city", "workers", "purpose", "to_bring").
/// Wall-clock times are converted with the Europe/Paris rules (a time skipped by the spring
/// change is refused rather than silently moved).
std::optional<Appointment> ValidateAppointment(const AppointmentInput& in,
                                               const Appointment& home, Instant now,
                                               FieldErrors& errors);

/// One appointment already in a worker's agenda, as the conflict check needs it.
struct BusySlot {
  AppointmentId id = 0;
  Instant starts_at{};
  Instant ends_at{};
  bool in_person = true;
  std::string postal_code;
  std::string city;
  std::string label;  // shown in the conflict message: "Mme B. — 14 h 00 à 15 h 00"
};

struct Conflict {
  UserId worker = 0;
  AppointmentId other = 0;
  std::string message;  // French, names the time and why
};

/// Conflicts of `candidate` (for one worker) with their other appointments: overlapping
/// times, or two in-person appointments with less than `travel_minutes` between them.
std::vector<Conflict> FindConflicts(const BusySlot& candidate, UserId worker,
                                    const std::vector<BusySlot>& busy, int travel_minutes);

/// Estimated travel in minutes between two addresses, from the commune only (no geocoding
/// here): the same commune 10 min, neighbouring communes of the Cergy-Pontoise area by a
/// table of centroids at 25 km/h plus 8 min to park, otherwise 45 min. Symmetric.
int EstimatedTravelMinutes(std::string_view postal_a, std::string_view city_a,
                           std::string_view postal_b, std::string_view city_b);

struct SlotSuggestion {
  Instant starts_at{};
  Instant ends_at{};
  int added_travel_minutes = 0;
};

/// Free slots of `duration_minutes` on `day` for a home visit at (postal_code, city) for a
/// worker whose agenda is `busy`, between 9:00 and 17:30 on a quarter-hour grid, none in the
/// past, honouring the travel buffer; sorted by the travel they add to the day (from and to
/// the team's base, `base_postal_code`/`base_city`), then by time. At most `limit`.
std::vector<SlotSuggestion> SuggestSlots(const LocalDate& day, int duration_minutes,
                                         std::string_view postal_code, std::string_view city,
                                         const std::vector<BusySlot>& busy, int travel_minutes,
                                         std::string_view base_postal_code,
                                         std::string_view base_city, Instant now, int limit);

/// The instants at which reminders of an appointment are due: for each number of days
/// before (J-2, J-1…), 10:00 Europe/Paris that day; those already past are dropped.
std::vector<Instant> ReminderTimes(Instant starts_at, const std::vector<int>& days_before,
                                   Instant now);

/// "vers 14 h 30" for home visits (the team may be a little early or late), "à 14 h 30"
/// otherwise.
std::string ApproximateTime(Instant t, PlaceKind place);

}  // namespace allervers::domain
