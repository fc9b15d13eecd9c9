// Indicators benchmark: fills a database with the national-scale generator of `allervers demo
// --scale` (storage/scale_generator.cpp: persons across 100 teams, one referral each, about ten
// interventions each, contacts, appointments, bilans, procedures, orientations, closures), then
// times IndicatorService::Compute for one quarter — every indicator — for every team at once
// (the national view), for one territory (a Département's pilote) and for one team; and the
// dashboard's call, which adds the previous quarter. `bench/run` (issue 9, not written yet) is to
// call this program for its "indicators for a quarter" line.
//
//   cmake --build build -j2 --target bench_indicators
//   build/bench/bench_indicators --database sqlite:var/bench-ind-1M.db --persons 1000000
//   build/bench/bench_indicators --database postgresql://… --persons 1000000
//
// A filled database is reused as it is (delete the file, or drop the schema, to regenerate).
// The data is deterministic: every value is a function of the row number. Results go in
// docs/performance.md and the issue note; nothing here asserts a threshold.

#include <fmt/format.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/indicators.hpp"
#include "service/indicator_service.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/scale_generator.hpp"

namespace allervers::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kTeams = 100;

struct Options {
  std::string database;
  long long persons = 100000;
  int runs = 5;
};

// The shared generator of `allervers demo --scale`, ending on 31 December 2026 so that Q4 2026
// is a full quarter of activity.
void Fill(storage::Database& db, long long n) {
  auto generator = storage::MakeScaleGenerator(db);
  service::ScaleSpec spec;
  spec.persons = n;
  spec.teams = kTeams;
  spec.today = {2027, 1, 1};
  spec.password_hash = "x";  // nobody signs in to the benchmark's database
  generator->Generate(spec, [](const service::ScaleStep& step) {
    fmt::print("  {:<44} {:>11} rows {:>8.1f} s\n", step.what, step.rows, step.seconds);
    std::fflush(stdout);
  });
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Run(const Options& opt) {
  const auto url = storage::DatabaseUrl::Parse(opt.database);
  storage::Database db(url, storage::DatabaseOptions{});
  storage::Migrate(db, storage::LoadMigrations(ALLERVERS_SOURCE_DIR "/migrations", url.backend));
  long long persons = 0;
  db.WithSession(
      [&](soci::session& sql) { sql << "SELECT COUNT(*) FROM person", soci::into(persons); });
  if (persons == 0) {
    fmt::print("Generating {} persons, about {} interventions…\n", opt.persons, 10 * opt.persons);
    const auto start = SteadyClock::now();
    Fill(db, opt.persons);
    fmt::print("Generated in {:.1f} s\n",
               std::chrono::duration<double>(SteadyClock::now() - start).count());
    persons = opt.persons;
  } else {
    fmt::print("Reusing the database: {} persons\n", persons);
  }

  SystemClock clock;
  service::IndicatorService indicators(db, clock);
  const auto departement = service::Actor::System("bench");
  service::Actor team;
  team.kind = service::Actor::Kind::kUser;
  team.role = domain::Role::kCoordinateur;
  team.user_id = 1;
  team.structure_id = 1;
  const service::IndicatorQuery quarter{"2026-10-01", "2026-12-31", "", "", ""};
  // A Département's own pilote: the territory of the first team, filtered.
  std::string territory;
  db.WithSession([&](soci::session& sql) {
    sql << "SELECT territory FROM structure WHERE id = 1", soci::into(territory);
  });
  service::IndicatorQuery one_territory = quarter;
  one_territory.territory = territory;

  fmt::print("\n{} — {} persons, {} teams, indicators of Q4 2026 ({} runs)\n",
             url.backend == storage::Backend::kSqlite ? "SQLite" : "PostgreSQL", persons, kTeams,
             opt.runs);
  struct Case {
    std::string label;
    service::Actor actor;
    service::IndicatorQuery query;
    service::IndicatorScope scope;  // the same, for the parts
  };
  service::IndicatorScope team_scope;
  team_scope.operator_id = 1;
  service::IndicatorScope territory_scope;
  territory_scope.territory = territory;
  const std::vector<Case> cases = {
      {"every team (national)", departement, quarter, {}},
      {"one territory (" + territory + ")", departement, one_territory, territory_scope},
      {"one team (coordinator)", team, quarter, team_scope}};
  const auto ms_since = [](SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  };
  for (const auto& c : cases) {
    std::vector<double> ms;
    std::vector<double> dashboard_ms;
    long long follow_ups = 0;
    for (int run = 0; run < opt.runs; ++run) {
      auto start = SteadyClock::now();
      const auto result = indicators.Compute(c.actor, c.query, false);
      ms.push_back(ms_since(start));
      follow_ups = result.current->cases.follow_ups;
      // The dashboard shows the previous quarter beside it: two computations.
      start = SteadyClock::now();
      (void)indicators.Compute(c.actor, c.query, true);
      dashboard_ms.push_back(ms_since(start));
    }
    fmt::print(
        "  {:<34} median {:>8.1f} ms  min {:>8.1f} ms  dashboard (with the previous quarter) "
        "{:>8.1f} ms  (follow-ups: {})\n",
        c.label, Median(ms), *std::min_element(ms.begin(), ms.end()), Median(dashboard_ms),
        follow_ups);
  }
  // The figures, and where the time goes: the per-referral facts (history rules, loaded from
  // the period and the year so far) and the activity aggregates.
  const auto result = indicators.Compute(departement, quarter, false);
  const auto& f = result.current->cases;
  const auto& a = result.current->activity;
  fmt::print(
      "  figures: received {} ({} persons), receptions {}, follow-ups {} (new {}), exits {}, "
      "interventions {} ({} min, {} persons), appointments honoured {}\n",
      f.referrals_received, f.referral_persons, f.receptions, f.follow_ups, f.follow_ups_new,
      f.exits, a.interventions, a.minutes, a.persons,
      a.appointments.contains("honoured") ? a.appointments.at("honoured") : 0);
  const domain::Period period{{2026, 10, 1}, {2026, 12, 31}};
  const Instant p0 = paris::FromLocal(period.from, 0, 0);
  const Instant p1 = paris::FromLocal({2027, 1, 1}, 0, 0);
  const Instant y0 = paris::FromLocal({2026, 1, 1}, 0, 0);
  for (const auto& c : cases) {
    db.Read([&](service::Tx& tx) {
      auto start = SteadyClock::now();
      const auto facts = tx.indicators().CaseFacts(c.scope, y0, p1);
      const double facts_ms = ms_since(start);
      start = SteadyClock::now();
      const auto computed = domain::ComputeCaseIndicators(facts, period);
      const double rules_ms = ms_since(start);
      start = SteadyClock::now();
      const auto activity = tx.indicators().Activity(c.scope, period, p0, p1, p1);
      const double activity_ms = ms_since(start);
      fmt::print(
          "  {}, by part: case facts {:.1f} ms ({} referrals loaded), rules in C++ {:.1f} ms, "
          "activity aggregates {:.1f} ms ({} interventions)\n",
          c.label, facts_ms, facts.size(), rules_ms, activity_ms, activity.interventions);
      (void)computed;
    });
  }
  return 0;
}

}  // namespace
}  // namespace allervers::bench

int main(int argc, char** argv) {
  allervers::bench::Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--database") {
      opt.database = value;
    } else if (flag == "--persons") {
      opt.persons = std::atoll(value.c_str());
    } else if (flag == "--runs") {
      opt.runs = std::max(1, std::atoi(value.c_str()));
    } else {
      fmt::print(stderr, "Unknown option {}\n", flag);
      return 2;
    }
  }
  if (opt.database.empty()) {
    fmt::print(stderr,
               "Usage: bench_indicators --database sqlite:FILE|postgresql://… [--persons N] "
               "[--runs R]\n");
    return 2;
  }
  try {
    return allervers::bench::Run(opt);
  } catch (const allervers::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  }
}
