#include "service/demo.hpp"

#include "common/error.hpp"

namespace allervers::service {
namespace {

struct DemoStructure {
  const char* code;
  const char* name;
  const char* kind;
  const char* territory;
};

constexpr DemoStructure kStructures[] = {
    {"EMN-CERGY", "Équipe mobile numérique de Cergy (Association Lien Numérique 95)", "operateur",
     "Cergy"},
    {"SSD-CERGY", "Service social départemental – Espace départemental des solidarités de Cergy",
     "ssd", "Cergy"},
    {"SSD-PONTOISE",
     "Service social départemental – Espace départemental des solidarités de Pontoise", "ssd",
     "Pontoise"},
    {"CCAS-CERGY", "CCAS de Cergy", "partenaire", "Cergy"},
    {"CAF-95", "CAF du Val-d’Oise – point d’accueil de Cergy", "partenaire", "Val-d’Oise"},
    {"BAILLEUR-CERGY", "Cergy Habitat Solidaire (bailleur social)", "partenaire", "Cergy"},
    {"ASSO-ALPHA", "Association Alpha Cergy – ateliers sociolinguistiques", "partenaire", "Cergy"},
    {"FS-CERGY", "France services de Cergy-le-Haut", "partenaire", "Cergy"},
};

struct DemoUser {
  const char* email;
  const char* name;
  const char* role;
  const char* structure;
  const char* fte;
};

constexpr DemoUser kUsers[] = {
    {"admin@allervers.example", "Sofiane Admin", "admin", "", ""},
    {"coordination@emn-cergy.example", "Claire Lefèvre", "coordinateur", "EMN-CERGY", "0,5"},
    {"yanis.benali@emn-cergy.example", "Yanis Benali", "intervenant", "EMN-CERGY", "1"},
    {"lea.nguyen@emn-cergy.example", "Léa Nguyen", "intervenant", "EMN-CERGY", "0,5"},
    {"as.cergy@ssd95.example", "Nadia Ouedraogo", "prescripteur", "SSD-CERGY", ""},
    {"as.pontoise@ssd95.example", "Marc Durand", "prescripteur", "SSD-PONTOISE", ""},
    {"accueil@ccas-cergy.example", "Isabelle Moreau", "prescripteur", "CCAS-CERGY", ""},
    {"conseillere@caf95.example", "Aïcha Diallo", "prescripteur", "CAF-95", ""},
    {"gestion@cergy-habitat.example", "Thomas Petit", "prescripteur", "BAILLEUR-CERGY", ""},
    {"responsable.territoire@ssd95.example", "Hélène Garnier", "pilote", "SSD-CERGY", ""},
};

std::vector<DemoSignIn> SignIns() {
  std::vector<DemoSignIn> out;
  for (const auto& u : kUsers) {
    out.push_back({std::string(domain::RoleLabel(*domain::ParseRole(u.role))) +
                       (std::string(u.structure).empty() ? "" : " – " + std::string(u.structure)),
                   u.email});
  }
  return out;
}

}  // namespace

DemoResult DemoSeeder::Run() {
  const Actor system = Actor::System("demo");
  DemoResult result;
  result.password = kPassword;
  result.sign_ins = SignIns();

  std::vector<domain::Structure> existing = structures_.List(system);
  if (!existing.empty()) {
    for (const auto& s : existing) {
      if (s.code == kOperatorCode) {
        result.outcome = DemoOutcome::kAlreadyPresent;
        return result;
      }
    }
    result.outcome = DemoOutcome::kDatabaseNotEmpty;
    return result;
  }

  for (const auto& s : kStructures) {
    auto saved =
        structures_.Create(system, domain::StructureInput{s.code, s.name, s.kind, s.territory});
    if (!saved.errors.empty()) {
      throw Error(ErrorCode::kInternal,
                  "Données de démonstration invalides : " + saved.errors.front().message);
    }
  }
  for (const auto& u : kUsers) {
    auto saved =
        users_.Create(system, domain::UserInput{u.email, u.name, u.role, u.structure, u.fte},
                      std::string(kPassword));
    if (!saved.errors.empty()) {
      throw Error(ErrorCode::kInternal,
                  "Données de démonstration invalides : " + saved.errors.front().field + " : " +
                      saved.errors.front().message);
    }
  }
  result.outcome = DemoOutcome::kSeeded;
  return result;
}

}  // namespace allervers::service
