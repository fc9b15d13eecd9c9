#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/reference.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"
#include "service/structure_service.hpp"
#include "service/user_service.hpp"

namespace allervers::service {

class CaseService;

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

/// Fills a new database with a realistic, fictitious Cergy dataset: structures, an account of
/// every role, and fiches de liaison received over the last weeks in every state the product
/// supports so far. Refuses a database that already holds other data, so that it can never
/// mix demo data with real cases. Every person is fictitious.
class DemoSeeder {
 public:
  static constexpr const char* kPassword = "visite-a-domicile-95";
  static constexpr const char* kOperatorCode = "EMN-CERGY";

  /// `partner_directory` is a data·inclusion JSON export (data/demo/partenaires.json) imported
  /// as the demo's directory of partners; empty: no directory.
  DemoSeeder(StructureService& structures, UserService& users, Store& store,
             const domain::ReferenceData& reference, const Clock& clock, const TokenService& tokens,
             const SecretSealer& sealer, std::string partner_directory = {})
      : structures_(structures),
        users_(users),
        store_(store),
        reference_(reference),
        clock_(clock),
        tokens_(tokens),
        sealer_(sealer),
        partner_directory_(std::move(partner_directory)) {}

  DemoResult Run();

 private:
  void SeedPartners();
  void SeedReferrals();
  /// A fortnight of the two intervenants' work across Cergy's quarters: contact attempts, last
  /// week's appointments with their outcomes, next week's with their letters and reminders.
  void SeedFortnight();
  void SeedSteering();
  void SeedVisit(CaseService& cases, const Actor& worker, domain::ReferralId referral,
                 const LocalDate& day, const std::string& procedure, int index);
  /// The rest of an accompaniment begun with a visit on `first_visit`: a second visit, the
  /// right opened, an orientation done, a co-accompaniment review, the final bilan, the closure
  /// with `closure` and the retour to the referrer; a case `delegated` wholly to the team gets
  /// its written quarterly report for the territory manager.
  void SeedFollowUp(CaseService& cases, ManualClock& clock, const Actor& worker,
                    domain::ReferralId referral, const LocalDate& first_visit,
                    const std::string& procedure, const std::string& closure,
                    const std::string& amount, bool oriented, bool tripartite, bool delegated,
                    int index);

  StructureService& structures_;
  UserService& users_;
  Store& store_;
  const domain::ReferenceData& reference_;
  const Clock& clock_;
  const TokenService& tokens_;
  const SecretSealer& sealer_;
  std::string partner_directory_;
};

}  // namespace allervers::service
