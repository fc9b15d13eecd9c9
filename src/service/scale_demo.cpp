#include "service/scale_demo.hpp"

#include <fmt/format.h>

#include <chrono>

#include "common/error.hpp"

namespace allervers::service {

std::string ScaleDemo::CoordinatorEmail(int team) {
  return fmt::format("coordination.t{:03}@emn.example", team);
}

std::string ScaleDemo::WorkerEmail(int team, int worker) {
  return fmt::format("intervenant{}.t{:03}@emn.example", worker, team);
}

ScaleDemoResult ScaleDemo::Run(long long persons,
                               const std::function<void(const ScaleStep&)>& progress) {
  if (persons < kMinPersons || persons > kMaxPersons) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("Le nombre de personnes est compris entre {} et {}.", kMinPersons,
                            kMaxPersons));
  }
  ScaleDemoResult result;
  result.password = DemoSeeder::kPassword;
  result.sign_ins = {{"Administrateur", "admin@allervers.example"},
                     {"Pilote du Département", "pilote@departement.example"},
                     {"Coordination (territoire 1)", CoordinatorEmail(1)},
                     {"Intervenant·e (territoire 1)", WorkerEmail(1, 1)},
                     {"Prescripteur (territoire 1)", "prescripteur.t001@ssd.example"}};
  if (!generator_.IsEmpty()) {
    result.outcome = DemoOutcome::kDatabaseNotEmpty;
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  ScaleSpec spec;
  spec.persons = persons;
  spec.teams = kTeams;
  spec.today = paris::Today(clock_.Now());
  // One hash for every account: they share the demo password.
  spec.password_hash = hasher_.Hash(DemoSeeder::kPassword);
  generator_.Generate(spec, progress);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace allervers::service
