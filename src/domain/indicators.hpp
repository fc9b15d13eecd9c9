#pragma once

// The Département's indicators (docs/indicators.md): the rules that need a referral's history
// are computed here, from facts loaded per referral; plain counts are SQL aggregates
// (service/indicator_service.cpp). Everything is in local dates of Europe/Paris.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "domain/field_error.hpp"

namespace allervers::domain {

/// Both bounds included, as the user typed them; the instants are [from 00:00, to+1 00:00).
struct Period {
  LocalDate from;
  LocalDate to;
};

inline constexpr int kMaxPeriodDays = 3 * 366 + 1;

/// "YYYY-MM-DD" (or "JJ/MM/AAAA") bounds, `from` <= `to`, at most three years apart.
FieldErrors ParsePeriod(const std::string& from, const std::string& to, Period& out);
/// The same span just before (a quarter's previous quarter, a year's previous year, else the
/// same number of days ending the day before).
Period PreviousPeriod(const Period& p);
Period QuarterPeriod(int year, int quarter);

/// A closure (`reopened` false) or a reopening, in the order they happened.
struct ClosureEvent {
  LocalDate on;
  bool reopened = false;
};

/// What the indicators need to know of one referral (received, not a draft).
struct CaseFacts {
  std::int64_t referral_id = 0;
  std::int64_t person_key = 0;  // the person, after merges
  std::string status;           // current code
  std::string decision_reason;  // current: the closure reason once closed
  std::optional<LocalDate> received_on;
  std::optional<LocalDate> first_contact_on;  // first contact attempt that reached the person
  std::optional<LocalDate> first_session_on;  // honoured appointment, intervention or bilan
  std::vector<ClosureEvent> closures;
  std::string initial_level;  // of the completed initial bilan ("N0".."N3"), empty if none
  std::optional<LocalDate> initial_on;
  std::string final_level;
  // The person, as recorded today.
  std::optional<LocalDate> birth_date;
  std::optional<int> birth_year;
  std::string gender;
  std::string postal_code;
  std::string city;
};

struct DelayStats {
  long long n = 0;
  std::optional<double> median_days;
  std::optional<double> p90_days;  // nearest rank
};

/// Median and 90th percentile (nearest rank) of day counts; empty when there are none.
DelayStats Summarise(std::vector<long long> days);

struct CaseIndicators {
  long long referrals_received = 0;
  long long referral_persons = 0;
  long long receptions = 0;  // persons with a first session in the period
  long long follow_ups = 0;  // persons whose accompaniment was open during the period
  long long follow_ups_new = 0;
  long long follow_ups_continuing = 0;
  long long exits = 0;
  std::map<std::string, long long> exits_by_reason;  // closure reason codes
  DelayStats referral_to_contact;
  DelayStats contact_to_visit;
  DelayStats referral_to_visit;
  std::map<std::string, long long> entry_levels;  // initial bilans of the period, per person
  long long exits_with_levels = 0;
  long long exits_improved = 0;
  long long exits_unchanged = 0;
  long long exits_declined = 0;
  std::map<std::string, long long> age_bands;  // persons followed
  std::map<std::string, long long> genders;
  std::map<std::string, long long> communes;  // "95000 Cergy"
};

/// The closure reason kept when a closure was later undone (its reason is not historised).
inline constexpr const char* kUnknownClosureReason = "inconnu";

CaseIndicators ComputeCaseIndicators(const std::vector<CaseFacts>& facts, const Period& p);

/// La Coop de la médiation numérique's age bands, at `on`: the year of `on` minus the birth
/// year (of the date when known), as La Coop counts.
std::string AgeBand(const std::optional<LocalDate>& birth_date,
                    const std::optional<int>& birth_year, const LocalDate& on);
const std::vector<std::string>& AgeBands();

/// The yearly target and where the year stands at `to`.
struct TargetProgress {
  int target = 0;
  long long actual = 0;   // from 1 January to `to`
  double pro_rata = 0.0;  // target × days elapsed ÷ days in the year
};
TargetProgress Progress(int target, long long actual, const LocalDate& to);

/// The written parts of the quarterly steering report, typed before it is generated.
struct SteeringTexts {
  std::string highlights;    // faits marquants
  std::string difficulties;  // difficultés
  std::string perspectives;  // perspectives
};
inline constexpr std::size_t kMaxSteeringText = 8000;
/// Trims each text; errors (fields "highlights", "difficulties", "perspectives") for text that
/// is not UTF-8 or longer than kMaxSteeringText characters.
FieldErrors ValidateSteeringTexts(SteeringTexts& texts);

/// The small-cell rule (docs/indicators.md §1.4): 1 to threshold-1 become "< threshold".
inline constexpr int kSmallCellThreshold = 5;
bool IsSmallCell(long long n, int threshold = kSmallCellThreshold);

}  // namespace allervers::domain
