#pragma once

// The port of the national-scale generator (`allervers demo --scale N`, bench/indicators): a
// consistent fictitious activity written with set-based SQL. Declared here so that the service
// and the benchmark depend on an interface; storage/scale_generator.cpp implements it.

#include <functional>
#include <string>

#include "common/time.hpp"

namespace allervers::service {

/// What to generate. Every value is a function of the person's number: two runs with the same
/// spec give the same rows.
struct ScaleSpec {
  long long persons = 0;
  int teams = 100;            // one territory each: a team (opérateur), an SSD, their accounts
  int span_days = 1461;       // referrals received over the span_days days before `today`
  LocalDate today;            // the dataset's "now": no row is dated on or after it, except the
                              // appointments still planned
  std::string password_hash;  // every generated account's password hash
};

/// One step done: what, how many rows, how long.
struct ScaleStep {
  std::string what;
  long long rows = 0;
  double seconds = 0.0;
};

class ScaleGenerator {
 public:
  virtual ~ScaleGenerator() = default;
  /// True when the database holds no structure, account, person or referral.
  virtual bool IsEmpty() = 0;
  /// Fills an empty, migrated database in one transaction (nothing is left on failure) and
  /// refreshes the planner's statistics. `progress` is called after each step.
  virtual void Generate(const ScaleSpec& spec,
                        const std::function<void(const ScaleStep&)>& progress) = 0;
};

}  // namespace allervers::service
