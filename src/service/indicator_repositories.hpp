#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/indicators.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::service {

/// Whose activity the indicators count. Every referral belongs to one operator; the filters
/// narrow it down (docs/indicators.md §1.2).
struct IndicatorScope {
  std::optional<domain::StructureId> operator_id;  // none: every operator (the Département)
  std::optional<domain::StructureId> structure;    // the referring structure
  std::string territory;                           // of the referring structure; empty: all
  std::optional<domain::UserId> worker;            // an intervenant of the team

  bool filtered() const { return structure || !territory.empty() || worker; }
};

struct CountRow {
  std::string code;
  long long n = 0;
  long long minutes = 0;
  long long persons = 0;
};

struct WorkerRow {
  domain::UserId user_id = 0;
  std::string name;
  std::optional<double> fte;
  long long n = 0;
  long long minutes = 0;
  long long persons = 0;
};

struct ProcedureRow {
  std::string code;
  long long worked = 0;         // a status change or an intervention in the period
  long long persons = 0;        // distinct persons of those
  long long completed = 0;      // finished (« finalisée ») in the period
  long long rights_opened = 0;  // the organisation opened the right in the period
  long long right_persons = 0;
  long long amounts_known = 0;  // rights opened with an estimated monthly amount
  long long monthly_amount_cents = 0;
};

/// The counts that need no history: SQL aggregates over the period.
struct ActivityAggregates {
  long long interventions = 0;
  long long minutes = 0;
  long long persons = 0;
  std::vector<CountRow> by_place;
  std::vector<CountRow> by_modality;
  std::vector<CountRow> by_digital_theme;
  std::vector<CountRow> by_administrative_theme;
  std::vector<WorkerRow> per_worker;  // by name
  std::vector<ProcedureRow> procedures;
  std::map<std::string, long long> appointments;  // by status; "upcoming": planned, not past
  std::vector<CountRow> orientations;             // by kind of partner (n, persons)
};

struct SteeringRecord {
  domain::SteeringTexts texts;
  std::string updated_by;  // display name
  Instant updated_at{};
};

/// One intervention as one intervenant present declares it to La Coop de la médiation numérique
/// (docs/indicators.md §6): no name and no free text of the person.
struct CoopActivity {
  std::int64_t intervention_id = 0;
  domain::UserId user_id = 0;
  LocalDate occurred_on;
  Instant created_at{};
  Instant updated_at{};
  std::string place;
  int duration_minutes = 0;
  std::string autonomy;
  std::vector<std::string> equipment;
  std::vector<std::string> digital_themes;
  std::vector<std::string> administrative_themes;
  std::vector<std::string> procedures;       // catalogue codes
  std::optional<std::string> redirected_to;  // kind of partner of an orientation that day
  std::string place_city;                    // the appointment's, when the intervention has one
  std::string place_postal_code;
  std::string person_city;
  std::string person_postal_code;
  std::string person_gender;
  std::optional<LocalDate> person_birth_date;
  std::optional<int> person_birth_year;
};

class IndicatorRepository {
 public:
  virtual ~IndicatorRepository() = default;
  /// The referrals of the scope that may count in [p0, p1): received before p1, not closed
  /// (nor refused) before p0; with their closures and reopenings in order.
  virtual std::vector<domain::CaseFacts> CaseFacts(const IndicatorScope& scope, Instant p0,
                                                   Instant p1) = 0;
  /// `now` tells the appointments still to come from those whose result was not entered.
  virtual ActivityAggregates Activity(const IndicatorScope& scope, const domain::Period& period,
                                      Instant p0, Instant p1, Instant now) = 0;
  /// The team's interventions of [from, to] (local dates), one row per intervenant present,
  /// by date; `worker` keeps one intervenant's.
  virtual std::vector<CoopActivity> CoopActivities(domain::StructureId team,
                                                   std::optional<domain::UserId> worker,
                                                   const domain::Period& period, Instant p0,
                                                   Instant p1) = 0;
  /// The written parts of a team's quarterly report, if any were saved.
  virtual std::optional<SteeringRecord> Steering(domain::StructureId team, int year,
                                                 int quarter) = 0;
  virtual void SaveSteering(domain::StructureId team, int year, int quarter,
                            const domain::SteeringTexts& texts, std::optional<domain::UserId> by,
                            Instant now) = 0;
};

}  // namespace allervers::service
