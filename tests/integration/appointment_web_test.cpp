#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/time.hpp"
#include "service/settings_service.hpp"
#include "support/helpers.hpp"
#include "support/test_server.hpp"

namespace allervers::testing {
namespace {

// The appointment pages over HTTP: bad input answers 4xx with what was typed kept, files come
// with their types, and nothing of another structure can be reached.
class AppointmentWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    server_ = std::make_unique<TestServer>(db_->db());
    auto& s = server_->services();
    s.clock.Set(paris::FromLocal({2026, 11, 16}, 9, 0));
    const auto system = service::Actor::System("t");
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"EMN2", "Autre équipe", "operateur", "Pontoise"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"}}) {
      ASSERT_TRUE(s.structures.Create(system, in).errors.empty());
    }
    for (const auto& u :
         std::vector<domain::UserInput>{{"coord@emn.example", "Claire", "coordinateur", "EMN", ""},
                                        {"lea@emn.example", "Léa", "intervenant", "EMN", ""},
                                        {"other@emn2.example", "Autre", "intervenant", "EMN2", ""},
                                        {"as@ssd.example", "Nadia", "prescripteur", "SSD", ""}}) {
      ASSERT_TRUE(s.users.Create(system, u, kGoodPassword).errors.empty());
    }
    const auto actor = [&](const char* email) {
      for (const auto& u : s.users.List(system)) {
        if (u.email == email) {
          return service::Actor::ForUser(u, "t", "");
        }
      }
      throw std::runtime_error("no user");
    };
    lea_ = actor("lea@emn.example");
    const auto r =
        s.referrals.Submit(actor("as@ssd.example"), std::nullopt, SampleReferral({"sms"}));
    ASSERT_TRUE(r.errors.empty());
    referral_ = r.id;
    s.referrals.Accept(actor("coord@emn.example"), r.id, lea_.user_id);
    browser_ = std::make_unique<Browser>(*server_);
    ASSERT_EQ(browser_->SignIn("lea@emn.example", kGoodPassword), 303);
  }

  httplib::Params Appointment(const std::string& date, const std::string& time) {
    return {{"date", date},
            {"start_time", time},
            {"duration_minutes", "60"},
            {"place", "domicile"},
            {"workers", std::to_string(lea_.user_id)},
            {"purpose", "Faire la demande de RSA"}};
  }

  // Creates an appointment through the form; returns its id.
  long long Create(const std::string& date, const std::string& time) {
    browser_->Get("/fiches/" + std::to_string(referral_) + "/rendez-vous");
    auto res = browser_->Post("/fiches/" + std::to_string(referral_) + "/rendez-vous",
                              Appointment(date, time));
    EXPECT_EQ(res->status, 303);
    const std::string location = res->get_header_value("Location");
    return std::stoll(location.substr(location.rfind('/') + 1));
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<Browser> browser_;
  service::Actor lea_;
  domain::ReferralId referral_ = 0;
};

TEST_F(AppointmentWebTest, BadContactAttemptsAnswer422AndKeepTheNote) {
  const std::string path = "/fiches/" + std::to_string(referral_) + "/contact";
  ASSERT_EQ(browser_->Get(path)->status, 200);
  auto res = browser_->Post(path, {{"date", "2026-13-40"},
                                   {"time", "10:00"},
                                   {"channel", "telephone"},
                                   {"outcome", "inconnu"},
                                   {"note", "Rappeler après 17 h"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Rappeler après 17 h"), std::string::npos);
  EXPECT_NE(res->body.find("error-summary"), std::string::npos);
  res = browser_->Post(path, {{"date", "2026-11-16"},
                              {"time", "08:30"},
                              {"channel", "telephone"},
                              {"outcome", "joint"},
                              {"note", ""}});
  EXPECT_EQ(res->status, 303);
  EXPECT_NE(browser_->Get("/fiches/" + std::to_string(referral_))->body.find("Personne jointe"),
            std::string::npos);
}

TEST_F(AppointmentWebTest, AConflictAnswers409KeepsTheFormAndCanBeForced) {
  Create("2026-11-25", "10:00");
  const std::string path = "/fiches/" + std::to_string(referral_) + "/rendez-vous";
  auto fields = Appointment("2026-11-25", "11:05");
  fields.emplace("to_bring", "Le courrier de la CAF");
  auto res = browser_->Post(path, fields);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(res->body.find("Moins de 20 minutes de trajet"), std::string::npos);
  EXPECT_NE(res->body.find("Le courrier de la CAF"), std::string::npos) << "nothing typed is lost";
  EXPECT_NE(res->body.find("value=\"11:05\""), std::string::npos);
  fields.emplace("force", "1");
  EXPECT_EQ(browser_->Post(path, fields)->status, 303);
}

TEST_F(AppointmentWebTest, InvalidAppointmentsAnswer422) {
  const std::string path = "/fiches/" + std::to_string(referral_) + "/rendez-vous";
  browser_->Get(path);
  auto fields = Appointment("demain", "25:99");
  fields.erase("workers");
  const auto res = browser_->Post(path, fields);
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Choisissez au moins un intervenant"), std::string::npos);
  EXPECT_NE(res->body.find("href=\"#f-date\""), std::string::npos);
}

TEST_F(AppointmentWebTest, LetterAndCalendarFilesHaveTheirTypes) {
  const long long id = Create("2026-11-25", "10:00");
  auto pdf = browser_->Get("/rendez-vous/" + std::to_string(id) + "/courrier.pdf");
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  EXPECT_EQ(pdf->get_header_value("Cache-Control"), "no-store");
  auto ics = browser_->Get("/rendez-vous/" + std::to_string(id) + "/rendez-vous.ics");
  EXPECT_EQ(ics->status, 200);
  EXPECT_NE(ics->body.find("DTSTART;TZID=Europe/Paris:20261125T100000"), std::string::npos);
  EXPECT_EQ(ics->body.find("Mabiala"), std::string::npos) << "initials only in calendars";
  auto week = browser_->Get("/agenda/courriers.pdf?date=2026-11-23&fin=2026-11-30");
  EXPECT_EQ(week->status, 200);
  EXPECT_EQ(browser_->Get("/agenda/courriers.pdf?date=2026-11-23&fin=2027-11-30")->status, 400);
  EXPECT_EQ(browser_->Get("/agenda/courriers.pdf?date=2026-12-20")->status, 404)
      << "no appointment that day: nothing to print";
}

TEST_F(AppointmentWebTest, TheLetterCarriesTheLogoOfTheSettings) {
  const long long id = Create("2026-11-25", "10:00");
  const std::string path = "/rendez-vous/" + std::to_string(id) + "/courrier.pdf";
  EXPECT_EQ(browser_->Get(path)->body.find("/Subtype /Image"), std::string::npos);
  // A 1×1 PNG.
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
      0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78,
      0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99,
      0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  const auto file = std::filesystem::temp_directory_path() /
                    ("allervers-logo-" + std::to_string(::getpid()) + ".png");
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(kPng), sizeof(kPng));
  service::SettingsService settings(db_->db(), server_->services().clock);
  settings.Set(service::Actor::System("t"), "operator.logo_path", file.string());
  const auto pdf = browser_->Get(path);
  std::filesystem::remove(file);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_NE(pdf->body.find("/Subtype /Image"), std::string::npos);
}

TEST_F(AppointmentWebTest, AgendaViewsAndBadParameters) {
  Create("2026-11-25", "10:00");
  for (const char* view : {"jour", "semaine", "liste"}) {
    auto res = browser_->Get(std::string("/agenda?vue=") + view + "&date=2026-11-25");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << view;
    EXPECT_NE(res->body.find("MABIALA Grâce"), std::string::npos) << view;
  }
  EXPECT_EQ(browser_->Get("/agenda?date=2026-02-31")->status, 400);
  EXPECT_EQ(browser_->Get("/agenda?intervenant=abc")->status, 400);
  auto sheet = browser_->Get("/agenda/feuille-de-route?date=2026-11-25");
  EXPECT_EQ(sheet->status, 200);
  EXPECT_NE(sheet->body.find("06 21 45 78 90"), std::string::npos);
}

TEST_F(AppointmentWebTest, TheHomePageAndEcheancesListWhatIsDue) {
  auto home = browser_->Get("/");
  ASSERT_EQ(home->status, 200);
  EXPECT_NE(home->body.find("À faire sur vos accompagnements"), std::string::npos);
  EXPECT_NE(home->body.find("Prendre contact avec la personne"), std::string::npos);
  EXPECT_NE(home->body.find("MABIALA Grâce"), std::string::npos);
  // Overdue is said in words, not by colour alone.
  server_->services().clock.Set(paris::FromLocal({2026, 11, 30}, 9, 0));
  ASSERT_EQ(browser_->SignIn("lea@emn.example", kGoodPassword), 303);
  auto due = browser_->Get("/echeances");
  ASSERT_EQ(due->status, 200);
  EXPECT_NE(due->body.find("En retard"), std::string::npos);
  EXPECT_NE(due->body.find("/fiches/" + std::to_string(referral_) + "/contact"), std::string::npos);
  EXPECT_EQ(browser_->Get("/echeances?intervenant=equipe")->status, 200);
  EXPECT_EQ(browser_->Get("/echeances?intervenant=abc")->status, 400);
  // Another team's intervenant sees none of it; a referrer may not open the list.
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  due = other.Get("/echeances?intervenant=equipe");
  ASSERT_EQ(due->status, 200);
  EXPECT_EQ(due->body.find("MABIALA"), std::string::npos);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get("/echeances")->status, 403);
  EXPECT_EQ(referrer.Get("/")->body.find("À faire"), std::string::npos);
}

TEST_F(AppointmentWebTest, PartnerDirectoryAndOrientationPagesAnswerBadInputWith4xx) {
  auto& s = server_->services();
  const auto system = service::Actor::System("t");
  const auto imported = s.partners.Import(
      system,
      R"({"structures": [{"source": "t", "id": "ccas", "nom": "CCAS de Cergy", "date_maj": "2026-10-01",
           "commune": "Cergy", "code_postal": "95000"}],
          "services": [{"source": "t", "id": "alim", "structure_id": "ccas",
           "nom": "Aide alimentaire <script>alert(1)</script>", "description": "Colis",
           "date_maj": "2026-10-01", "thematiques": ["equipement-et-alimentation--alimentation"]}]})");
  ASSERT_EQ(imported.services_created, 1);
  const auto service = s.partners.Search(system, {}).result.services.at(0).id;

  auto page = browser_->Get("/partenaires?thematique=equipement-et-alimentation&lieu=cergy&fiche=" +
                            std::to_string(referral_));
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/fiches/" + std::to_string(referral_) +
                            "/orientations/nouvelle?service=" + std::to_string(service) + "\""),
            std::string::npos)
      << "each result orients to its own service";
  EXPECT_EQ(page->body.find("<script>alert(1)"), std::string::npos) << "escaped";
  EXPECT_NE(page->body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(browser_->Get("/partenaires?thematique=%27%22&page=abc")->status, 200);
  EXPECT_EQ(browser_->Get("/partenaires?fiche=999999")->status, 404);
  EXPECT_EQ(browser_->Get("/partenaires/services/" + std::to_string(service))->status, 200);
  EXPECT_EQ(browser_->Get("/partenaires/services/999999")->status, 404);
  EXPECT_EQ(browser_->Get("/partenaires/import")->status, 403) << "intervenants do not import";

  const std::string form = "/fiches/" + std::to_string(referral_) + "/orientations/nouvelle";
  ASSERT_EQ(browser_->Get(form + "?service=" + std::to_string(service))->status, 200);
  EXPECT_EQ(browser_->Get(form + "?service=999999")->status, 404);
  // Shared without agreement: 422, what was typed is kept.
  const std::string post = "/fiches/" + std::to_string(referral_) + "/orientations";
  auto res = browser_->Post(post, {{"service_id", std::to_string(service)},
                                   {"partner_kind", "aide_sociale"},
                                   {"reason", "Colis en attendant le RSA"},
                                   {"status", "proposee"},
                                   {"shared", "identite"}});
  ASSERT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Colis en attendant le RSA"), std::string::npos);
  EXPECT_NE(res->body.find("sans l’accord de la personne"), std::string::npos);
  EXPECT_NE(res->body.find("CCAS de Cergy"), std::string::npos) << "the service stays chosen";
  res = browser_->Post(post, {{"service_id", std::to_string(service)},
                              {"partner_kind", "aide_sociale"},
                              {"reason", "Colis en attendant le RSA"},
                              {"status", "proposee"},
                              {"shared", "identite"},
                              {"consent", "1"},
                              {"consent_method", "oral"}});
  ASSERT_EQ(res->status, 303);
  const auto orientations =
      s.cases.Open(lea_, *s.cases.PersonOf(lea_, referral_)).cases[0].orientations;
  ASSERT_EQ(orientations.size(), 1u);
  const std::string show = "/orientations/" + std::to_string(orientations[0].id);
  ASSERT_EQ(browser_->Get(show)->status, 200);
  EXPECT_EQ(
      browser_->Post(show, {{"partner_kind", "aide_sociale"}, {"reason", ""}, {"status", "x"}})
          ->status,
      422);
  EXPECT_EQ(browser_->Get("/orientations/999999")->status, 404);

  // Another team: 404 on the orientation and on the case's directory link.
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(show)->status, 404);
  EXPECT_EQ(other.Get(form)->status, 404);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get("/partenaires")->status, 403);
  EXPECT_EQ(referrer.Get(show)->status, 403);
}

TEST_F(AppointmentWebTest, RetoursAndReviewsAreChosenByTheTeamAndReadByTheReferrer) {
  const std::string fiche = "/fiches/" + std::to_string(referral_);
  auto form = browser_->Get(fiche + "/retour");
  ASSERT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("value=\"status\""), std::string::npos);
  auto res = browser_->Post(fiche + "/retour", {{"next_steps", " "}});
  EXPECT_EQ(res->status, 422);
  res = browser_->Post(fiche + "/retour", {{"items", "procedure:424242"}});
  EXPECT_EQ(res->status, 422);
  res = browser_->Post(fiche + "/retour",
                       {{"items", "status"}, {"next_steps", "Rendez-vous fixé pour le RSA."}});
  ASSERT_EQ(res->status, 303);

  const std::string review = fiche + "/points-etape";
  ASSERT_EQ(browser_->Get(review + "/nouveau")->status, 200);
  res = browser_->Post(
      review, {{"date", "2026-11-30"}, {"time", "9h"}, {"place", ""}, {"status", "prevu"}});
  ASSERT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("HH:MM"), std::string::npos);
  res = browser_->Post(review, {{"date", "2026-11-30"},
                                {"time", "09:30"},
                                {"place", "À la maison des solidarités"},
                                {"participants", "prescripteur"},
                                {"participants", "personne"},
                                {"status", "prevu"}});
  ASSERT_EQ(res->status, 303);

  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  const auto page = referrer.Get(fiche);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Retours de l’équipe mobile"), std::string::npos);
  EXPECT_NE(page->body.find("Rendez-vous fixé pour le RSA."), std::string::npos);
  EXPECT_NE(page->body.find("À la maison des solidarités"), std::string::npos);
  EXPECT_EQ(referrer.Get(fiche + "/retour")->status, 403);
  // Closed: the reason reads as words on the referrer's page, not as a code.
  ASSERT_TRUE(
      server_->services().cases.Close(lea_, referral_, {"objectifs_atteints", "", true}).empty());
  EXPECT_NE(referrer.Get(fiche)->body.find("Objectifs atteints"), std::string::npos);

  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(fiche + "/retour")->status, 404);
  EXPECT_EQ(other.Get(review + "/nouveau")->status, 404);
  EXPECT_EQ(other.Get("/points-etape/1")->status, 404);
}

TEST_F(AppointmentWebTest, TheQuarterlyReportOfADelegatedCaseReachesTheTerritoryManager) {
  auto& s = server_->services();
  ASSERT_TRUE(s.users
                  .Create(service::Actor::System("t"),
                          {"rt@ssd.example", "Responsable", "pilote", "SSD", ""}, kGoodPassword)
                  .errors.empty());
  const std::string fiche = "/fiches/" + std::to_string(referral_);
  browser_->Get(fiche);
  EXPECT_EQ(browser_->Post(fiche + "/mode-de-suivi", {{"follow_mode", "n_importe"}})->status, 400);
  ASSERT_EQ(browser_->Post(fiche + "/mode-de-suivi", {{"follow_mode", "delegation"}})->status, 303);
  ASSERT_EQ(browser_->Get(fiche + "/bilan-trimestriel")->status, 200);
  EXPECT_EQ(browser_->Get(fiche + "/bilan-trimestriel?annee=2026&trimestre=9")->status, 400);
  auto res = browser_->Post(fiche + "/bilan-trimestriel",
                            {{"annee", "2026"}, {"trimestre", "4"}, {"observations", ""}});
  EXPECT_EQ(res->status, 422);
  res =
      browser_->Post(fiche + "/bilan-trimestriel",
                     {{"annee", "2026"}, {"trimestre", "4"}, {"observations", "Compte CAF créé."}});
  ASSERT_EQ(res->status, 303);
  EXPECT_EQ(browser_
                ->Post(fiche + "/bilan-trimestriel",
                       {{"annee", "2026"}, {"trimestre", "4"}, {"observations", "Encore."}})
                ->status,
            409);

  Browser manager(*server_);
  ASSERT_EQ(manager.SignIn("rt@ssd.example", kGoodPassword), 303);
  const auto list = manager.Get("/bilans-trimestriels");
  ASSERT_EQ(list->status, 200);
  const auto at = list->body.find("/bilans-trimestriels/");
  ASSERT_NE(at, std::string::npos);
  const std::string pdf_path = list->body.substr(at, list->body.find('"', at) - at);
  const auto pdf = manager.Get(pdf_path);
  ASSERT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(manager.Get(fiche)->status, 404) << "the manager reads the report, not the fiche";

  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get("/bilans-trimestriels")->status, 403);
  EXPECT_EQ(referrer.Get(pdf_path)->status, 404);
}

TEST_F(AppointmentWebTest, TheCalendarFeedIsPrivateAndRevocable) {
  Create("2026-11-25", "10:00");
  browser_->Get("/agenda/calendrier");
  auto res = browser_->Post("/agenda/calendrier", {{"action", "renew"}});
  ASSERT_EQ(res->status, 200);
  const auto start = res->body.find("/calendrier/");
  ASSERT_NE(start, std::string::npos);
  const auto end = res->body.find(".ics", start);
  const std::string feed = res->body.substr(start, end + 4 - start);
  auto anonymous = server_->Client();
  auto ics = anonymous->Get(feed);
  EXPECT_EQ(ics->status, 200);
  EXPECT_NE(ics->body.find("BEGIN:VEVENT"), std::string::npos);
  EXPECT_EQ(anonymous->Get("/calendrier/pas-un-vrai-jeton-du-tout-0000.ics")->status, 404);
  browser_->Get("/agenda/calendrier");
  EXPECT_EQ(browser_->Post("/agenda/calendrier", {{"action", "revoke"}})->status, 303);
  EXPECT_EQ(anonymous->Get(feed)->status, 404);
}

TEST_F(AppointmentWebTest, OutcomesAndAnotherTeamsAppointments) {
  const long long id = Create("2026-11-25", "10:00");
  const std::string path = "/rendez-vous/" + std::to_string(id);
  browser_->Get(path);
  EXPECT_EQ(browser_->Post(path + "/resultat", {{"status", "n_importe_quoi"}})->status, 400);
  EXPECT_EQ(browser_->Post(path + "/resultat", {{"status", "honoured"}})->status, 409)
      << "not yet happened";
  EXPECT_EQ(browser_->Post(path + "/resultat", {{"status", "cancelled_team"}})->status, 303);
  EXPECT_NE(browser_->Get(path)->body.find("Annulé par l’équipe"), std::string::npos);
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(path)->status, 404);
  EXPECT_EQ(other.Get(path + "/courrier.pdf")->status, 404);
  EXPECT_EQ(other.Get("/fiches/" + std::to_string(referral_) + "/rendez-vous")->status, 404);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get("/agenda")->status, 403);
  EXPECT_EQ(referrer.Get(path + "/courrier.pdf")->status, 403);
  EXPECT_EQ(referrer.Get(path)->status, 404) << "not invited";
  EXPECT_EQ(referrer.Get("/invitations")->status, 200);
}

}  // namespace
}  // namespace allervers::testing

namespace allervers::testing {
namespace {

// The case page, bilans, interventions and notes over HTTP (same fixture: Léa signed in on
// an accepted case).
std::string PersonPath(TestServer& server, const service::Actor& lea, domain::ReferralId r) {
  return "/personnes/" + std::to_string(*server.services().cases.PersonOf(lea, r));
}

TEST_F(AppointmentWebTest, TheCasePageShowsTheTimelineAndKeepsABadNote) {
  const auto path = PersonPath(*server_, lea_, referral_);
  auto res = browser_->Get(path);
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Prendre contact avec la personne"), std::string::npos);
  const std::string notes = "/fiches/" + std::to_string(referral_) + "/notes";
  res = browser_->Post(notes, {{"body", std::string(5001, 'a')}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("dépasse 5000"), std::string::npos);
  EXPECT_NE(res->body.find(std::string(200, 'a')), std::string::npos) << "typed text kept";
  res = browser_->Post(notes, {{"body", "<script>alert(1)</script> Attestation remise."}});
  EXPECT_EQ(res->status, 303);
  res = browser_->Get(path + "?filtre=notes");
  EXPECT_EQ(res->body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(res->body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(browser_->Get(path + "?filtre=%00%ff")->status, 200);
  EXPECT_EQ(browser_->Get("/personnes/999999")->status, 404);
}

TEST_F(AppointmentWebTest, BadInterventionsAnswer422AndKeepWhatWasTyped) {
  const std::string base = "/fiches/" + std::to_string(referral_) + "/interventions";
  ASSERT_EQ(browser_->Get(base + "/nouvelle")->status, 200);
  auto res = browser_->Post(base, {{"date", "2026-11-16"},
                                   {"duration", "autre"},
                                   {"custom_duration", "abc"},
                                   {"place", "domicile"},
                                   {"modality", "faire_avec"},
                                   {"workers", std::to_string(lea_.user_id)},
                                   {"summary", "Compte ameli créé"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Compte ameli créé"), std::string::npos);
  EXPECT_NE(res->body.find("Cochez au moins un thème"), std::string::npos);
  res = browser_->Post(base, {{"date", "2026-11-16"},
                              {"duration", "30"},
                              {"place", "domicile"},
                              {"modality", "faire_avec"},
                              {"digital_themes", "email"},
                              {"workers", std::to_string(lea_.user_id)}});
  EXPECT_EQ(res->status, 303);
}

TEST_F(AppointmentWebTest, TheBilanFormSavesEachStepAndRefusesUnknownValues) {
  auto res = browser_->Get(PersonPath(*server_, lea_, referral_));
  res = browser_->Post("/fiches/" + std::to_string(referral_) + "/bilans", {{"kind", "initial"}});
  ASSERT_EQ(res->status, 303);
  const std::string step = res->get_header_value("Location");
  ASSERT_NE(step.find("/etape/A"), std::string::npos);
  const std::string bilan = step.substr(0, step.find("/etape"));
  ASSERT_EQ(browser_->Get(bilan + "/etape/E")->status, 200);
  res = browser_->Post(bilan + "/etape/E", {{"E.pdf", "7"}, {"action", "suivant"}});
  EXPECT_EQ(res->status, 422);
  res = browser_->Post(bilan + "/etape/E", {{"E.pdf", "2"}, {"action", "autosave"}});
  EXPECT_EQ(res->status, 204);
  res = browser_->Post(bilan + "/etape/E", {{"E.pdf", "2"}, {"action", "suivant"}});
  EXPECT_EQ(res->status, 303);
  EXPECT_NE(res->get_header_value("Location").find("/etape/F"), std::string::npos);
  EXPECT_EQ(browser_->Get(bilan + "/etape/Z")->status, 404);
  res = browser_->Post(bilan + "/terminer", {});
  EXPECT_EQ(res->status, 303);
  res = browser_->Get(bilan);
  EXPECT_NE(res->body.find("Terminé"), std::string::npos);
  res = browser_->Post("/fiches/" + std::to_string(referral_) + "/bilans", {{"kind", "autre"}});
  EXPECT_EQ(res->status, 400);
}

TEST_F(AppointmentWebTest, AnotherTeamGets404OnTheCaseAndItsBilans) {
  const auto path = PersonPath(*server_, lea_, referral_);
  ASSERT_EQ(browser_->Get(path)->status, 200);
  auto res =
      browser_->Post("/fiches/" + std::to_string(referral_) + "/bilans", {{"kind", "initial"}});
  ASSERT_EQ(res->status, 303);
  const std::string location = res->get_header_value("Location");
  const std::string bilan = location.substr(0, location.find("/etape"));
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(path)->status, 404);
  EXPECT_EQ(other.Get(bilan)->status, 404);
  EXPECT_EQ(other.Get("/fiches/" + std::to_string(referral_) + "/interventions/nouvelle")->status,
            404);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get(path)->status, 403);
}

TEST_F(AppointmentWebTest, ProceduresAndMandatesAnswerBadInputWith4xx) {
  const auto path = PersonPath(*server_, lea_, referral_);
  ASSERT_EQ(browser_->Get(path)->status, 200);
  const std::string fiche = "/fiches/" + std::to_string(referral_);
  EXPECT_EQ(browser_->Post(fiche + "/demarches", {{"code", ""}})->status, 400);
  auto res = browser_->Post(fiche + "/demarches", {{"code", "CAF-RSA"}});
  ASSERT_EQ(res->status, 303);
  const std::string procedure = res->get_header_value("Location");
  ASSERT_EQ(browser_->Get(procedure)->status, 200);
  res = browser_->Post(procedure, {{"status", "deposee"},
                                   {"outcome", "ouvert"},
                                   {"monthly_amount", "beaucoup"},
                                   {"note", "Dossier CAF n° 4521"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Dossier CAF n° 4521"), std::string::npos);
  res = browser_->Post(procedure, {{"status", "deposee"}, {"outcome", ""}, {"gathered", "0"}});
  EXPECT_EQ(res->status, 303);

  ASSERT_EQ(browser_->Get(path)->status, 200);
  res = browser_->Post(fiche + "/mandats", {{"starts_on", "2026-11-16"}, {"duration_days", "7"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Choisissez la durée du mandat"), std::string::npos);
  EXPECT_EQ(browser_->Post("/mandats/99999/revoquer", {})->status, 404);

  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(procedure)->status, 404);
}

TEST_F(AppointmentWebTest, ClosingWithoutAReasonKeepsTheCommentAndReopeningWorks) {
  const auto path = PersonPath(*server_, lea_, referral_);
  ASSERT_EQ(browser_->Get(path)->status, 200);
  const std::string fiche = "/fiches/" + std::to_string(referral_);
  auto res = browser_->Post(fiche + "/cloture", {{"closure_note", "Suivie ailleurs désormais"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Suivie ailleurs désormais"), std::string::npos);
  EXPECT_EQ(browser_->Post(fiche + "/reouverture", {})->status, 409);
  res = browser_->Post(fiche + "/cloture", {{"reason", "demenagement"}});
  EXPECT_EQ(res->status, 303);
  res = browser_->Get(path);
  EXPECT_NE(res->body.find("Rouvrir l’accompagnement"), std::string::npos);
  EXPECT_EQ(browser_->Post(fiche + "/reouverture", {})->status, 303);
}

TEST_F(AppointmentWebTest, TheClosureLetterIsAPdfForTheTeamOnceTheCaseIsClosed) {
  const auto path = PersonPath(*server_, lea_, referral_);
  const std::string fiche = "/fiches/" + std::to_string(referral_);
  const std::string letter = fiche + "/cloture/courrier.pdf";
  const std::string link = "href=\"" + letter + "\"";
  auto res = browser_->Get(path);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body.find(link), std::string::npos) << "open case: no letter";
  EXPECT_EQ(browser_->Get(letter)->status, 409);
  ASSERT_EQ(browser_->Post(fiche + "/cloture", {{"reason", "refus"}})->status, 303);
  res = browser_->Get(path);
  EXPECT_NE(res->body.find(link), std::string::npos);
  EXPECT_NE(res->body.find("Télécharger le courrier de fin d’accompagnement (PDF)"),
            std::string::npos);
  const auto pdf = browser_->Get(letter);
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  EXPECT_NE(pdf->get_header_value("Content-Disposition").find("courrier-fin-accompagnement"),
            std::string::npos);
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("other@emn2.example", kGoodPassword), 303);
  EXPECT_EQ(other.Get(letter)->status, 404);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get(letter)->status, 403);
  // Closed after a death: no letter to the person, and no link to one.
  ASSERT_EQ(browser_->Post(fiche + "/reouverture", {})->status, 303);
  browser_->Get(path);
  ASSERT_EQ(browser_->Post(fiche + "/cloture", {{"reason", "deces"}})->status, 303);
  res = browser_->Get(path);
  EXPECT_EQ(res->body.find(link), std::string::npos);
  EXPECT_EQ(browser_->Get(letter)->status, 409);
}

}  // namespace
}  // namespace allervers::testing
