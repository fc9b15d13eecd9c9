#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "service/demo.hpp"
#include "service/ports.hpp"
#include "service/scale_generator.hpp"

namespace allervers::service {

struct ScaleDemoResult {
  DemoOutcome outcome = DemoOutcome::kSeeded;
  std::vector<DemoSignIn> sign_ins;
  std::string password;
  double seconds = 0.0;
};

/// `allervers demo --scale N`: N fictitious persons with their whole accompaniment across 100
/// territories (ScaleGenerator), into an empty database only. The accounts share the demo
/// password.
class ScaleDemo {
 public:
  static constexpr long long kMinPersons = 1;
  static constexpr long long kMaxPersons = 10'000'000;
  static constexpr int kTeams = 100;

  ScaleDemo(ScaleGenerator& generator, const PasswordHasher& hasher, const Clock& clock)
      : generator_(generator), hasher_(hasher), clock_(clock) {}

  /// Throws Error kInvalidArgument when `persons` is outside [kMinPersons, kMaxPersons]; answers
  /// kDatabaseNotEmpty, writing nothing, when the database holds data.
  ScaleDemoResult Run(long long persons, const std::function<void(const ScaleStep&)>& progress);

  /// The e-mail of the generated accounts (team numbers from 1).
  static std::string CoordinatorEmail(int team);
  static std::string WorkerEmail(int team, int worker);

 private:
  ScaleGenerator& generator_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
};

}  // namespace allervers::service
