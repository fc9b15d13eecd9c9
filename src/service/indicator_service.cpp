#include "service/indicator_service.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/error.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "service/repositories.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

std::optional<std::int64_t> IdParam(const std::string& raw, const char* field, const char* message,
                                    domain::FieldErrors& errors) {
  if (raw.empty()) {
    return std::nullopt;
  }
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || ptr != raw.data() + raw.size() || id <= 0) {
    errors.push_back({field, message});
    return std::nullopt;
  }
  return id;
}

bool IsTeam(const Actor& actor) {
  return actor.is_user() && actor.role == domain::Role::kCoordinateur;
}

}  // namespace

bool IndicatorService::SuppressSmallCells(const Actor& actor) { return !IsTeam(actor); }

IndicatorService::FilterChoices IndicatorService::Choices(const Actor& actor) {
  Require(actor, Permission::kViewIndicators);
  FilterChoices out;
  store_.Read([&](Tx& tx) {
    for (auto& s : tx.structures().List()) {
      if (s.kind != domain::StructureKind::kOperateur) {
        if (!s.territory.empty() && std::find(out.territories.begin(), out.territories.end(),
                                              s.territory) == out.territories.end()) {
          out.territories.push_back(s.territory);
        }
        out.structures.push_back(std::move(s));
      }
    }
    if (IsTeam(actor) && actor.structure_id) {
      out.workers = ActiveTeam(tx, *actor.structure_id);
    }
  });
  std::sort(out.territories.begin(), out.territories.end());
  return out;
}

IndicatorResult IndicatorService::Compute(const Actor& actor, const IndicatorQuery& q,
                                          bool with_previous) {
  Require(actor, Permission::kViewIndicators);
  IndicatorResult result;
  domain::Period period;
  result.errors = domain::ParsePeriod(q.from, q.to, period);
  IndicatorScope scope;
  // The team sees its own operator; the Département every operator.
  if (IsTeam(actor)) {
    if (!actor.structure_id) {
      throw Error(ErrorCode::kPermissionDenied, "Votre compte n’est rattaché à aucune équipe.");
    }
    scope.operator_id = actor.structure_id;
  }
  scope.structure =
      IdParam(q.structure, "structure", "Choisissez une structure de la liste.", result.errors);
  scope.worker =
      IdParam(q.worker, "worker", "Choisissez un intervenant de la liste.", result.errors);
  if (scope.worker && !IsTeam(actor)) {
    // Activity per person of the team stays in the team.
    result.errors.push_back({"worker", "Le filtre par intervenant est réservé à la coordination."});
  }
  if (q.territory.size() > 120) {
    result.errors.push_back({"territory", "Choisissez un territoire de la liste."});
  }
  scope.territory = q.territory;
  if (!result.errors.empty()) {
    return result;
  }
  store_.Read([&](Tx& tx) {
    if (scope.structure) {
      const auto s = tx.structures().FindById(*scope.structure);
      if (!s || s->kind == domain::StructureKind::kOperateur) {
        result.errors.push_back({"structure", "Choisissez une structure de la liste."});
      }
    }
    if (scope.worker && actor.structure_id) {
      const auto team = ActiveTeam(tx, *actor.structure_id);
      if (std::none_of(team.begin(), team.end(),
                       [&](const domain::User& u) { return u.id == *scope.worker; })) {
        result.errors.push_back({"worker", "Choisissez un intervenant de la liste."});
      }
    }
  });
  if (!result.errors.empty()) {
    return result;
  }
  result.current = ComputeOne(scope, period);
  if (with_previous) {
    result.previous = ComputeOne(scope, domain::PreviousPeriod(period));
  }
  return result;
}

Indicators IndicatorService::ComputeOne(const IndicatorScope& scope, const domain::Period& p) {
  Indicators out;
  out.period = p;
  out.scope = scope;
  out.generated_at = clock_.Now();
  const Instant p0 = paris::FromLocal(p.from, 0, 0);
  const Instant p1 = paris::FromLocal(AddDays(p.to, 1), 0, 0);
  // The year so far, for the targets: one load covers it and the period.
  const domain::Period year{{p.to.year, 1, 1}, p.to};
  const Instant y0 = paris::FromLocal(year.from, 0, 0);
  std::vector<domain::CaseFacts> facts;
  int target_follow_ups = 0;
  int target_receptions = 0;
  int fte_hundredths = 0;
  store_.Read([&](Tx& tx) {
    facts = tx.indicators().CaseFacts(scope, std::min(p0, y0), p1);
    out.activity = tx.indicators().Activity(scope, p, p0, p1, out.generated_at);
    target_follow_ups = IntSetting(tx, "indicators.target_follow_ups");
    target_receptions = IntSetting(tx, "indicators.target_receptions");
    out.budget_eur = IntSetting(tx, "indicators.budget_eur");
    fte_hundredths = IntSetting(tx, "indicators.team_fte_hundredths");
  });
  out.cases = domain::ComputeCaseIndicators(facts, p);
  const auto& a = out.activity;
  const auto absent = a.appointments.contains("absent") ? a.appointments.at("absent") : 0;
  const auto honoured = a.appointments.contains("honoured") ? a.appointments.at("honoured") : 0;
  if (absent + honoured > 0) {
    out.no_show_rate = static_cast<double>(absent) / static_cast<double>(absent + honoured);
  }
  // Budget, FTE and targets belong to the whole action: not under a filter.
  if (!scope.filtered()) {
    out.team_fte = fte_hundredths / 100.0;
    if (fte_hundredths > 0) {
      out.interventions_per_fte = static_cast<double>(a.interventions) / out.team_fte;
    }
    if (out.budget_eur > 0) {
      // The yearly budget spread over the days of each year the period covers.
      double exact = 0.0;
      for (LocalDate d = p.from; d <= p.to; d = AddDays(d, 1)) {
        exact += static_cast<double>(out.budget_eur) * 100.0 /
                 DaysBetween({d.year, 1, 1}, {d.year + 1, 1, 1});
      }
      const long long cents = std::llround(exact);
      out.period_budget_cents = cents;
      if (out.cases.follow_ups > 0) {
        out.cost_per_follow_up_cents = cents / out.cases.follow_ups;
      }
    }
    const auto so_far = domain::ComputeCaseIndicators(facts, year);
    out.has_targets = true;
    out.follow_ups_target = domain::Progress(target_follow_ups, so_far.follow_ups, p.to);
    out.receptions_target = domain::Progress(target_receptions, so_far.receptions, p.to);
  }
  return out;
}

namespace {

domain::Quarter QuarterParam(const std::string& year, const std::string& quarter) {
  const auto q = domain::ParseQuarter(year, quarter);
  if (!q) {
    throw Error(ErrorCode::kInvalidArgument,
                "Trimestre inconnu : choisissez une année et un trimestre de 1 à 4.");
  }
  return *q;
}

}  // namespace

IndicatorService::CoopExport IndicatorService::Coop(const Actor& actor, const std::string& from,
                                                    const std::string& to,
                                                    const std::string& worker) {
  Require(actor, Permission::kExportActivity);
  CoopExport out;
  out.errors = domain::ParsePeriod(from, to, out.period);
  auto who = IdParam(worker, "worker", "Choisissez un intervenant de la liste.", out.errors);
  if (!actor.structure_id) {
    throw Error(ErrorCode::kPermissionDenied, "Votre compte n’est rattaché à aucune équipe.");
  }
  if (actor.role == domain::Role::kIntervenant) {
    // An intervenant exports their own activity only.
    if (who && *who != actor.user_id) {
      out.errors.push_back({"worker", "Vous pouvez exporter votre propre activité seulement."});
    }
    who = actor.user_id;
  }
  if (!out.errors.empty()) {
    return out;
  }
  const Instant p0 = paris::FromLocal(out.period.from, 0, 0);
  const Instant p1 = paris::FromLocal(AddDays(out.period.to, 1), 0, 0);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    if (who) {
      const auto team = ActiveTeam(tx, *actor.structure_id);
      if (std::none_of(team.begin(), team.end(),
                       [&](const domain::User& u) { return u.id == *who; })) {
        out.errors.push_back({"worker", "Choisissez un intervenant de la liste."});
        return;
      }
    }
    out.rows = tx.indicators().CoopActivities(*actor.structure_id, who, out.period, p0, p1);
    tx.audit().Append(MakeAuditEvent(
        actor, now, "activity.export_coop", "user", who ? std::to_string(*who) : "", "success",
        "from=" + ToIso(out.period.from) + " to=" + ToIso(out.period.to)));
  });
  return out;
}

SteeringReport IndicatorService::Steering(const Actor& actor, const std::string& team,
                                          const std::string& year, const std::string& quarter) {
  Require(actor, Permission::kViewIndicators);
  SteeringReport out;
  out.quarter = QuarterParam(year, quarter);
  store_.Read([&](Tx& tx) {
    for (auto& s : tx.structures().List()) {
      if (s.kind == domain::StructureKind::kOperateur &&
          (!IsTeam(actor) || (actor.structure_id && s.id == *actor.structure_id))) {
        out.teams.push_back(std::move(s));
      }
    }
  });
  domain::FieldErrors ignored;
  const auto wanted = IdParam(team, "team", "", ignored);
  const auto found = std::find_if(out.teams.begin(), out.teams.end(),
                                  [&](const auto& s) { return !wanted || s.id == *wanted; });
  if (found == out.teams.end() || !ignored.empty()) {
    throw Error(ErrorCode::kNotFound, "Cette équipe n’existe pas.");
  }
  out.team = *found;
  out.editable = Allows(actor, Permission::kWriteSteeringReport) && actor.structure_id &&
                 *actor.structure_id == out.team.id;
  IndicatorScope scope;
  scope.operator_id = out.team.id;
  out.indicators =
      ComputeOne(scope, {domain::QuarterStart(out.quarter), domain::QuarterEnd(out.quarter)});
  store_.Read([&](Tx& tx) {
    out.texts = tx.indicators().Steering(out.team.id, out.quarter.year, out.quarter.quarter);
  });
  return out;
}

domain::FieldErrors IndicatorService::SaveSteering(const Actor& actor, const std::string& year,
                                                   const std::string& quarter,
                                                   domain::SteeringTexts texts) {
  Require(actor, Permission::kWriteSteeringReport);
  const auto q = QuarterParam(year, quarter);
  if (!actor.structure_id) {
    throw Error(ErrorCode::kPermissionDenied, "Votre compte n’est rattaché à aucune équipe.");
  }
  auto errors = domain::ValidateSteeringTexts(texts);
  if (!errors.empty()) {
    return errors;
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.indicators().SaveSteering(*actor.structure_id, q.year, q.quarter, texts,
                                 actor.is_user() ? std::optional(actor.user_id) : std::nullopt,
                                 now);
    // The texts are the team's account of its quarter: the audit row says which one only.
    tx.audit().Append(MakeAuditEvent(actor, now, "steering_report.update", "steering_report",
                                     std::to_string(*actor.structure_id) + "-" +
                                         std::to_string(q.year) + "-T" +
                                         std::to_string(q.quarter)));
  });
  return errors;
}

}  // namespace allervers::service
