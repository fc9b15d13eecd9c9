// Indicators benchmark: fills a database with a synthetic national-scale activity (persons
// across 100 teams, one referral each, ten interventions each, contacts, appointments, bilans,
// procedures, orientations, closures) with set-based SQL, then times IndicatorService::Compute
// for one quarter — every indicator — for the Département (all teams) and for one team.
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
#include "service/indicator_service.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace allervers::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr long long kStart = 1735686000;    // 2025-01-01 00:00 Paris
constexpr long long kSpan = 730LL * 86400;  // referrals received over two years
constexpr long long kDay = 86400;
constexpr int kTeams = 100;

struct Options {
  std::string database;
  long long persons = 100000;
  int runs = 5;
};

// Row generators: n numbered rows (i from 1 to n) in each dialect.
struct Dialect {
  storage::Backend backend;

  std::string With(long long n) const {
    return backend == storage::Backend::kSqlite
               ? fmt::format(
                     "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
                     "WHERE i < {}) ",
                     n)
               : std::string();
  }
  std::string From(long long n) const {
    return backend == storage::Backend::kSqlite
               ? std::string("s")
               : fmt::format("generate_series(CAST(1 AS BIGINT), {}) AS s(i)", n);
  }
  // The local date (YYYY-MM-DD, close enough to Paris time for a benchmark) of an epoch.
  std::string Date(const std::string& epoch) const {
    return backend == storage::Backend::kSqlite
               ? "date(" + epoch + ", 'unixepoch')"
               : "to_char(to_timestamp(" + epoch + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
  }
  std::string Insert(const std::string& table_and_columns, long long n,
                     const std::string& select) const {
    return "INSERT INTO " + table_and_columns + " " + With(n) + "SELECT " + select + " FROM " +
           From(n);
  }
};

// The moment person i's referral was received, spread over two years.
std::string Received(const std::string& i) {
  return fmt::format("({} + ({} * 104729) % {})", kStart, i, kSpan);
}

void Fill(storage::Database& db, long long n) {
  const Dialect d{db.backend()};
  const std::string r = Received("i");
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"teams and referring structures",
       d.Insert("structure (id, code, name, kind, territory, created_at)", 2 * kTeams,
                fmt::format("i, 'S' || i, 'Structure ' || i, CASE WHEN i <= {0} THEN 'operateur' "
                            "ELSE 'ssd' END, 'T' || (i % {0}), {1}",
                            kTeams, kStart))},
      {"intervenants",
       d.Insert("app_user (id, email, display_name, role, structure_id, fte, password_hash, "
                "password_changed_at, created_at)",
                2 * kTeams,
                fmt::format("i, 'w' || i || '@bench.example', 'Intervenant ' || i, 'intervenant', "
                            "1 + (i - 1) / 2, 1.0, 'x', {0}, {0}",
                            kStart))},
      {"persons",
       d.Insert("person (id, birth_name, first_names, birth_year, gender, postal_code, city, "
                "created_at, updated_at)",
                n,
                fmt::format("i, 'P' || i, 'X', 1940 + i % 65, CASE i % 3 WHEN 0 THEN 'femme' WHEN "
                            "1 THEN 'homme' ELSE '' END, '95' || (100 + i % 800), 'Commune ' || "
                            "(i % 800), {0}, {0}",
                            kStart))},
      {"referrals",
       d.Insert("referral (id, number, status, source, structure_id, operator_id, person_id, "
                "decision_reason, assigned_user_id, received_at, accepted_at, first_contact_at, "
                "first_visit_at, closed_at, created_at, updated_at)",
                n,
                fmt::format("i, 'FL-' || i, CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'in_progress' "
                            "END, 'api', {0} + 1 + i % {0}, 1 + i % {0}, i, CASE WHEN i % 3 = 0 "
                            "THEN 'objectifs_atteints' ELSE '' END, 1 + 2 * (i % {0}) + i % 2, "
                            "{1}, {1} + {2}, {1} + 2 * {2}, {1} + 7 * {2}, CASE WHEN i % 3 = 0 "
                            "THEN {1} + 150 * {2} END, {1}, {1}",
                            kTeams, r, kDay))},
      {"referral events (received)",
       d.Insert("referral_event (referral_id, at, actor_label, from_status, to_status)", n,
                fmt::format("i, {}, 'bench', '', 'received'", r))},
      {"referral events (closed)",
       d.Insert("referral_event (referral_id, at, actor_label, from_status, to_status)", n / 3,
                fmt::format("3 * i, {} + 150 * {}, 'bench', 'in_progress', 'closed'",
                            Received("(3 * i)"), kDay))},
      {"contact attempts",
       d.Insert("contact_attempt (referral_id, at, channel, outcome, created_at)", n,
                fmt::format("i, {0} + 2 * {1}, 'telephone', 'joint', {0} + 2 * {1}", r, kDay))},
      {"appointments (honoured)",
       d.Insert("appointment (id, referral_id, operator_id, starts_at, ends_at, place_kind, "
                "purpose, status, created_at, updated_at)",
                n,
                fmt::format("i, i, 1 + i % {0}, {1} + 7 * {2}, {1} + 7 * {2} + 3600, 'domicile', "
                            "'Démarches', 'honoured', {1}, {1}",
                            kTeams, r, kDay))},
      {"appointments (missed)",
       d.Insert("appointment (id, referral_id, operator_id, starts_at, ends_at, place_kind, "
                "purpose, status, created_at, updated_at)",
                n / 5,
                fmt::format("{3} + i, 5 * i, 1 + (5 * i) % {0}, {1} + 5 * {2}, {1} + 5 * {2} + "
                            "3600, 'domicile', 'Démarches', 'absent', {1}, {1}",
                            kTeams, Received("(5 * i)"), kDay, n))},
      {"interventions (ten per person)",
       d.Insert("intervention (id, referral_id, occurred_on, duration_minutes, place, modality, "
                "created_at, updated_at)",
                10 * n,
                fmt::format("i, 1 + (i - 1) / 10, {0}, 60, 'domicile', 'faire_avec', {1}, {1}",
                            d.Date(fmt::format("{} + (7 + 14 * ((i - 1) % 10)) * {}",
                                               Received("(1 + (i - 1) / 10)"), kDay)),
                            kStart))},
      {"intervention workers",
       d.Insert(
           "intervention_worker (intervention_id, user_id)", 10 * n,
           fmt::format("i, 1 + 2 * ((1 + (i - 1) / 10) % {0}) + (1 + (i - 1) / 10) % 2", kTeams))},
      {"intervention themes",
       d.Insert("intervention_item (intervention_id, kind, code)", 10 * n,
                "i, 'digital_theme', CASE i % 3 WHEN 0 THEN 'demarches' WHEN 1 THEN 'email' ELSE "
                "'smartphone' END")},
      {"initial bilans",
       d.Insert("assessment (referral_id, kind, grid_version, status, conducted_on, level, "
                "created_at, updated_at, completed_at)",
                n,
                fmt::format("i, 'initial', '2026.1', 'completed', {0}, 'N' || (i % 4), {1}, {1}, "
                            "{1}",
                            d.Date(fmt::format("{} + 7 * {}", r, kDay)), kStart))},
      {"final bilans",
       d.Insert(
           "assessment (referral_id, kind, grid_version, status, conducted_on, level, "
           "created_at, updated_at, completed_at)",
           n / 3,
           fmt::format("3 * i, 'final', '2026.1', 'completed', {0}, 'N' || (CASE WHEN (3 * "
                       "i) % 4 = 3 THEN 3 ELSE (3 * i) % 4 + 1 END), {1}, {1}, {1}",
                       d.Date(fmt::format("{} + 140 * {}", Received("(3 * i)"), kDay)), kStart))},
      {"procedures",
       d.Insert("case_procedure (id, referral_id, code, status, outcome, monthly_amount_cents, "
                "outcome_on, created_at, updated_at)",
                n,
                fmt::format("i, i, CASE i % 3 WHEN 0 THEN 'CAF-RSA' WHEN 1 THEN 'CPAM-C2S' ELSE "
                            "'LOG-DLS' END, 'finalisee', CASE WHEN i % 4 = 0 THEN 'ouvert' ELSE "
                            "'' END, CASE WHEN i % 4 = 0 THEN 50000 END, CASE WHEN i % 4 = 0 THEN "
                            "{0} END, {1}, {1}",
                            d.Date(fmt::format("{} + 60 * {}", r, kDay)), kStart))},
      {"procedure events",
       d.Insert("case_procedure_event (procedure_id, at, from_status, to_status)", n,
                fmt::format("i, {} + 60 * {}, 'en_cours', 'finalisee'", r, kDay))},
      {"orientations",
       d.Insert("orientation (referral_id, partner_name, partner_kind, reason, status, "
                "created_at, updated_at)",
                n / 3,
                fmt::format("3 * i, 'Partenaire', 'aide_sociale', 'Motif', 'proposee', {0} + 30 "
                            "* {1}, {0} + 30 * {1}",
                            Received("(3 * i)"), kDay))},
  };
  for (const auto& [what, sql] : steps) {
    const auto start = SteadyClock::now();
    db.WithSession([&](soci::session& s) {
      soci::transaction t(s);
      s << sql;
      t.commit();
    });
    fmt::print("  {:<32} {:>8.1f} s\n", what,
               std::chrono::duration<double>(SteadyClock::now() - start).count());
    std::fflush(stdout);
  }
  if (db.backend() == storage::Backend::kPostgres) {
    db.WithSession([](soci::session& s) { s << "ANALYZE"; });
  }
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
    fmt::print("Generating {} persons, {} interventions…\n", opt.persons, 10 * opt.persons);
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

  fmt::print("\n{} — {} persons, {} teams, indicators of Q4 2026 ({} runs)\n",
             url.backend == storage::Backend::kSqlite ? "SQLite" : "PostgreSQL", persons, kTeams,
             opt.runs);
  for (const auto& [label, actor] : std::vector<std::pair<std::string, service::Actor>>{
           {"Département (every team)", departement}, {"one team (coordinator)", team}}) {
    std::vector<double> ms;
    long long follow_ups = 0;
    for (int run = 0; run < opt.runs; ++run) {
      const auto start = SteadyClock::now();
      const auto result = indicators.Compute(actor, quarter, false);
      ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
      follow_ups = result.current->cases.follow_ups;
    }
    fmt::print("  {:<28} median {:>8.1f} ms  min {:>8.1f} ms  (follow-ups: {})\n", label,
               Median(ms), *std::min_element(ms.begin(), ms.end()), follow_ups);
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
