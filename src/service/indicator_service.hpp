#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/accompaniment.hpp"
#include "domain/indicators.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"
#include "service/indicator_repositories.hpp"

namespace allervers::service {

class Store;

/// Every indicator of one period (docs/indicators.md), exact: the presentation applies the
/// small-cell rule where figures leave the team.
struct Indicators {
  domain::Period period;
  IndicatorScope scope;
  Instant generated_at{};
  domain::CaseIndicators cases;
  ActivityAggregates activity;
  double team_fte = 0.0;  // setting; 0 when unknown
  std::optional<double> interventions_per_fte;
  long long budget_eur = 0;  // yearly, setting
  std::optional<long long> period_budget_cents;
  std::optional<long long> cost_per_follow_up_cents;
  std::optional<double> no_show_rate;  // absent ÷ (honoured + absent)
  bool has_targets = false;            // not with filters: targets are the whole action's
  domain::TargetProgress follow_ups_target;
  domain::TargetProgress receptions_target;
};

/// A team's quarterly steering report: its figures (under the small-cell rule when it leaves
/// the team, as a file always does) and the parts written by the coordinator.
struct SteeringReport {
  domain::Structure team;
  domain::Quarter quarter;
  Indicators indicators;
  std::optional<SteeringRecord> texts;
  bool editable = false;                 // the coordinator of the team
  std::vector<domain::Structure> teams;  // the teams the actor may choose from
};

struct IndicatorQuery {
  std::string from;  // YYYY-MM-DD or JJ/MM/AAAA
  std::string to;
  std::string structure;  // id, empty for all
  std::string territory;
  std::string worker;  // id, empty for all
};

struct IndicatorResult {
  domain::FieldErrors errors;
  std::optional<Indicators> current;
  std::optional<Indicators> previous;  // the same span just before, for comparison
};

/// Computes the indicators of a period: the coordinator's for their team (exact figures, every
/// filter), the Département's (pilote, admin, API clients with `indicators:read`) for every
/// operator (no intervenant filter; figures leave the team with the small-cell rule applied by
/// the presentation: `SuppressSmallCells`).
class IndicatorService {
 public:
  IndicatorService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  IndicatorResult Compute(const Actor& actor, const IndicatorQuery& q, bool with_previous);
  /// Whether the actor sees figures under the small-cell rule (everyone but the team).
  static bool SuppressSmallCells(const Actor& actor);
  /// The referring structures and territories the filters offer.
  struct FilterChoices {
    std::vector<domain::Structure> structures;
    std::vector<std::string> territories;
    std::vector<domain::User> workers;  // the coordinator's team only
  };
  FilterChoices Choices(const Actor& actor);

  /// The report of one quarter ("2026", "4"): the coordinator's own team; for the Département,
  /// `team` (a structure id, empty for the first team). Error(kInvalidArgument) for a bad
  /// quarter, kNotFound for a team that is not an operator.
  SteeringReport Steering(const Actor& actor, const std::string& team, const std::string& year,
                          const std::string& quarter);
  /// The activity export in La Coop de la médiation numérique's layout, for one intervenant:
  /// an intervenant their own, a coordinator any member of the team ("" = the whole team).
  /// Audited (who exported whose activity, and the period).
  struct CoopExport {
    domain::FieldErrors errors;
    domain::Period period;
    std::vector<CoopActivity> rows;
  };
  CoopExport Coop(const Actor& actor, const std::string& from, const std::string& to,
                  const std::string& worker);
  /// Saves the written parts (coordinator, own team); audited.
  domain::FieldErrors SaveSteering(const Actor& actor, const std::string& year,
                                   const std::string& quarter, domain::SteeringTexts texts);

 private:
  Indicators ComputeOne(const IndicatorScope& scope, const domain::Period& p);

  Store& store_;
  const Clock& clock_;
};

}  // namespace allervers::service
