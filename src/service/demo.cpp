#include "service/demo.hpp"

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/referral_service.hpp"

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
  SeedReferrals();
  result.outcome = DemoOutcome::kSeeded;
  return result;
}

namespace {

// Fictitious persons living around Cergy. Any resemblance to real persons is coincidental.
struct DemoReferral {
  const char* referrer;  // e-mail of the demo prescripteur
  int days_ago;          // received this many days before today
  int hour;
  const char* last_name;
  const char* usage_name;
  const char* first_names;
  const char* birth_date;  // or ""
  const char* birth_year;  // when only the year is known
  const char* gender;
  const char* phone;
  const char* address;
  const char* postal_code;
  const char* city;
  const char* language;
  bool interpreter;
  std::vector<const char*> procedures;
  std::vector<const char*> rights;
  std::vector<const char*> situations;
  std::vector<const char*> difficulties;
  const char* reason;
  int urgency;
  const char* urgency_reason;
  bool tripartite;
  const char*
      outcome;  // received, accepted:<worker e-mail>, not_receivable, redirected, withdrawn, draft
};

const std::vector<DemoReferral>& Referrals() {
  static const std::vector<DemoReferral> list = {
      {"as.cergy@ssd95.example",
       1,
       10,
       "Camara",
       "",
       "Fatoumata",
       "1961-04-17",
       "",
       "femme",
       "06 12 45 78 90",
       "12 rue de l’Abondance, Axe Majeur",
       "95000",
       "Cergy",
       "fr",
       false,
       {"CAF-RSA", "CPAM-C2S"},
       {"CPAM-C2S"},
       {"isolement", "minima_sociaux"},
       {"pas_email", "identifiants_perdus"},
       "Madame Camara n’a plus accès à son compte CAF depuis le changement de téléphone. Sa "
       "complémentaire "
       "santé arrive à échéance.",
       3,
       "Droits C2S échus fin du mois",
       true,
       "received"},
      {"accueil@ccas-cergy.example",
       2,
       15,
       "Lefebvre",
       "",
       "Jean-Pierre",
       "1948-11-02",
       "",
       "homme",
       "01 30 38 22 41",
       "4 place des Touleuses",
       "95000",
       "Cergy",
       "fr",
       false,
       {"RET-ASPA", "DGFIP-ESP"},
       {"RET-ASPA"},
       {"senior", "isolement"},
       {"pas_equipement", "prise_en_main"},
       "Monsieur vit seul, sans ordinateur. Il ne sait pas s’il peut prétendre au minimum "
       "vieillesse.",
       1,
       "",
       false,
       "received"},
      {"conseillere@caf95.example",
       9,
       9,
       "Yilmaz",
       "",
       "Elif",
       "",
       "1979",
       "femme",
       "07 61 23 45 67",
       "27 avenue du Martelet, Saint-Christophe",
       "95800",
       "Cergy",
       "tr",
       true,
       {"CAF-AL", "LOG-DLS"},
       {"CAF-AL"},
       {"langue", "famille_monoparentale"},
       {"formulaires", "justificatifs"},
       "Demande de logement social à renouveler ; aide au logement non demandée depuis le "
       "déménagement.",
       2,
       "Renouvellement de la demande de logement dans 15 jours",
       false,
       "received"},
      {"as.cergy@ssd95.example",
       12,
       14,
       "Nguyen",
       "",
       "Van Long",
       "1955-08-30",
       "",
       "homme",
       "06 98 76 54 32",
       "3 allée des Closbilles, Grand Centre",
       "95000",
       "Cergy",
       "fr",
       false,
       {"CPAM-AMELI", "SANTE-MES"},
       {},
       {"senior", "sortie_hospitalisation"},
       {"pas_email"},
       "Sortie d’hospitalisation ; doit transmettre des documents à la CPAM et n’a pas de compte "
       "ameli.",
       2,
       "Indemnités suspendues faute de justificatifs",
       true,
       "received"},
      // The same person as the first one, referred again by the CCAS with another spelling.
      {"accueil@ccas-cergy.example",
       0,
       11,
       "CAMARA",
       "",
       "Fatoumatta",
       "1961-04-17",
       "",
       "femme",
       "+33 6 12 45 78 90",
       "12 rue de l’Abondance",
       "95000",
       "Cergy",
       "fr",
       false,
       {"ENER-CHQ"},
       {"ENER-CHQ"},
       {"minima_sociaux"},
       {"pas_email"},
       "Chèque énergie non utilisé l’an dernier.",
       1,
       "",
       false,
       "received"},
      {"gestion@cergy-habitat.example",
       20,
       10,
       "Da Silva",
       "Martins",
       "Maria",
       "1972-02-14",
       "",
       "femme",
       "06 33 44 55 66",
       "18 rue des Chênes, Cergy-le-Haut",
       "95800",
       "Cergy",
       "pt",
       false,
       {"CAF-AL", "ENER-CHQ"},
       {"CAF-AL", "ENER-CHQ"},
       {"rupture_droits"},
       {"identifiants_perdus"},
       "Retard de loyer ; aide au logement suspendue après une déclaration non faite.",
       3,
       "Procédure d’expulsion en cours",
       true,
       "accepted:yanis.benali@emn-cergy.example"},
      {"as.pontoise@ssd95.example",
       16,
       15,
       "Haddad",
       "",
       "Karim",
       "1990-06-21",
       "",
       "homme",
       "07 58 12 34 56",
       "9 rue Pierre Butin",
       "95300",
       "Pontoise",
       "ar",
       true,
       {"FT-INSC", "CAF-PA"},
       {"CAF-PA"},
       {"recherche_emploi", "langue"},
       {"formulaires"},
       "Inscription à France Travail à refaire après radiation ; prime d’activité jamais demandée.",
       2,
       "Radiation depuis un mois",
       false,
       "accepted:lea.nguyen@emn-cergy.example"},
      {"as.cergy@ssd95.example",
       25,
       9,
       "Moreau",
       "Bernard",
       "Josiane",
       "1944-12-05",
       "",
       "femme",
       "01 34 43 21 09",
       "2 square de la Préfecture",
       "95000",
       "Cergy",
       "fr",
       false,
       {"RET-DEM", "CPAM-CV"},
       {},
       {"senior", "handicap"},
       {"pas_equipement", "mefiance"},
       "Malvoyante ; veut apprendre à utiliser une tablette offerte par sa fille.",
       0,
       "",
       false,
       "accepted:yanis.benali@emn-cergy.example"},
      {"conseillere@caf95.example",
       30,
       10,
       "Traoré",
       "",
       "Moussa",
       "",
       "1986",
       "homme",
       "06 71 82 93 04",
       "5 rue des Maradas",
       "95000",
       "Cergy",
       "bm",
       true,
       {"ANEF-TS", "CAF-RSA"},
       {"CAF-RSA"},
       {"langue", "illettrisme"},
       {"prise_en_main", "formulaires"},
       "Titre de séjour à renouveler en ligne ; RSA interrompu faute de titre valide.",
       3,
       "Titre expiré le 15",
       true,
       "accepted:lea.nguyen@emn-cergy.example"},
      {"accueil@ccas-cergy.example",
       18,
       16,
       "Petitjean",
       "",
       "Lucas",
       "2003-09-09",
       "",
       "homme",
       "06 11 22 33 44",
       "40 boulevard de l’Oise",
       "95490",
       "Vauréal",
       "fr",
       false,
       {"FT-INSC"},
       {},
       {"recherche_emploi"},
       {},
       "Jeune homme suivi par la mission locale de Vauréal.",
       0,
       "",
       false,
       "not_receivable"},
      {"gestion@cergy-habitat.example",
       14,
       11,
       "Kowalski",
       "",
       "Anna",
       "1968-03-03",
       "",
       "femme",
       "06 55 66 77 88",
       "11 rue de Gisors",
       "95300",
       "Pontoise",
       "fr",
       false,
       {"DGFIP-DIR"},
       {},
       {},
       {"formulaires"},
       "Souhaite de l’aide pour sa déclaration de revenus ; se déplace facilement.",
       0,
       "",
       false,
       "redirected"},
      {"as.cergy@ssd95.example",
       8,
       10,
       "Benoît",
       "",
       "Chantal",
       "1958-07-19",
       "",
       "femme",
       "06 44 55 66 77",
       "7 rue du Chemin de Fer",
       "95800",
       "Cergy",
       "fr",
       false,
       {"CPAM-C2S"},
       {"CPAM-C2S"},
       {"isolement"},
       {"pas_connexion"},
       "Madame a finalement été aidée par sa voisine.",
       1,
       "",
       false,
       "withdrawn"},
  };
  return list;
}

}  // namespace

void DemoSeeder::SeedReferrals() {
  const Actor system = Actor::System("demo");
  std::map<std::string, domain::User> users;
  for (auto& u : users_.List(system)) {
    users[u.email] = u;
  }
  const Instant now = clock_.Now();
  const LocalDate today = paris::Today(now);
  // Each referral is dated in the past with a clock set by hand, as if received then.
  ManualClock clock(now);
  ReferralService referrals(store_, clock, reference_);
  const domain::User& coordinator = users.at("coordination@emn-cergy.example");
  const Actor coordination = Actor::ForUser(coordinator, "demo", "");
  std::vector<domain::Structure> structures = structures_.List(system);
  // Oldest first, so that numbers follow the dates.
  std::vector<DemoReferral> ordered = Referrals();
  std::stable_sort(
      ordered.begin(), ordered.end(),
      [](const DemoReferral& a, const DemoReferral& b) { return a.days_ago > b.days_ago; });
  for (const auto& d : ordered) {
    const domain::User& referrer = users.at(d.referrer);
    const Actor actor = Actor::ForUser(referrer, "demo", "");
    const LocalDate day = AddDays(today, -d.days_ago);
    clock.Set(paris::FromLocal(day, d.hour, 5));
    domain::ReferralInput in;
    in.referrer_name = referrer.display_name;
    in.referrer_email = referrer.email;
    in.referrer_function = "Travailleur·se social·e";
    in.last_name = d.last_name;
    in.usage_name = d.usage_name;
    in.first_names = d.first_names;
    in.birth_date = d.birth_date;
    in.birth_year = d.birth_year;
    in.gender = d.gender;
    in.phone = d.phone;
    in.address_line = d.address;
    in.postal_code = d.postal_code;
    in.city = d.city;
    in.language = d.language;
    in.interpreter_needed = d.interpreter;
    in.contact_preferences = {"telephone"};
    for (const char* p : d.procedures) in.procedures.emplace_back(p);
    for (const char* p : d.rights) in.presumed_rights.emplace_back(p);
    for (const char* p : d.situations) in.situations.emplace_back(p);
    for (const char* p : d.difficulties) in.digital_difficulties.emplace_back(p);
    in.reason = d.reason;
    in.urgency = std::to_string(d.urgency);
    in.urgency_reason = d.urgency_reason;
    in.tripartite_requested = d.tripartite;
    in.consent_given = true;
    in.consent_date = ToIso(AddDays(day, -1));
    in.consent_how = "oral";
    const auto result = referrals.Submit(actor, std::nullopt, in);
    if (!result.errors.empty()) {
      throw Error(ErrorCode::kInternal,
                  "Données de démonstration invalides : " + result.errors.front().field + " : " +
                      result.errors.front().message);
    }
    const std::string outcome = d.outcome;
    clock.Set(paris::FromLocal(AddDays(day, 1), 9, 30));
    if (outcome.starts_with("accepted:")) {
      referrals.Accept(coordination, result.id, users.at(outcome.substr(9)).id);
    } else if (outcome == "not_receivable") {
      referrals.DeclareNotReceivable(
          coordination, result.id, "hors_public",
          "Monsieur est déjà accompagné par la mission locale, qui propose des ateliers "
          "numériques : nous vous invitons à le réorienter vers elle.");
    } else if (outcome == "redirected") {
      for (const auto& s : structures) {
        if (s.code == "FS-CERGY") {
          referrals.Redirect(
              coordination, result.id, s.id,
              "Madame est autonome pour se déplacer : France services l’accompagnera sur place.");
        }
      }
    } else if (outcome == "withdrawn") {
      referrals.Withdraw(actor, result.id, "La personne a été aidée par un proche.");
    }
  }
  // A draft left by a referrer.
  clock.Set(now);
  const domain::User& draft_author = users.at("as.cergy@ssd95.example");
  referrals.SaveDraft(
      Actor::ForUser(draft_author, "demo", ""), std::nullopt,
      R"({"referrer_name":"Nadia Ouedraogo","referrer_email":"as.cergy@ssd95.example","last_name":"Lemaire","first_names":"Odette","city":"Cergy","postal_code":"95000","procedures":["CPAM-C2S"],"urgency":"1"})");
}

}  // namespace allervers::service
