#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "service/actor.hpp"
#include "service/structure_service.hpp"
#include "service/user_service.hpp"

namespace allervers::service {

/// A demo account to print for newcomers.
struct DemoSignIn {
  std::string role_label;
  std::string email;
};

enum class DemoOutcome { kSeeded, kAlreadyPresent, kDatabaseNotEmpty };

struct DemoResult {
  DemoOutcome outcome = DemoOutcome::kSeeded;
  std::vector<DemoSignIn> sign_ins;
  std::string password;
};

/// Fills a new database with a realistic, fictitious Cergy dataset. Refuses a database that
/// already holds other data, so that it can never mix demo data with real cases.
class DemoSeeder {
 public:
  static constexpr const char* kPassword = "visite-a-domicile-95";
  static constexpr const char* kOperatorCode = "EMN-CERGY";

  DemoSeeder(StructureService& structures, UserService& users)
      : structures_(structures), users_(users) {}

  DemoResult Run();

 private:
  StructureService& structures_;
  UserService& users_;
};

}  // namespace allervers::service
