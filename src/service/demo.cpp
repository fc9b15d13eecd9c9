#include "service/demo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/calendar.hpp"
#include "service/appointment_service.hpp"
#include "service/case_service.hpp"
#include "service/partner_directory.hpp"
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
  // Demo accounts sign in with their password alone (README, « make run »): a real database
  // keeps two-factor sign-in mandatory (migration 0014).
  store_.Write(
      [&](Tx& tx) { tx.settings().Put("security.totp_required", "0", clock_.Now(), "demo"); });
  SeedPartners();
  SeedReferrals();
  SeedFortnight();
  SeedSteering();
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

// The action as the call for projects funds it (70 000 euros, 1,5 ETP), and the coordinator's
// written parts of last quarter's steering report.
void DemoSeeder::SeedSteering() {
  const Instant now = clock_.Now();
  const auto last =
      domain::QuarterOf(AddDays(domain::QuarterStart(domain::QuarterOf(paris::Today(now))), -1));
  store_.Write([&](Tx& tx) {
    tx.settings().Put("indicators.budget_eur", "70000", now, "demo");
    tx.settings().Put("indicators.team_fte_hundredths", "150", now, "demo");
    std::optional<domain::StructureId> team;
    for (const auto& s : tx.structures().List()) {
      if (s.code == kOperatorCode) {
        team = s.id;
      }
    }
    if (!team) {
      return;
    }
    domain::SteeringTexts texts{
        "Les tournées à domicile ont lieu le mardi et le jeudi à Cergy et à Pontoise. Deux "
        "rendez-vous communs par mois avec le service social de Cergy.",
        "Plusieurs personnes restent injoignables après trois essais. L’équipe passe désormais "
        "par l’assistante sociale avant de proposer la clôture.",
        "Ateliers collectifs sur tablette au centre social des Louvrais à partir de janvier."};
    tx.indicators().SaveSteering(*team, last.year, last.quarter, texts, std::nullopt, now);
  });
}

void DemoSeeder::SeedPartners() {
  if (partner_directory_.empty()) {
    return;
  }
  PartnerDirectory directory(store_, clock_, reference_);
  const auto report = directory.Import(Actor::System("demo"), partner_directory_);
  if (!report.file_error.empty() || !report.rejected.empty()) {
    throw Error(ErrorCode::kInternal,
                "Annuaire de démonstration invalide : " +
                    (report.file_error.empty()
                         ? report.rejected.front().record + " : " + report.rejected.front().message
                         : report.file_error));
  }
}

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

namespace {

// The fortnight's persons: one per line, in Cergy's quarters. Any resemblance to real persons
// is coincidental.
struct FortnightCase {
  const char* referrer;
  const char* worker;  // e-mail of the intervenant
  const char* last_name;
  const char* first_names;
  const char* gender;
  const char* birth_date;
  const char* phone;
  const char* address;
  const char* postal_code;
  const char* city;
  const char* quarter;  // shown in the purpose only when useful; the address says it all
  const char* procedure;
  const char* purpose;
  int day;  // appointment day relative to today (working days are picked by the caller)
  int hour;
  int minute;
  const char* outcome;  // planned, honoured, absent, cancelled_person, unreachable
  bool tripartite;
  bool sms;
};

const std::vector<FortnightCase>& Fortnight() {
  static const std::vector<FortnightCase> cases = {
      {"as.cergy@ssd95.example", "yanis.benali@emn-cergy.example", "Mabiala", "Grâce", "femme",
       "1968-03-14", "06 21 45 78 90", "7 rue de l’Abondance", "95800", "Cergy", "Axe Majeur",
       "CAF-RSA", "Faire la demande de RSA", -7, 10, 0, "honoured", true, true},
      {"accueil@ccas-cergy.example", "yanis.benali@emn-cergy.example", "Lefort", "Gérard", "homme",
       "1951-11-02", "01 30 32 45 67", "14 allée des Petits Pas", "95800", "Cergy",
       "Saint-Christophe", "RET-DEM", "Faire la demande de retraite en ligne", -7, 14, 0,
       "honoured", false, false},
      {"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Hamidi", "Nora", "femme",
       "1985-06-21", "07 61 22 33 44", "3 place des Touleuses", "95000", "Cergy", "Les Touleuses",
       "CPAM-C2S", "Demander la complémentaire santé solidaire", -6, 9, 30, "absent", false, true},
      {"gestion@cergy-habitat.example", "lea.nguyen@emn-cergy.example", "Tshibangu", "Patrick",
       "homme", "1979-01-09", "06 44 55 66 77", "21 avenue du Hazay", "95800", "Cergy",
       "Cergy-le-Haut", "LOG-DLS", "Renouveler la demande de logement social", -6, 14, 30,
       "honoured", false, true},
      {"conseillere@caf95.example", "yanis.benali@emn-cergy.example", "Ferreira", "Ana Lúcia",
       "femme", "1962-09-30", "06 12 98 76 54", "5 rue de la Croix-Petit", "95000", "Cergy",
       "Grand Centre", "CAF-PA", "Faire la déclaration de prime d’activité", -5, 11, 0,
       "cancelled_person", false, true},
      {"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Koné", "Moussa", "homme",
       "1990-04-17", "07 55 44 33 22", "9 allée des Chênes", "95000", "Cergy", "Axe Majeur",
       "FT-ACT", "Faire l’actualisation France Travail", -4, 10, 0, "honoured", false, true},
      {"as.pontoise@ssd95.example", "yanis.benali@emn-cergy.example", "Duval", "Monique", "femme",
       "1946-12-05", "01 34 24 11 22", "2 rue Pierre Butin", "95300", "Pontoise", "Centre",
       "CPAM-AMELI", "Créer votre compte ameli", -3, 15, 0, "honoured", false, false},
      {"accueil@ccas-cergy.example", "lea.nguyen@emn-cergy.example", "Yilmaz", "Ayşe", "femme",
       "1975-08-11", "06 70 80 90 10", "12 boulevard de l’Oise", "95000", "Cergy", "Grand Centre",
       "ANTS-CNI", "Faire la pré-demande de carte d’identité", 1, 9, 30, "planned", false, true},
      {"as.cergy@ssd95.example", "yanis.benali@emn-cergy.example", "Benhamou", "Rachid", "homme",
       "1958-02-27", "06 33 22 11 00", "18 rue des Linandes Beiges", "95000", "Cergy",
       "Les Linandes", "DGFIP-ESP", "Créer votre espace impots.gouv", 1, 11, 0, "planned", true,
       true},
      {"gestion@cergy-habitat.example", "yanis.benali@emn-cergy.example", "Morel", "Sylvie",
       "femme", "1966-05-19", "06 98 87 76 65", "4 place du Nautilus", "95800", "Cergy",
       "Cergy-le-Haut", "CAF-AL", "Faire la demande d’aide au logement", 1, 14, 0, "planned", false,
       true},
      {"conseillere@caf95.example", "lea.nguyen@emn-cergy.example", "Nguyễn", "Thị Hoa", "femme",
       "1972-10-03", "07 12 34 56 78", "6 rue du Chemin de Fer", "95800", "Cergy",
       "Saint-Christophe", "CAF-RSA", "Faire la demande de RSA", 2, 10, 0, "planned", false, true},
      {"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Camara", "Fatoumata", "femme",
       "1983-12-22", "06 45 67 89 01", "11 allée de l’Orangerie", "95000", "Cergy", "Axe Majeur",
       "MDPH-DEM", "Préparer la demande à la MDPH", 2, 14, 30, "planned", true, true},
      {"accueil@ccas-cergy.example", "yanis.benali@emn-cergy.example", "Girard", "Paulette",
       "femme", "1940-07-08", "01 30 38 12 34", "23 rue de Gency", "95000", "Cergy", "Gency",
       "RET-ASPA", "Demander l’allocation de solidarité aux personnes âgées", 3, 10, 30, "planned",
       false, false},
      {"as.pontoise@ssd95.example", "lea.nguyen@emn-cergy.example", "Rahmani", "Karim", "homme",
       "1987-03-01", "06 11 22 33 55", "8 rue de la Coutellerie", "95300", "Pontoise", "Centre",
       "FT-INSC", "Vous réinscrire à France Travail", 4, 9, 30, "planned", false, true},
      {"as.cergy@ssd95.example", "yanis.benali@emn-cergy.example", "Lambert", "Jean-Claude",
       "homme", "1955-01-25", "06 88 77 66 55", "15 avenue des Genottes", "95800", "Cergy",
       "Les Genottes", "CPAM-C2S", "Renouveler la complémentaire santé solidaire", 0, 0, 0,
       "unreachable", false, true},
  };
  return cases;
}

// Accompaniments of the last months, carried to their end: a second visit, the right opened,
// an orientation done, the final bilan, a retour to the referrer, a co-accompaniment review when
// the SSD follows the person too, and the closure.
struct HistoryCase {
  FortnightCase c;
  const char* closure;  // closure_reasons
  const char* amount;   // estimated monthly amount of the right opened, "" for none
  bool oriented;        // oriented to a partner of the directory, done
};

const std::vector<HistoryCase>& History() {
  static const std::vector<HistoryCase> cases = {
      {{"as.cergy@ssd95.example", "yanis.benali@emn-cergy.example", "Diallo", "Aminata", "femme",
        "1977-05-12", "06 31 42 53 64", "10 rue de la Gare", "95000", "Cergy", "Grand Centre",
        "CAF-RSA", "Faire la demande de RSA", -85, 10, 0, "honoured", true, true},
       "objectifs_atteints",
       "635,71",
       true},
      {{"accueil@ccas-cergy.example", "lea.nguyen@emn-cergy.example", "Marchand", "Odette", "femme",
        "1944-02-18", "01 30 31 22 11", "4 rue des Écoles", "95000", "Cergy", "Village", "RET-ASPA",
        "Demander l’allocation de solidarité aux personnes âgées", -82, 14, 0, "honoured", false,
        false},
       "objectifs_atteints",
       "312,40",
       false},
      {{"as.pontoise@ssd95.example", "yanis.benali@emn-cergy.example", "Oukili", "Samir", "homme",
        "1981-09-03", "07 62 73 84 95", "17 rue Thiers", "95300", "Pontoise", "Centre", "CPAM-C2S",
        "Demander la complémentaire santé solidaire", -78, 9, 30, "honoured", true, true},
       "objectifs_atteints",
       "",
       true},
      {{"gestion@cergy-habitat.example", "lea.nguyen@emn-cergy.example", "Petit", "Laurent",
        "homme", "1969-12-01", "06 20 30 40 50", "2 square du Diapason", "95800", "Cergy",
        "Cergy-le-Haut", "CAF-AL", "Faire la demande d’aide au logement", -74, 11, 0, "honoured",
        false, true},
       "orientation",
       "186,00",
       true},
      {{"conseillere@caf95.example", "yanis.benali@emn-cergy.example", "Ribeiro", "Joana", "femme",
        "1988-07-25", "06 55 66 77 88", "30 avenue de la Constellation", "95800", "Cergy",
        "Axe Majeur", "CAF-PA", "Faire la déclaration de prime d’activité", -70, 14, 30, "honoured",
        false, true},
       "objectifs_atteints",
       "214,18",
       false},
      {{"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Traoré", "Ibrahim", "homme",
        "1963-04-08", "07 01 02 03 04", "6 allée des Lilas", "95000", "Cergy", "Les Touleuses",
        "MDPH-DEM", "Préparer la demande à la MDPH", -66, 10, 0, "honoured", true, true},
       "orientation",
       "",
       true},
      {{"accueil@ccas-cergy.example", "yanis.benali@emn-cergy.example", "Leroy", "Denise", "femme",
        "1949-10-14", "01 34 22 33 44", "9 rue de Vauréal", "95000", "Cergy", "Gency", "RET-DEM",
        "Faire la demande de retraite en ligne", -62, 9, 30, "honoured", false, false},
       "objectifs_atteints",
       "1104,55",
       false},
      {{"as.pontoise@ssd95.example", "lea.nguyen@emn-cergy.example", "Bensaïd", "Yacine", "homme",
        "1995-01-30", "06 99 88 77 66", "12 rue de Rouen", "95300", "Pontoise", "Marcouville",
        "FT-INSC", "Vous réinscrire à France Travail", -58, 14, 0, "honoured", false, true},
       "demenagement",
       "",
       false},
      {{"gestion@cergy-habitat.example", "yanis.benali@emn-cergy.example", "Caron", "Martine",
        "femme", "1958-06-06", "06 14 25 36 47", "5 place du Marché", "95800", "Cergy",
        "Saint-Christophe", "LOG-DLS", "Renouveler la demande de logement social", -54, 11, 0,
        "honoured", false, true},
       "objectifs_atteints",
       "",
       false},
      {{"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Kaya", "Mehmet", "homme",
        "1972-03-19", "07 44 33 22 11", "3 rue des Chauffours", "95000", "Cergy", "Grand Centre",
        "CAF-RSA", "Faire la demande de RSA", -50, 10, 30, "honoured", true, true},
       "refus",
       "",
       false},
      {{"conseillere@caf95.example", "yanis.benali@emn-cergy.example", "Fontaine", "Brigitte",
        "femme", "1960-11-11", "06 71 82 93 04", "8 rue de l’Aven", "95000", "Cergy",
        "Les Linandes", "CPAM-C2S", "Renouveler la complémentaire santé solidaire", -46, 14, 0,
        "honoured", false, true},
       "objectifs_atteints",
       "",
       true},
      {{"as.cergy@ssd95.example", "lea.nguyen@emn-cergy.example", "Ndiaye", "Awa", "femme",
        "1984-08-28", "06 26 37 48 59", "1 allée de la Sébille", "95800", "Cergy", "Axe Majeur",
        "ENER-CHQ", "Utiliser le chèque énergie en ligne", -42, 9, 30, "honoured", false, true},
       "objectifs_atteints",
       "",
       false},
  };
  return cases;
}

// The n-th working day from today (n > 0 ahead, n < 0 back, 0 is today's or the next one).
LocalDate WorkingDay(LocalDate today, int n) {
  LocalDate d = today;
  const int step = n < 0 ? -1 : 1;
  int left = n < 0 ? -n : n;
  while (!domain::IsWorkingDay(d)) {
    d = AddDays(d, step);
  }
  while (left > 0) {
    d = AddDays(d, step);
    if (domain::IsWorkingDay(d)) {
      --left;
    }
  }
  return d;
}

}  // namespace

void DemoSeeder::SeedFortnight() {
  const Actor system = Actor::System("demo");
  std::map<std::string, domain::User> users;
  for (auto& u : users_.List(system)) {
    users[u.email] = u;
  }
  const Instant now = clock_.Now();
  const LocalDate today = paris::Today(now);
  ManualClock clock(now);
  ReferralService referrals(store_, clock, reference_);
  AppointmentService appointments(store_, clock, reference_, tokens_);
  CaseService cases(store_, clock, reference_, sealer_);
  int visited = 0;
  const Actor coordination = Actor::ForUser(users.at("coordination@emn-cergy.example"), "demo", "");
  // One fiche taken from its receipt to the first visit's outcome; the referral of a visit
  // honoured, to carry further.
  const auto seed = [&](const FortnightCase& c) -> std::optional<domain::ReferralId> {
    const domain::User& referrer = users.at(c.referrer);
    const domain::User& worker = users.at(c.worker);
    const Actor referrer_actor = Actor::ForUser(referrer, "demo", "");
    const Actor worker_actor = Actor::ForUser(worker, "demo", "");
    const bool unreachable = std::string(c.outcome) == "unreachable";
    const LocalDate day = unreachable ? WorkingDay(today, -1) : WorkingDay(today, c.day);
    // Received two to three weeks before the appointment, accepted the next working day.
    const LocalDate received = WorkingDay(day, unreachable ? -14 : -12);
    clock.Set(paris::FromLocal(received, 9, 40));
    domain::ReferralInput in;
    in.referrer_name = referrer.display_name;
    in.referrer_email = referrer.email;
    in.referrer_function = "Travailleur·se social·e";
    in.last_name = c.last_name;
    in.first_names = c.first_names;
    in.birth_date = c.birth_date;
    in.gender = c.gender;
    in.phone = c.phone;
    in.address_line = c.address;
    in.postal_code = c.postal_code;
    in.city = c.city;
    in.language = "fr";
    in.contact_preferences = {"telephone"};
    if (c.sms) {
      in.contact_preferences.push_back("sms");
    }
    in.procedures = {c.procedure};
    in.digital_difficulties = {};
    in.reason = std::string("Besoin d’aide pour : ") + c.purpose + ".";
    in.urgency = "1";
    in.tripartite_requested = c.tripartite;
    in.consent_given = true;
    in.consent_date = ToIso(received);
    in.consent_how = "oral";
    const auto submitted = referrals.Submit(referrer_actor, std::nullopt, in);
    if (!submitted.errors.empty()) {
      throw Error(ErrorCode::kInternal,
                  "Données de démonstration invalides : " + submitted.errors.front().field + " : " +
                      submitted.errors.front().message);
    }
    const LocalDate accepted = WorkingDay(received, 1);
    clock.Set(paris::FromLocal(accepted, 9, 15));
    referrals.ConfirmNewPerson(coordination, submitted.id);
    referrals.Accept(coordination, submitted.id, worker.id);

    // Contact: a first call unanswered, then the person reached (or never, for one case).
    const auto attempt = [&](LocalDate d, int h, const char* channel, const char* outcome,
                             const char* note) {
      clock.Set(paris::FromLocal(d, h, 20));
      const auto errors = appointments.RecordContact(
          worker_actor, submitted.id,
          domain::ContactAttemptInput{ToIso(d), (h < 10 ? "0" : "") + std::to_string(h) + ":10",
                                      channel, outcome, note});
      if (!errors.empty()) {
        throw Error(ErrorCode::kInternal,
                    "Données de démonstration invalides : " + errors.front().field + " : " +
                        errors.front().message);
      }
    };
    if (unreachable) {
      attempt(WorkingDay(accepted, 1), 10, "telephone", "sans_reponse", "");
      attempt(WorkingDay(accepted, 4), 17, "telephone", "message",
              "Message laissé sur le répondeur.");
      attempt(WorkingDay(accepted, 9), 11, "domicile", "sans_reponse",
              "Passage à l’adresse : personne. Avis de passage déposé.");
      return std::nullopt;
    }
    attempt(WorkingDay(accepted, 1), 10, "telephone", "sans_reponse", "");
    const LocalDate reached = WorkingDay(accepted, 2);
    attempt(reached, 14, "telephone", "joint",
            c.tripartite ? "D’accord pour un rendez-vous avec son assistante sociale." : "");

    clock.Set(paris::FromLocal(reached, 14, 25));
    domain::AppointmentInput a;
    a.date = ToIso(day);
    a.start_time = fmt::format("{:02}:{:02}", c.hour, c.minute);
    a.duration_minutes = "90";
    a.place = "domicile";
    a.workers = {std::to_string(worker.id)};
    a.tripartite = c.tripartite;
    a.purpose = c.purpose;
    const auto created = appointments.Create(worker_actor, submitted.id, a, false);
    if (created.id == 0) {
      throw Error(
          ErrorCode::kInternal,
          "Données de démonstration invalides : rendez-vous du " + a.date + " " + a.start_time +
              (created.errors.empty() ? " en conflit" : " : " + created.errors.front().message));
    }
    if (c.tripartite) {
      clock.Set(paris::FromLocal(reached, 16, 0));
      appointments.Respond(referrer_actor, created.id, true);
    }
    const std::string outcome = c.outcome;
    if (outcome == "planned") {
      return std::nullopt;
    }
    const Instant start = paris::FromLocal(day, c.hour, c.minute);
    if (outcome == "cancelled_person") {
      clock.Set(start - std::chrono::hours(20));
      appointments.SetOutcome(
          worker_actor, created.id, domain::AppointmentStatus::kCancelledByPerson,
          "Madame a appelé : elle est malade. À rappeler la semaine prochaine.");
      return std::nullopt;
    }
    clock.Set(start + std::chrono::minutes(100));
    appointments.SetOutcome(
        worker_actor, created.id,
        outcome == "honoured" ? domain::AppointmentStatus::kHonoured
                              : domain::AppointmentStatus::kAbsent,
        outcome == "honoured" ? "" : "Personne absente ; avis de passage laissé.");
    if (outcome != "honoured") {
      return std::nullopt;
    }
    SeedVisit(cases, worker_actor, submitted.id, day, c.procedure, visited++);
    return submitted.id;
  };
  for (const auto& c : Fortnight()) {
    seed(c);
  }
  for (const auto& h : History()) {
    if (const auto referral = seed(h.c)) {
      SeedFollowUp(cases, clock, Actor::ForUser(users.at(h.c.worker), "demo", ""), *referral,
                   WorkingDay(today, h.c.day), h.c.procedure, h.closure, h.amount, h.oriented,
                   h.c.tripartite,
                   // The SSD of Cergy delegates wholly the cases it does not co-follow.
                   !h.c.tripartite && std::string(h.c.referrer) == "as.cergy@ssd95.example",
                   visited++);
    }
  }
}

// What the intervenant records at the end of a home visit: the intervention, the initial
// bilan (skills varying from one person to the next) and the procedure under way.
void DemoSeeder::SeedVisit(CaseService& cases, const Actor& worker, domain::ReferralId referral,
                           const LocalDate& day, const std::string& procedure, int index) {
  const auto fail = [](const domain::FieldErrors& errors) {
    if (!errors.empty()) {
      throw Error(ErrorCode::kInternal, "Données de démonstration invalides : " +
                                            errors.front().field + " : " + errors.front().message);
    }
  };
  const auto* entry = reference_.procedures.Find(procedure);
  domain::InterventionInput in;
  in.date = ToIso(day);
  in.duration = "90";
  in.place = "domicile";
  in.modality = index % 3 == 0 ? "faire_a_la_place" : "faire_avec";
  in.autonomy = index % 2 == 0 ? "entierement_accompagne" : "partiellement_autonome";
  in.digital_themes = {"demarches"};
  if (entry != nullptr && reference_.vocabularies.administrative_themes.Contains(entry->domain)) {
    in.administrative_themes = {entry->domain};
  }
  in.equipment = {"telephone"};
  in.workers = {std::to_string(worker.user_id)};
  in.summary = "Démarche commencée ensemble ; la personne garde la liste des pièces à réunir.";
  const auto procedure_id = cases.AddProcedure(worker, referral, procedure);
  in.procedures = {std::to_string(procedure_id)};
  fail(cases.RecordIntervention(worker, referral, in).errors);
  domain::ProcedureInput p;
  p.status = index % 2 == 0 ? "deposee" : "en_cours";
  p.modality = in.modality;
  if (entry != nullptr && !entry->documents.empty()) {
    p.gathered = {"0"};
  }
  if (index % 3 == 0) {
    p.due_on = ToIso(AddDays(day, 10));  // the file must be complete within ten days
  }
  fail(cases.UpdateProcedure(worker, procedure_id, p));
  if (index % 4 == 2 && entry != nullptr) {
    // A one-month Aidants Connect mandate, to finish the procedure remotely.
    domain::MandateInput m;
    m.starts_on = ToIso(day);
    m.duration_days = "31";
    m.domains = {entry->domain};
    fail(cases.RecordMandate(worker, referral, m));
  }

  // Every other person is also oriented to a partner of the directory, with their agreement.
  if (index % 2 == 1 && !partner_directory_.empty()) {
    const bool food = index % 4 == 1;
    PartnerDirectory directory(store_, clock_, reference_);
    const auto found = directory.Search(
        Actor::System("demo"), {"", "", food ? "aide alimentaire" : "ateliers numeriques", 1});
    if (!found.result.services.empty()) {
      domain::OrientationInput o;
      o.service_id = std::to_string(found.result.services.front().id);
      o.partner_kind = food ? "aide_sociale" : "mediation_numerique";
      o.reason = food ? "Colis alimentaire en attendant la réponse de l’organisme."
                      : "Apprendre à utiliser la tablette en petit groupe, près de chez elle.";
      o.status = "proposee";
      o.follow_up_on = ToIso(AddDays(day, 14));
      o.shared = {"identite", "coordonnees", "motif"};
      o.consent = true;
      o.consent_method = "oral";
      fail(cases.RecordOrientation(worker, referral, o).errors);
    }
  }

  const auto bilan = cases.StartAssessment(worker, referral, domain::AssessmentKind::kInitial);
  const auto& grid = reference_.assessment.Current();
  for (const auto& section : grid.sections) {
    domain::Answers answers;
    int n = 0;
    for (const auto& item : section.items) {
      if (item.type == domain::GridItemType::kScale) {
        answers[item.code] = std::to_string((index + n++) % 4 == 3 ? 2 : (index + n) % 3);
      } else if (item.type == domain::GridItemType::kAccount && n++ < 4) {
        answers[item.code] = std::to_string((index + n) % 4);
        answers[item.code + std::string(domain::kNecessarySuffix)] = "oui";
      }
    }
    fail(cases.SaveSection(worker, bilan, section.code, answers));
  }
  cases.CompleteAssessment(worker, bilan);
}

void DemoSeeder::SeedFollowUp(CaseService& cases, ManualClock& clock, const Actor& worker,
                              domain::ReferralId referral, const LocalDate& first_visit,
                              const std::string& procedure, const std::string& closure,
                              const std::string& amount, bool oriented, bool tripartite,
                              bool delegated, int index) {
  const auto fail = [](const domain::FieldErrors& errors) {
    if (!errors.empty()) {
      throw Error(ErrorCode::kInternal, "Données de démonstration invalides : " +
                                            errors.front().field + " : " + errors.front().message);
    }
  };
  // The second visit, a fortnight later: the person does it again with the team beside.
  const LocalDate second = WorkingDay(first_visit, 10);
  clock.Set(paris::FromLocal(second, 16, 0));
  domain::InterventionInput in;
  in.date = ToIso(second);
  in.duration = "60";
  in.place = "domicile";
  in.modality = "former";
  in.autonomy = "partiellement_autonome";
  in.digital_themes = {"demarches"};
  in.equipment = {"telephone"};
  in.workers = {std::to_string(worker.user_id)};
  in.summary = "La personne s’est connectée seule à son compte, avec l’aide-mémoire laissé.";
  const auto procedure_id = cases.AddProcedure(worker, referral, procedure);
  in.procedures = {std::to_string(procedure_id)};
  fail(cases.RecordIntervention(worker, referral, in).errors);
  // What the team keeps in mind for the next visit (stored sealed: service/sealed_notes.hpp).
  domain::NoteInput note;
  note.body = index % 2 == 0
                  ? "L’écran du téléphone est fissuré : voir avec l’épicerie solidaire pour un "
                    "appareil reconditionné avant la prochaine visite."
                  : "Préfère un appel le matin ; un proche passe le mercredi et peut aider pour "
                    "les courriers.";
  note.is_private = false;
  fail(cases.AddNote(worker, referral, note));

  // The organisation's answer a week later.
  const auto* entry = reference_.procedures.Find(procedure);
  const LocalDate answer = WorkingDay(second, 5);
  clock.Set(paris::FromLocal(answer, 11, 0));
  domain::ProcedureInput p;
  p.status = closure == "refus" ? "abandonnee" : "finalisee";
  p.modality = "faire_avec";
  if (entry != nullptr && entry->opens_right && closure != "refus") {
    p.outcome = closure == "demenagement" ? "en_attente" : "ouvert";
    p.outcome_on = ToIso(answer);
    if (p.outcome == "ouvert") {
      p.monthly_amount = amount;
    }
  }
  for (std::size_t i = 0; entry != nullptr && i < entry->documents.size(); ++i) {
    p.gathered.push_back(std::to_string(i));
  }
  fail(cases.UpdateProcedure(worker, procedure_id, p));

  if (oriented && !partner_directory_.empty()) {
    PartnerDirectory directory(store_, clock_, reference_);
    const bool numeric = index % 2 == 0;
    const auto found = directory.Search(
        Actor::System("demo"),
        {"", "", numeric ? "ateliers numeriques" : "demarches administratives en ligne", 1});
    if (!found.result.services.empty()) {
      domain::OrientationInput o;
      o.service_id = std::to_string(found.result.services.front().id);
      o.partner_kind = numeric ? "mediation_numerique" : "aide_aux_demarches_administratives";
      o.reason = numeric ? "Continuer à apprendre en atelier, près de chez elle ou lui."
                         : "Un lieu près de chez elle ou lui pour les prochaines démarches.";
      o.status = "realisee";
      o.shared = {"identite", "motif"};
      o.consent = true;
      o.consent_method = "oral";
      fail(cases.RecordOrientation(worker, referral, o).errors);
    }
  }

  if (tripartite || delegated) {
    fail(cases.SetFollowMode(worker, referral, tripartite ? "co_accompagnement" : "delegation"));
  }
  // Co-accompanied with the SSD: a review with the referrer and the person, minuted.
  if (tripartite) {
    const LocalDate review = WorkingDay(second, 8);
    clock.Set(paris::FromLocal(review, 17, 0));
    fail(cases.PlanReview(
        worker, referral,
        {ToIso(review),
         "14:00",
         "À la maison des solidarités de Cergy",
         {"personne", "prescripteur"},
         "tenu",
         "La demande est faite et la personne consulte son compte seule. Les courriers papier "
         "restent difficiles à lire pour elle ou lui.",
         "L’assistante sociale reprend le dossier logement ; l’équipe mobile termine en deux "
         "semaines."}));
  }

  // The end: final bilan (when the reason leaves room for it), closure, retour.
  const LocalDate end = WorkingDay(second, 15);
  clock.Set(paris::FromLocal(end, 11, 0));
  const bool final_bilan = domain::ClosureExpectsFinalBilan(closure);
  if (final_bilan) {
    const auto bilan = cases.StartAssessment(worker, referral, domain::AssessmentKind::kFinal);
    for (const auto& section : reference_.assessment.Current().sections) {
      domain::Answers answers;
      int n = 0;
      for (const auto& item : section.items) {
        if (item.type == domain::GridItemType::kScale) {
          answers[item.code] = std::to_string(1 + (index + n++) % 3);
        } else if (item.type == domain::GridItemType::kAccount && n++ < 4) {
          answers[item.code] = "3";
          answers[item.code + std::string(domain::kNecessarySuffix)] = "oui";
        }
      }
      fail(cases.SaveSection(worker, bilan, section.code, answers));
    }
    cases.CompleteAssessment(worker, bilan);
  }
  clock.Set(paris::FromLocal(end, 15, 0));
  if (delegated) {
    fail(cases.SendQuarterly(
        worker, referral, domain::QuarterOf(end),
        "La personne utilise désormais seule son espace en ligne pour la démarche. Elle garde un "
        "aide-mémoire près de son téléphone et nous a rappelés une fois pour une question.",
        "Fin de l’accompagnement ce trimestre ; la personne sait qu’elle peut nous rappeler."));
  }
  fail(cases.Close(worker, referral, {closure, "", !final_bilan}));
  const auto draft = cases.FeedbackDraft(worker, referral);
  std::vector<std::string> keys;
  for (const auto& c : draft.choices) {
    if (c.suggested) {
      keys.push_back(c.key);
    }
  }
  fail(cases.SendFeedback(worker, referral, keys,
                          closure == "demenagement"
                              ? "La personne déménage : son nouveau SSD peut nous joindre."
                              : "Accompagnement terminé ; la personne sait qu’elle peut nous "
                                "rappeler."));
}

}  // namespace allervers::service
