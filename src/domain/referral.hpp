#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "domain/field_error.hpp"
#include "domain/identity.hpp"
#include "domain/reference.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::domain {

using ReferralId = std::int64_t;
using PersonId = std::int64_t;

/// The life of a fiche de liaison (DESIGN.md §2, steps 1–9).
enum class ReferralStatus {
  kDraft,           // being written by the referrer
  kReceived,        // submitted, waiting for triage
  kAccepted,        // taken on, assigned to an intervenant
  kContact,         // trying to reach the person
  kAppointmentSet,  // a first appointment is fixed
  kInProgress,      // accompaniment under way
  kClosed,          // accompaniment ended
  kNotReceivable,   // declared not receivable at triage
  kRedirected,      // sent to another structure at triage
  kWithdrawn,       // withdrawn by the referrer
};

std::string_view StatusCode(ReferralStatus s);
std::string_view StatusLabel(ReferralStatus s);
std::optional<ReferralStatus> ParseStatus(std::string_view code);
const std::vector<ReferralStatus>& AllStatuses();

/// The transitions allowed by the status machine; every other one is refused.
bool CanTransition(ReferralStatus from, ReferralStatus to);

/// Open statuses: the referral still needs something from the team.
bool IsOpen(ReferralStatus s);

/// An accompaniment under way: taken on by the team and not ended (bilans, interventions
/// and notes may be written).
bool IsTakenOn(ReferralStatus s);

/// What a referrer types (form, API or CSV), before validation. Field names in errors follow
/// the API: "person.last_name", "person.address.postal_code", "consent.date"…
struct ReferralInput {
  std::string referrer_name;
  std::string referrer_email;
  std::string referrer_phone;
  std::string referrer_function;

  std::string last_name;   // nom de naissance (or the only name known)
  std::string usage_name;  // nom d'usage, when different
  std::string first_names;
  std::string birth_date;  // YYYY-MM-DD
  std::string birth_year;  // when only the year is known
  std::string gender;
  std::string phone;
  std::string email;
  std::string address_line;
  std::string postal_code;
  std::string city;
  std::string language;
  bool interpreter_needed = false;
  std::vector<std::string> contact_preferences;
  std::string availability;
  std::string adaptations;
  std::string carer;

  std::vector<std::string> situations;
  std::vector<std::string> procedures;
  std::vector<std::string> digital_difficulties;
  std::string difficulties;  // free text
  std::vector<std::string> presumed_rights;
  std::string reason;  // motif, free text

  std::string urgency;  // "0".."3"
  std::string urgency_reason;
  bool tripartite_requested = false;
  std::string tripartite_availability;

  bool consent_given = false;
  std::string consent_date;  // YYYY-MM-DD
  std::string consent_how;
};

/// A validated referral's person, normalised (NFC text, E.164 phone, lower-case e-mail).
struct PersonData {
  std::string birth_name;
  std::string usage_name;
  std::string first_names;
  std::optional<LocalDate> birth_date;
  std::optional<int> birth_year;
  std::string gender;
  std::string phone;
  std::string email;
  std::string address_line;
  std::string postal_code;
  std::string city;
  std::string language;
  bool interpreter_needed = false;
  std::vector<std::string> contact_preferences;
  std::string availability;
  std::string adaptations;
  std::string carer;

  PersonIdentity Identity() const;
};

struct ReferralData {
  std::string referrer_name;
  std::string referrer_email;
  std::string referrer_phone;
  std::string referrer_function;
  PersonData person;
  std::vector<std::string> situations;
  std::vector<std::string> procedures;
  std::vector<std::string> digital_difficulties;
  std::string difficulties;
  std::vector<std::string> presumed_rights;
  std::string reason;
  int urgency = 0;
  std::string urgency_reason;
  bool tripartite_requested = false;
  std::string tripartite_availability;
  LocalDate consent_date;
  std::string consent_how;
};

/// Checks the person's fields of `in` (identity, contacts, address, language…) into `out`,
/// appending to `errors`; used alone when a person's record is rectified.
void ValidatePersonFields(const ReferralInput& in, const ReferenceData& ref, const LocalDate& today,
                          PersonData& out, FieldErrors& errors);

/// Checks every field and fills `out` when there is no error. `today` bounds dates.
FieldErrors ValidateReferral(const ReferralInput& in, const ReferenceData& ref,
                             const LocalDate& today, ReferralData& out);

/// "FL-2026-00042".
std::string FormatReferralNumber(int year, int sequence);

/// Urgency labels, 0 to 3.
std::string_view UrgencyLabel(int urgency);

}  // namespace allervers::domain
