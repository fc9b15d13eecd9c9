#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "storage/migrations.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"
#include "support/test_server.hpp"
#include "web/indicators_json.hpp"

namespace allervers::testing {
namespace {

using nlohmann::json;

// A small team's quarter, built through the services on a fake clock, whose indicators are
// known by hand; the same figures from the service, the API, the CSV and the dashboard.
class IndicatorFixture {
 public:
  explicit IndicatorFixture(service::Store& store, TestServices& s) : s_(s) {
    (void)store;
    const auto system = service::Actor::System("t");
    for (const auto& in : std::vector<domain::StructureInput>{
             {"EMN", "Équipe mobile", "operateur", "Cergy"},
             {"EMN2", "Équipe secondaire", "operateur", "Argenteuil"},
             {"SSD", "SSD Cergy", "ssd", "Cergy"},
             {"CCAS", "CCAS Pontoise", "partenaire", "Pontoise"}}) {
      EXPECT_TRUE(s_.structures.Create(system, in).errors.empty());
    }
    coordinator_ = User("coord@emn.example", "coordinateur", "EMN");
    worker_ = User("lea@emn.example", "intervenant", "EMN");
    referrer_ = User("as@ssd.example", "prescripteur", "SSD");
    ccas_ = User("accueil@ccas.example", "prescripteur", "CCAS");
    pilote_ = User("pilote@ssd.example", "pilote", "SSD");
    other_team_ = User("coord@emn2.example", "coordinateur", "EMN2");
  }

  service::Actor User(const std::string& email, const std::string& role,
                      const std::string& structure) {
    const auto r = s_.users.Create(service::Actor::System("t"),
                                   {email, email.substr(0, email.find('@')), role, structure, ""},
                                   kGoodPassword);
    EXPECT_TRUE(r.errors.empty());
    return service::Actor::ForUser(s_.users.Get(service::Actor::System("t"), r.id), "req", "ip");
  }

  void At(LocalDate d, int hour, int minute = 0) {
    s_.clock.Set(paris::FromLocal(d, hour, minute));
  }

  domain::ReferralId Refer(const service::Actor& by, const std::string& last_name,
                           const std::string& birth_date, const std::string& gender) {
    auto in = SampleReferral();
    in.last_name = last_name;
    in.birth_date = birth_date;
    in.gender = gender;
    in.consent_date = ToIso(paris::Today(s_.clock.Now()));
    const auto r = s_.referrals.Submit(by, std::nullopt, in);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().message);
    s_.referrals.Accept(coordinator_, r.id, worker_.user_id);
    return r.id;
  }

  void Contact(domain::ReferralId r, const LocalDate& d) {
    At(d, 10);
    EXPECT_TRUE(
        s_.appointments.RecordContact(worker_, r, {ToIso(d), "09:30", "telephone", "joint", ""})
            .empty());
  }

  // A home visit on `d` at 14:00, honoured or missed.
  void Visit(domain::ReferralId r, const LocalDate& d, bool honoured) {
    domain::AppointmentInput a;
    a.date = ToIso(d);
    a.start_time = "14:00";
    a.duration_minutes = "60";
    a.place = "domicile";
    a.workers = {std::to_string(worker_.user_id)};
    a.purpose = "Démarches";
    At(AddDays(d, -1), 9);
    const auto created = s_.appointments.Create(worker_, r, a, true);
    ASSERT_NE(created.id, 0);
    At(d, 16);
    s_.appointments.SetOutcome(
        worker_, created.id,
        honoured ? domain::AppointmentStatus::kHonoured : domain::AppointmentStatus::kAbsent, "");
    if (!honoured) {
      return;
    }
    domain::InterventionInput in;
    in.date = ToIso(d);
    in.duration = "90";
    in.place = "domicile";
    in.modality = "faire_avec";
    in.digital_themes = {"demarches"};
    in.administrative_themes = {"social"};
    in.workers = {std::to_string(worker_.user_id)};
    ASSERT_TRUE(s_.cases.RecordIntervention(worker_, r, in).errors.empty());
  }

  // The hand-built quarter (Q4 2026), whose figures the tests check:
  //  A (SSD) received 1/10 00:30 Paris time — the first half hour of the quarter —, contacted
  //    2/10, visited 6/10: reception, follow-up; C2S opened 20/11 at 32,50 €/month; closed
  //    10/12 « objectifs atteints ».
  //  B (SSD) received 25/10 23:30, the evening of the autumn clock change, contacted 27/10,
  //    absent 29/10 then visited 3/11: reception; an orientation to a partner.
  //  C (CCAS, Pontoise) received 31/12 23:30 — the last half hour —, not yet contacted.
  //  D (SSD) received 30/09 23:30: the quarter before; visited 2/10 → a reception of Q4.
  //  E (SSD) received 1/01/2027 00:10: the next quarter.
  void BuildQuarter() {
    At({2026, 10, 1}, 0, 30);
    a_ = Refer(referrer_, "Alpha", "1950-05-01", "femme");
    Contact(a_, {2026, 10, 2});
    Visit(a_, {2026, 10, 6}, true);
    At({2026, 11, 20}, 11);
    const auto c2s = s_.cases.AddProcedure(worker_, a_, "CPAM-C2S");
    domain::ProcedureInput p;
    p.status = "finalisee";
    p.outcome = "ouvert";
    p.monthly_amount = "32,50";
    p.outcome_on = "2026-11-20";
    ASSERT_TRUE(s_.cases.UpdateProcedure(worker_, c2s, p).empty());

    At({2026, 10, 25}, 23, 30);
    b_ = Refer(referrer_, "Bravo", "1990-01-15", "homme");
    Contact(b_, {2026, 10, 27});
    Visit(b_, {2026, 10, 29}, false);
    Visit(b_, {2026, 11, 3}, true);
    domain::OrientationInput o;
    o.partner_name = "Épicerie sociale";
    o.partner_kind = "aide_sociale";
    o.reason = "Colis alimentaire.";
    o.status = "proposee";
    ASSERT_TRUE(s_.cases.RecordOrientation(worker_, b_, o).errors.empty());

    At({2026, 9, 30}, 23, 30);
    d_ = Refer(referrer_, "Delta", "", "");
    Contact(d_, {2026, 10, 1});
    Visit(d_, {2026, 10, 2}, true);

    At({2026, 12, 10}, 17);
    ASSERT_TRUE(
        s_.cases.Close(worker_, a_, {"objectifs_atteints", "Droits ouverts.", true}).empty());

    At({2026, 12, 31}, 23, 30);
    c_ = Refer(ccas_, "Charlie", "2001-03-03", "femme");
    At({2027, 1, 1}, 0, 10);
    Refer(referrer_, "Echo", "", "");
    At({2027, 1, 5}, 9);
  }

  TestServices& s_;
  service::Actor coordinator_, worker_, referrer_, ccas_, pilote_, other_team_;
  domain::ReferralId a_ = 0, b_ = 0, c_ = 0, d_ = 0;
};

class IndicatorServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    f_ = std::make_unique<IndicatorFixture>(db_->db(), *s_);
  }

  service::Indicators Q4(const service::Actor& actor, service::IndicatorQuery q = {}) {
    q.from = "2026-10-01";
    q.to = "2026-12-31";
    auto r = s_->indicators.Compute(actor, q, false);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().message);
    return *r.current;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  std::unique_ptr<IndicatorFixture> f_;
};

TEST_P(IndicatorServiceTest, AQuarterCountsWhatTheRulesSay) {
  f_->BuildQuarter();
  // The milestones the figures read were kept right by every write of the journey.
  EXPECT_EQ(db_->StaleCaseMilestones(), std::vector<std::string>{});
  const auto q = Q4(f_->coordinator_);
  const auto& c = q.cases;
  EXPECT_EQ(c.referrals_received, 3);  // A, B, C: D was received the evening before, E after
  EXPECT_EQ(c.receptions, 3);          // A, B, D: first honoured visit in the quarter
  EXPECT_EQ(c.follow_ups, 3);
  EXPECT_EQ(c.follow_ups_new, 3);
  EXPECT_EQ(c.exits, 1);
  EXPECT_EQ(c.exits_by_reason.at("objectifs_atteints"), 1);
  EXPECT_EQ(c.referral_to_contact.n, 3);  // A 1 day, B 2 days, D 1 day
  EXPECT_EQ(c.referral_to_contact.median_days, 1.0);
  EXPECT_EQ(c.referral_to_visit.median_days, 5.0);  // A 5, B 9, D 2
  EXPECT_EQ(c.referral_to_visit.p90_days, 9.0);
  EXPECT_EQ(c.age_bands.at("70 ans et plus"), 1);  // A, 76 at the end of the year
  EXPECT_EQ(c.genders.at("homme"), 1);

  const auto& a = q.activity;
  EXPECT_EQ(a.interventions, 3);
  EXPECT_EQ(a.minutes, 270);
  EXPECT_EQ(a.persons, 3);
  ASSERT_EQ(a.per_worker.size(), 1u);
  EXPECT_EQ(a.per_worker[0].n, 3);
  EXPECT_EQ(a.appointments.at("honoured"), 3);
  EXPECT_EQ(a.appointments.at("absent"), 1);
  ASSERT_TRUE(q.no_show_rate.has_value());
  EXPECT_DOUBLE_EQ(*q.no_show_rate, 0.25);
  ASSERT_EQ(a.procedures.size(), 1u);
  EXPECT_EQ(a.procedures[0].code, "CPAM-C2S");
  EXPECT_EQ(a.procedures[0].rights_opened, 1);
  EXPECT_EQ(a.procedures[0].monthly_amount_cents, 3250);
  ASSERT_EQ(a.orientations.size(), 1u);
  EXPECT_EQ(a.orientations[0].code, "aide_sociale");

  // The targets look at the year so far; with no budget set there is no cost.
  ASSERT_TRUE(q.has_targets);
  EXPECT_EQ(q.follow_ups_target.target, 90);
  EXPECT_EQ(q.follow_ups_target.actual, 3);
  EXPECT_NEAR(q.follow_ups_target.pro_rata, 90.0, 1e-9);
  EXPECT_FALSE(q.cost_per_follow_up_cents.has_value());
}

// Migration 0017 fills the milestones of referrals written before it: its backfill, run on
// referrals whose milestones are blank, gives what the repositories keep.
TEST_P(IndicatorServiceTest, TheMilestonesMigrationFillsReferralsWrittenBefore) {
  f_->BuildQuarter();
  const auto migrations = storage::LoadMigrations(SourceDir() / "migrations", db_->db().backend());
  const auto m = std::find_if(migrations.begin(), migrations.end(),
                              [](const auto& x) { return x.name == "0017_case_milestones"; });
  ASSERT_NE(m, migrations.end());
  // Its UPDATE statements, the backfill.
  std::string backfill;
  for (auto at = m->sql.find("\nUPDATE "); at != std::string::npos;
       at = m->sql.find("\nUPDATE ", at + 1)) {
    backfill += m->sql.substr(at, m->sql.find(';', at) - at + 1);
  }
  ASSERT_NE(backfill.find("UPDATE referral SET"), std::string::npos);
  ASSERT_NE(backfill.find("UPDATE intervention SET"), std::string::npos);
  db_->Exec(
      "UPDATE referral SET reached_at = NULL, honoured_at = NULL, first_intervention_on = NULL, "
      "first_bilan_on = NULL, initial_level = '', initial_on = NULL, final_level = ''; "
      "UPDATE intervention SET operator_id = NULL");
  EXPECT_FALSE(db_->StaleCaseMilestones().empty());
  db_->Exec(backfill);
  EXPECT_EQ(db_->StaleCaseMilestones(), std::vector<std::string>{});
  EXPECT_EQ(Q4(f_->coordinator_).cases.receptions, 3);
}

TEST_P(IndicatorServiceTest, TheClockChangeAndTheQuarterBoundsAreLocalDays) {
  f_->BuildQuarter();
  service::IndicatorQuery day;
  day.from = "2026-10-25";  // the day the clocks go back
  day.to = "2026-10-25";
  auto r = s_->indicators.Compute(f_->coordinator_, day, false);
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.current->cases.referrals_received, 1);  // B, at 23:30 on that day
  day.from = day.to = "2026-09-30";
  r = s_->indicators.Compute(f_->coordinator_, day, false);
  EXPECT_EQ(r.current->cases.referrals_received, 1);  // D
  day.from = day.to = "2026-12-31";
  r = s_->indicators.Compute(f_->coordinator_, day, false);
  EXPECT_EQ(r.current->cases.referrals_received, 1);  // C
}

TEST_P(IndicatorServiceTest, FiltersScopeAndPermissions) {
  f_->BuildQuarter();
  service::IndicatorQuery q;
  q.territory = "Pontoise";  // the CCAS's territory: C only
  auto i = Q4(f_->coordinator_, q);
  EXPECT_EQ(i.cases.referrals_received, 1);
  EXPECT_EQ(i.activity.interventions, 0);
  EXPECT_FALSE(i.has_targets);  // the targets are the whole action's
  q = {};
  q.worker = std::to_string(f_->worker_.user_id);
  EXPECT_EQ(Q4(f_->coordinator_, q).activity.interventions, 3);
  // Another team counts nothing of this one; the Département sees every team.
  EXPECT_EQ(Q4(f_->other_team_).cases.referrals_received, 0);
  EXPECT_EQ(Q4(f_->pilote_).cases.referrals_received, 3);
  // The pilote may not look at one intervenant; bad filters are field errors.
  q = {"2026-10-01", "2026-12-31", "", "", std::to_string(f_->worker_.user_id)};
  EXPECT_FALSE(s_->indicators.Compute(f_->pilote_, q, false).errors.empty());
  q = {"2026-10-01", "2026-12-31", "abc", "", ""};
  EXPECT_EQ(s_->indicators.Compute(f_->coordinator_, q, false).errors.front().field, "structure");
  q = {"2026-10-01", "2026-12-31", "", "", "999999"};
  EXPECT_EQ(s_->indicators.Compute(f_->coordinator_, q, false).errors.front().field, "worker");
  q = {"2026-12-31", "2026-10-01", "", "", ""};
  EXPECT_FALSE(s_->indicators.Compute(f_->coordinator_, q, false).errors.empty());
  EXPECT_EQ(CodeOf([&] { s_->indicators.Compute(f_->worker_, q, false); }),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->indicators.Compute(f_->referrer_, q, false); }),
            ErrorCode::kPermissionDenied);
}

TEST_P(IndicatorServiceTest, OutsideTheTeamSmallCountsReadLessThanFive) {
  f_->BuildQuarter();
  const auto q = Q4(f_->pilote_);
  const auto team = web::IndicatorsJson(q, s_->reference, false);
  const auto out = web::IndicatorsJson(q, s_->reference, true);
  EXPECT_EQ(team.at("follow_ups").at("total"), 3);
  EXPECT_EQ(out.at("follow_ups").at("total"), "< 5");
  EXPECT_EQ(out.at("interventions").at("count"), 3);  // a volume of work, not of persons
  EXPECT_TRUE(out.at("delays").at("referral_to_visit").at("median_days").is_null());
  EXPECT_TRUE(out.at("rights_opened").at("monthly_amount_cents").is_null());
  EXPECT_EQ(out.at("interventions_per_worker").at(0).at("name"), "Intervenant·e A");
  EXPECT_EQ(team.at("interventions_per_worker").at(0).at("name"), "lea");
}

INSTANTIATE_TEST_SUITE_P(Backends, IndicatorServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

// The same figures through HTTP: the API (token scope indicators:read), the CSV and the page.
class IndicatorWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    server_ = std::make_unique<TestServer>(db_->db());
    f_ = std::make_unique<IndicatorFixture>(db_->db(), server_->services());
    f_->BuildQuarter();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<IndicatorFixture> f_;
};

TEST_F(IndicatorWebTest, TheApiTheCsvAndThePageGiveTheSameFigures) {
  auto& s = server_->services();
  const auto system = service::Actor::System("t");
  const std::string token =
      "Bearer " + s.api_tokens.Create(system, "SSD", {"indicators:read"}, "").token;
  const std::string referrals_only =
      "Bearer " + s.api_tokens.Create(system, "SSD", {"referrals:read"}, "").token;
  auto client = server_->Client();
  auto res =
      client->Get("/api/v1/indicators?from=2026-10-01&to=2026-12-31", {{"Authorization", token}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto body = json::parse(res->body);
  for (const char* key : {"referrals_received", "receptions", "follow_ups", "interventions",
                          "interventions_per_worker", "interventions_per_fte", "procedures",
                          "rights_opened", "delays", "targets"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
  EXPECT_EQ(body.at("suppressed"), true);
  EXPECT_EQ(body.at("interventions").at("count"), 3);
  EXPECT_EQ(body.at("referrals_received").at("total"), "< 5");

  EXPECT_EQ(client
                ->Get("/api/v1/indicators?from=2026-10-01&to=2026-12-31",
                      {{"Authorization", referrals_only}})
                ->status,
            403);
  EXPECT_EQ(client->Get("/api/v1/indicators?from=2026-10-01&to=2026-12-31")->status, 401);
  res = client->Get("/api/v1/indicators?from=2026-13-01&to=2026-12-31", {{"Authorization", token}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("\"field\":\"from\""), std::string::npos);
  EXPECT_EQ(client->Get("/api/v1/indicators", {{"Authorization", token}})->status, 400);

  // The coordinator's page and CSV: exact on screen, the rule applied to the file.
  Browser browser(*server_);
  ASSERT_EQ(browser.SignIn("coord@emn.example", kGoodPassword), 303);
  auto page = browser.Get("/indicateurs?du=2026-10-01&au=2026-12-31");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<th scope=\"row\">Interventions</th><td>3</td>"), std::string::npos);
  EXPECT_NE(page->body.find("<th scope=\"row\">Fiches de liaison reçues</th><td>3</td>"),
            std::string::npos);
  EXPECT_NE(page->body.find("<svg role=\"img\""), std::string::npos);
  auto csv = browser.Get("/indicateurs.csv?du=2026-10-01&au=2026-12-31");
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv->body.find("Chiffres clés;Interventions;Nombre;3\r\n"), std::string::npos);
  EXPECT_NE(csv->body.find("Chiffres clés;Fiches de liaison reçues;Nombre;< 5\r\n"),
            std::string::npos);
  // Bad input: the page says what to fix (422), the file refuses (400); others are refused.
  page = browser.Get("/indicateurs?du=2026-02-30&au=2026-03-31");
  EXPECT_EQ(page->status, 422);
  EXPECT_NE(page->body.find("date réelle"), std::string::npos);
  EXPECT_EQ(browser.Get("/indicateurs.csv?du=x&au=y")->status, 400);
  Browser referrer(*server_);
  ASSERT_EQ(referrer.SignIn("as@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(referrer.Get("/indicateurs")->status, 403);
  Browser worker(*server_);
  ASSERT_EQ(worker.SignIn("lea@emn.example", kGoodPassword), 303);
  EXPECT_EQ(worker.Get("/indicateurs")->status, 403);
  Browser pilote(*server_);
  ASSERT_EQ(pilote.SignIn("pilote@ssd.example", kGoodPassword), 303);
  page = pilote.Get("/indicateurs?du=2026-10-01&au=2026-12-31");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Secret statistique"), std::string::npos);
  EXPECT_NE(page->body.find("&lt; 5"), std::string::npos);
  EXPECT_EQ(page->body.find(">lea<"), std::string::npos);
}

TEST_F(IndicatorWebTest, TheQuarterlyReportIsWrittenByTheTeamAndReadByTheDepartement) {
  Browser coord(*server_);
  ASSERT_EQ(coord.SignIn("coord@emn.example", kGoodPassword), 303);
  auto page = coord.Get("/indicateurs/bilan?annee=2026&trimestre=4");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("name=\"highlights\""), std::string::npos);
  // Too long: 422, what was typed stays.
  const std::string too_long(domain::kMaxSteeringText + 1, 'a');
  auto res = coord.Post("/indicateurs/bilan", {{"annee", "2026"},
                                               {"trimestre", "4"},
                                               {"highlights", "Deux nouveaux partenaires."},
                                               {"difficulties", too_long},
                                               {"perspectives", ""}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("Deux nouveaux partenaires."), std::string::npos);
  EXPECT_NE(res->body.find("au plus 8000 caractères"), std::string::npos);
  res = coord.Post("/indicateurs/bilan", {{"annee", "2026"},
                                          {"trimestre", "4"},
                                          {"highlights", "Deux nouveaux partenaires."},
                                          {"difficulties", "Peu de créneaux le samedi."},
                                          {"perspectives", "Ateliers collectifs en janvier."}});
  ASSERT_EQ(res->status, 303);
  EXPECT_EQ(coord.Post("/indicateurs/bilan", {{"annee", "2026"}, {"trimestre", "9"}})->status, 400);
  auto pdf = coord.Get("/indicateurs/bilan.pdf?annee=2026&trimestre=4");
  ASSERT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.rfind("%PDF-", 0), 0u);
  auto xlsx = coord.Get("/indicateurs/bilan.xlsx?annee=2026&trimestre=4");
  ASSERT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.rfind("PK", 0), 0u);
  EXPECT_EQ(coord.Get("/indicateurs/bilan.pdf?annee=2026&trimestre=0")->status, 400);
  EXPECT_EQ(coord.Get("/indicateurs/bilan?annee=abc&trimestre=1")->status, 400);

  // The Département reads the texts, cannot change them, and finds no other team's report.
  Browser pilote(*server_);
  ASSERT_EQ(pilote.SignIn("pilote@ssd.example", kGoodPassword), 303);
  page = pilote.Get("/indicateurs/bilan?annee=2026&trimestre=4");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Peu de créneaux le samedi."), std::string::npos);
  EXPECT_EQ(page->body.find("<textarea"), std::string::npos);
  EXPECT_EQ(pilote.Post("/indicateurs/bilan", {{"annee", "2026"}, {"trimestre", "4"}})->status,
            403);
  EXPECT_EQ(pilote.Get("/indicateurs/bilan?annee=2026&trimestre=4&equipe=999999")->status, 404);
  EXPECT_EQ(pilote.Get("/indicateurs/bilan.pdf?annee=2026&trimestre=4")->status, 200);
  // Another team's coordinator sees its own report, not this one's texts.
  Browser other(*server_);
  ASSERT_EQ(other.SignIn("coord@emn2.example", kGoodPassword), 303);
  page = other.Get("/indicateurs/bilan?annee=2026&trimestre=4");
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->body.find("Peu de créneaux"), std::string::npos);
  // The audit says which report changed, never its text.
  int audited = 0;
  db_->db().Read([&](service::Tx& tx) {
    service::AuditFilter f;
    f.limit = 1000;
    for (const auto& e : tx.audit().List(f)) {
      if (e.action == "steering_report.update") {
        ++audited;
        EXPECT_EQ(e.detail.find("créneaux"), std::string::npos);
      }
    }
  });
  EXPECT_EQ(audited, 1);
}

TEST_F(IndicatorWebTest, TheCoopExportGivesOnesOwnActivityInLaCoopsColumns) {
  Browser lea(*server_);
  ASSERT_EQ(lea.SignIn("lea@emn.example", kGoodPassword), 303);
  EXPECT_EQ(lea.Get("/activite/export-coop")->status, 200);
  auto csv = lea.Get("/activite/export-coop.csv?du=2026-10-01&au=2026-12-31");
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  const std::string& body = csv->body;
  EXPECT_EQ(body.rfind("\xEF\xBB\xBF"
                       "Date;Enregistré le;Dernière modification le;Type;",
                       0),
            0u);
  EXPECT_NE(body.find(";Statut du bénéficiaire;ID CRA\r\n"), std::string::npos);
  // A, B and D were visited at home once each; B was oriented the day of her visit.
  const std::string id = "-" + std::to_string(f_->worker_.user_id) + "\r\n";
  int rows = 0;
  for (auto at = body.find(id); at != std::string::npos; at = body.find(id, at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 3);
  EXPECT_NE(body.find("06/10/2026;"), std::string::npos);
  EXPECT_NE(body.find(";À domicile;"), std::string::npos);
  EXPECT_NE(body.find(";Oui;Structure d’aide sociale"), std::string::npos);
  EXPECT_NE(body.find(";Féminin;70 ans et plus;"), std::string::npos);
  EXPECT_EQ(body.find("Alpha"), std::string::npos);  // never a name
  // Someone else's activity, bad dates: 400; the Département and referrers: 403.
  EXPECT_EQ(lea.Get("/activite/export-coop.csv?du=2026-10-01&au=2026-12-31&intervenant=" +
                    std::to_string(f_->coordinator_.user_id))
                ->status,
            400);
  EXPECT_EQ(lea.Get("/activite/export-coop.csv?du=2026-12-01&au=2026-10-01")->status, 400);
  Browser pilote(*server_);
  ASSERT_EQ(pilote.SignIn("pilote@ssd.example", kGoodPassword), 303);
  EXPECT_EQ(pilote.Get("/activite/export-coop.csv?du=2026-10-01&au=2026-12-31")->status, 403);
  // The coordinator exports one intervenant of the team, not another team's.
  Browser coord(*server_);
  ASSERT_EQ(coord.SignIn("coord@emn.example", kGoodPassword), 303);
  csv = coord.Get("/activite/export-coop.csv?du=2026-10-01&au=2026-12-31&intervenant=" +
                  std::to_string(f_->worker_.user_id));
  ASSERT_EQ(csv->status, 200);
  EXPECT_NE(csv->body.find(id), std::string::npos);
  EXPECT_EQ(coord
                .Get("/activite/export-coop.csv?du=2026-10-01&au=2026-12-31&intervenant=" +
                     std::to_string(f_->other_team_.user_id))
                ->status,
            400);
  int audited = 0;
  db_->db().Read([&](service::Tx& tx) {
    service::AuditFilter f;
    f.limit = 1000;
    for (const auto& e : tx.audit().List(f)) {
      audited += e.action == "activity.export_coop" ? 1 : 0;
    }
  });
  EXPECT_EQ(audited, 2);
}

TEST_F(IndicatorWebTest, TheAdministratorSetsTheTargetsAndBudgetAllOrNothing) {
  f_->User("admin@allervers.example", "admin", "");
  Browser admin(*server_);
  ASSERT_EQ(admin.SignIn("admin@allervers.example", kGoodPassword), 303);
  auto page = admin.Get("/admin/reglages");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("name=\"indicators.budget_eur\""), std::string::npos);
  // One bad value: 422, what was typed stays, nothing is saved.
  auto res = admin.Post("/admin/reglages", {{"indicators.target_follow_ups", "120"},
                                            {"indicators.budget_eur", "soixante-dix mille"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("soixante-dix mille"), std::string::npos);
  EXPECT_NE(res->body.find("un nombre entier de 0 à"), std::string::npos);
  auto q = server_->services().indicators.Compute(f_->coordinator_,
                                                  {"2026-10-01", "2026-12-31", "", "", ""}, false);
  EXPECT_EQ(q.current->follow_ups_target.target, 90);
  res = admin.Post("/admin/reglages", {{"indicators.target_follow_ups", "120"},
                                       {"indicators.target_receptions", "200"},
                                       {"agenda.travel_minutes", "20"},
                                       {"indicators.budget_eur", "70000"},
                                       {"indicators.team_fte_hundredths", "150"}});
  ASSERT_EQ(res->status, 303);
  // Only what changed is recorded: a default sent back as shown stays a default.
  int changed = 0;
  for (const auto& v : server_->services().settings.List(service::Actor::System("t"))) {
    // security.totp_required is stored by migration 0014 (and turned off by the test database).
    changed += v.value && v.definition.key != "security.totp_required" ? 1 : 0;
  }
  EXPECT_EQ(changed, 3);
  q = server_->services().indicators.Compute(f_->coordinator_,
                                             {"2026-10-01", "2026-12-31", "", "", ""}, false);
  EXPECT_EQ(q.current->follow_ups_target.target, 120);
  ASSERT_TRUE(q.current->cost_per_follow_up_cents.has_value());
  // 70 000 € over the 92 days of the quarter, for 3 persons followed.
  EXPECT_EQ(*q.current->period_budget_cents, 1764384);
  EXPECT_EQ(*q.current->cost_per_follow_up_cents, 1764384 / 3);
  ASSERT_TRUE(q.current->interventions_per_fte.has_value());
  EXPECT_DOUBLE_EQ(*q.current->interventions_per_fte, 2.0);
  Browser coord(*server_);
  ASSERT_EQ(coord.SignIn("coord@emn.example", kGoodPassword), 303);
  EXPECT_EQ(coord.Get("/admin/reglages")->status, 403);
  EXPECT_EQ(coord.Post("/admin/reglages", {{"indicators.budget_eur", "1"}})->status, 403);
}

}  // namespace
}  // namespace allervers::testing
