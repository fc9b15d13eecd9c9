#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/time.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(SourceDir() / "tests" / "fixtures" / "partners" / name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The partner directory (data·inclusion imports, search) and the orientations of a case, on
// SQLite and PostgreSQL.
class PartnerServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2026, 11, 16}, 9, 0));
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"EMN2", "Autre équipe", "operateur", "Pontoise"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_ = User("coord@emn.example", "coordinateur", "EMN");
    worker_ = User("lea@emn.example", "intervenant", "EMN");
    stranger_ = User("x@emn2.example", "intervenant", "EMN2");
    referrer_ = User("as@ssd.example", "prescripteur", "SSD");
    const auto r = s_->referrals.Submit(referrer_, std::nullopt, SampleReferral());
    ASSERT_TRUE(r.errors.empty());
    s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
    referral_ = r.id;
    person_ = *s_->cases.PersonOf(worker_, referral_);
  }

  service::Actor User(const std::string& email, const std::string& role,
                      const std::string& structure) {
    const auto r = s_->users.Create(
        system_, {email, email.substr(0, email.find('@')), role, structure, ""}, kGoodPassword);
    EXPECT_TRUE(r.errors.empty());
    return service::Actor::ForUser(s_->users.Get(system_, r.id), "req", "ip");
  }

  std::vector<service::AuditEvent> Audit(const std::string& action) {
    std::vector<service::AuditEvent> out;
    db_->db().Read([&](service::Tx& tx) {
      service::AuditFilter f;
      f.limit = 1000;
      for (const auto& e : tx.audit().List(f)) {
        if (e.action == action) {
          out.push_back(e);
        }
      }
    });
    return out;
  }

  long long Search(const std::string& theme, const std::string& place, const std::string& text) {
    return s_->partners.Search(worker_, {theme, place, text, 1}).result.total;
  }

  domain::PartnerServiceId ServiceNamed(const std::string& name) {
    for (const auto& s : s_->partners.Search(worker_, {}).result.services) {
      if (s.nom == name) {
        return s.id;
      }
    }
    ADD_FAILURE() << "no service " << name;
    return 0;
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor coordinator_, worker_, stranger_, referrer_;
  domain::ReferralId referral_ = 0;
  domain::PersonId person_ = 0;
};

TEST_P(PartnerServiceTest, AJsonExportIsImportedRecordByRecordAndImportedAgainAsAnUpdate) {
  const auto report = s_->partners.Import(coordinator_, Fixture("val-d-oise.json"));
  EXPECT_EQ(report.format, "JSON");
  EXPECT_TRUE(report.file_error.empty());
  EXPECT_EQ(report.structures_created, 2);
  EXPECT_EQ(report.services_created, 2);
  ASSERT_EQ(report.rejected.size(), 2u);  // the structure without a name, the orphan service
  EXPECT_NE(report.rejected[0].message.find("nom"), std::string::npos);
  EXPECT_NE(report.rejected[1].message.find("inconnue"), std::string::npos);
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_NE(report.warnings[0].message.find("thematique-inventee"), std::string::npos);

  const auto again = s_->partners.Import(coordinator_, Fixture("val-d-oise.json"));
  EXPECT_EQ(again.structures_created, 0);
  EXPECT_EQ(again.structures_updated, 2);
  EXPECT_EQ(again.services_updated, 2);
  EXPECT_EQ(Search("", "", ""), 2);
  ASSERT_EQ(Audit("partners.import").size(), 2u);  // newest first
  EXPECT_NE(Audit("partners.import").back().detail.find("services=2+0"), std::string::npos);
}

TEST_P(PartnerServiceTest, TheDirectoryIsSearchedByCategoryThemeCommuneCodeAndWords) {
  s_->partners.Import(coordinator_, Fixture("val-d-oise.json"));
  EXPECT_EQ(Search("numerique", "", ""), 1);  // a whole category
  EXPECT_EQ(Search("equipement-et-alimentation--alimentation", "", ""), 1);
  EXPECT_EQ(Search("sante", "", ""), 0);
  EXPECT_EQ(Search("", "eragny", ""), 1);  // no accent, no capital: from the structure
  EXPECT_EQ(Search("", "95000", ""), 1);
  EXPECT_EQ(Search("", "", "DÉMARCHES"), 1);
  EXPECT_EQ(Search("", "", "ccas"), 1);  // the structure's name
  EXPECT_EQ(Search("numerique", "cergy", ""), 0);
  // A theme outside the lists is ignored and said so; quotes and percent signs match nothing.
  const auto page = s_->partners.Search(worker_, {"n'importe quoi", "", "", 1});
  EXPECT_TRUE(page.unknown_theme);
  EXPECT_EQ(page.result.total, 2);
  EXPECT_EQ(Search("", "%'; DROP TABLE partner_service; --", ""), 0);
  EXPECT_EQ(Search("", "", ""), 2);

  const auto s =
      s_->partners.Service(worker_, ServiceNamed("Accompagnement aux démarches en ligne"));
  EXPECT_EQ(s.structure_nom, "France services d’Éragny");
  EXPECT_EQ(s.thematiques.size(), 2u);
  EXPECT_EQ(s.modes_mobilisation, std::vector<std::string>{"telephoner"});
  EXPECT_EQ(CodeOf([&] { s_->partners.Service(worker_, 999999); }), ErrorCode::kNotFound);
}

TEST_P(PartnerServiceTest, CsvExportsOfStructuresThenServicesAreImported) {
  const std::string structures =
      "source;id;nom;commune;code_postal;date_maj\n"
      "csv;mdph;MDPH du Val-d’Oise;Cergy;95000;2026-06-01\n";
  const std::string services =
      "source,id,structure_id,nom,description,thematiques,frais,date_maj\n"
      "csv,mdph-dossier,mdph,Aide au dossier MDPH,Remplir le formulaire,"
      "\"{sante--acces-aux-soins,famille--prise-en-charge-personne-dependante}\",gratuit,"
      "2026-06-01\n";
  auto r = s_->partners.Import(coordinator_, structures);
  EXPECT_EQ(r.format, "CSV");
  EXPECT_EQ(r.structures_created, 1);
  r = s_->partners.Import(coordinator_, services);
  EXPECT_EQ(r.services_created, 1);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(Search("famille", "", ""), 1);
}

TEST_P(PartnerServiceTest, BadFilesAreRefusedWithAClearMessageAndNothingImported) {
  for (const std::string& bad :
       {std::string("[{\"source\": \"x\""), std::string(5000, '[') + std::string(5000, ']'),
        std::string("nom;commune\nCCAS;Cergy\n"), std::string("[]"), std::string("\"texte\"")}) {
    const auto r = s_->partners.Import(coordinator_, bad);
    EXPECT_FALSE(r.file_error.empty()) << bad.substr(0, 40);
  }
  const auto big = s_->partners.Import(coordinator_, std::string(100, ' '), 10);
  EXPECT_NE(big.file_error.find("dépasse"), std::string::npos);
  EXPECT_EQ(Search("", "", ""), 0);
  EXPECT_EQ(CodeOf([&] { s_->partners.Import(worker_, Fixture("val-d-oise.json")); }),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->partners.Search(referrer_, {}); }), ErrorCode::kPermissionDenied);
}

TEST_P(PartnerServiceTest, AnOrientationIsFollowedUpOnTheCasePageWithWhatWasShared) {
  s_->partners.Import(coordinator_, Fixture("val-d-oise.json"));
  const auto service = ServiceNamed("Aide alimentaire d’urgence");
  domain::OrientationInput in;
  in.service_id = std::to_string(service);
  in.partner_kind = "aide_sociale";
  in.reason = "Colis alimentaire en attendant l’ouverture du RSA.";
  in.status = "proposee";
  in.follow_up_on = "2026-11-20";
  in.shared = {"identite", "motif"};
  // Nothing is shared without the person's agreement.
  EXPECT_FALSE(s_->cases.RecordOrientation(worker_, referral_, in).errors.empty());
  in.consent = true;
  in.consent_method = "oral";
  const auto r = s_->cases.RecordOrientation(worker_, referral_, in);
  ASSERT_TRUE(r.errors.empty());

  auto v = s_->cases.Orientation(worker_, r.id);
  EXPECT_EQ(v.orientation.partner_name, "Aide alimentaire d’urgence — CCAS de Cergy");
  ASSERT_TRUE(v.service);
  ASSERT_TRUE(v.orientation.consent_on);
  EXPECT_EQ(*v.orientation.consent_on, (LocalDate{2026, 11, 16}));
  ASSERT_EQ(v.orientation.events.size(), 1u);

  // A partner outside the directory, typed.
  domain::OrientationInput typed;
  typed.partner_name = "Secours populaire, antenne de Cergy";
  typed.partner_kind = "aide_sociale";
  typed.reason = "Vêtements d’hiver";
  typed.status = "proposee";
  ASSERT_TRUE(s_->cases.RecordOrientation(worker_, referral_, typed).errors.empty());
  domain::OrientationInput gone = typed;
  gone.service_id = "424242";
  EXPECT_EQ(s_->cases.RecordOrientation(worker_, referral_, gone).errors.at(0).field, "service_id");

  // The follow-up date passed: the case page says so in words.
  s_->clock.Set(paris::FromLocal({2026, 11, 23}, 9, 0));
  auto file = s_->cases.Open(worker_, person_);
  ASSERT_EQ(file.cases[0].orientations.size(), 2u);
  const auto due =
      std::find_if(file.next_actions.begin(), file.next_actions.end(),
                   [](const auto& a) { return a.label.find("orientation") != std::string::npos; });
  ASSERT_NE(due, file.next_actions.end());
  EXPECT_TRUE(due->overdue);
  EXPECT_EQ(std::count_if(file.timeline.begin(), file.timeline.end(),
                          [](const auto& t) { return t.kind == "orientation"; }),
            2);

  // Done: the status change is dated, the reminder goes away.
  in.status = "realisee";
  EXPECT_TRUE(s_->cases.UpdateOrientation(worker_, r.id, in).empty());
  v = s_->cases.Orientation(worker_, r.id);
  ASSERT_EQ(v.orientation.events.size(), 2u);
  EXPECT_EQ(v.orientation.events[1].from_status, "proposee");
  EXPECT_EQ(v.orientation.events[1].to_status, "realisee");
  EXPECT_EQ(*v.orientation.consent_on, (LocalDate{2026, 11, 16})) << "the first agreement's date";
  file = s_->cases.Open(worker_, person_);
  EXPECT_TRUE(std::none_of(file.next_actions.begin(), file.next_actions.end(), [](const auto& a) {
    return a.label.find("orientation") != std::string::npos;
  }));

  // The audit says what kind of data left the team, never the reason itself.
  const auto audit = Audit("orientation.create");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_NE(audit.back().detail.find("shared=identite,motif"), std::string::npos);
  EXPECT_EQ(audit.back().detail.find("Colis"), std::string::npos);

  // Another team sees nothing; a closed case takes no more orientations.
  EXPECT_EQ(CodeOf([&] { s_->cases.Orientation(stranger_, r.id); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.RecordOrientation(stranger_, referral_, typed); }),
            ErrorCode::kNotFound);
  EXPECT_TRUE(s_->cases.Close(worker_, referral_, {"orientation", "", true}).empty());
  EXPECT_EQ(CodeOf([&] { s_->cases.RecordOrientation(worker_, referral_, typed); }),
            ErrorCode::kConflict);
  EXPECT_FALSE(s_->cases.Orientation(worker_, r.id).editable);
}

TEST_P(PartnerServiceTest, ARetourSendsOnlyTheLinesChosenAndTheReferrerReadsItAsSent) {
  s_->partners.Import(coordinator_, Fixture("val-d-oise.json"));
  const auto procedure = s_->cases.AddProcedure(worker_, referral_, "CAF-RSA");
  domain::ProcedureInput p;
  p.status = "finalisee";
  p.outcome = "ouvert";
  p.outcome_on = "2026-11-15";
  p.monthly_amount = "607,75";
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, procedure, p).empty());
  domain::OrientationInput o;
  o.partner_name = "Secours populaire";
  o.partner_kind = "aide_sociale";
  o.reason = "Vêtements";
  o.status = "proposee";
  ASSERT_TRUE(s_->cases.RecordOrientation(worker_, referral_, o).errors.empty());

  auto form = s_->cases.FeedbackDraft(worker_, referral_);
  ASSERT_EQ(form.choices.size(), 3u);  // status, the procedure, the orientation (no bilan yet)
  EXPECT_EQ(form.choices[0].key, "status");
  EXPECT_NE(form.choices[1].item.label.find("Droit ouvert le 15/11/2026"), std::string::npos);
  EXPECT_EQ(form.choices[1].item.label.find("607"), std::string::npos) << "never an amount";

  // Nothing chosen and nothing written: refused. An unknown line: refused, nothing sent.
  EXPECT_EQ(s_->cases.SendFeedback(worker_, referral_, {}, "  ").at(0).field, "items");
  EXPECT_EQ(s_->cases.SendFeedback(worker_, referral_, {"procedure:999999"}, "").at(0).field,
            "items");
  EXPECT_EQ(s_->cases.SendFeedback(worker_, referral_, {}, "mot de passe : x").at(0).field,
            "next_steps");
  ASSERT_TRUE(s_->cases
                  .SendFeedback(worker_, referral_, {"status", form.choices[1].key},
                                "Prochain rendez-vous pour la C2S.")
                  .empty());

  // The referrer reads exactly those lines, even after the case changes.
  p.status = "abandonnee";
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, procedure, p).empty());
  const auto view = s_->cases.SharedWithReferrer(referrer_, referral_);
  ASSERT_EQ(view.feedbacks.size(), 1u);
  ASSERT_EQ(view.feedbacks[0].items.size(), 2u);
  EXPECT_EQ(view.feedbacks[0].items[1].kind, "procedure");
  EXPECT_NE(view.feedbacks[0].items[1].label.find("Finalisée"), std::string::npos);
  EXPECT_EQ(view.feedbacks[0].next_steps, "Prochain rendez-vous pour la C2S.");
  EXPECT_EQ(s_->cases.SharedWithReferrer(worker_, referral_).feedbacks.size(), 1u);
  EXPECT_EQ(CodeOf([&] { s_->cases.SharedWithReferrer(stranger_, referral_); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.SendFeedback(referrer_, referral_, {"status"}, ""); }),
            ErrorCode::kPermissionDenied);

  // The e-mail names the fiche only; the audit names the kinds of lines only.
  int mails = 0;
  db_->db().Read([&](service::Tx& tx) {
    for (const auto& m : tx.outbox().List("", 1000)) {
      if (m.subject.find("retour de l’équipe mobile") != std::string::npos) {
        ++mails;
        EXPECT_EQ(m.body.find("Mabiala"), std::string::npos);
        EXPECT_EQ(m.body.find("RSA"), std::string::npos);
      }
    }
  });
  EXPECT_EQ(mails, 1);
  const auto audit = Audit("feedback.send");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_NE(audit[0].detail.find("items=status,procedure"), std::string::npos);

  // A closed case can still send its last retour.
  ASSERT_TRUE(s_->cases.Close(worker_, referral_, {"objectifs_atteints", "", true}).empty());
  EXPECT_TRUE(s_->cases.SendFeedback(worker_, referral_, {"status"}, "").empty());
}

TEST_P(PartnerServiceTest, AReviewIsPlannedThenMinutedAndSharedWithTheReferrer) {
  domain::ReviewInput in;
  in.date = "2026-11-20";
  in.time = "14:00";
  in.place = "À la maison des solidarités de Cergy";
  in.participants = {"aidant"};
  in.status = "prevu";
  EXPECT_EQ(s_->cases.PlanReview(worker_, referral_, in).at(0).field, "participants");
  in.participants = {"personne", "prescripteur"};
  in.status = "tenu";  // held in the future: refused, and held needs minutes
  const auto held_errors = s_->cases.PlanReview(worker_, referral_, in);
  EXPECT_EQ(held_errors.size(), 2u);
  in.status = "prevu";
  ASSERT_TRUE(s_->cases.PlanReview(worker_, referral_, in).empty());
  auto reviews = s_->cases.SharedWithReferrer(referrer_, referral_).reviews;
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].status, domain::ReviewStatus::kPlanned);

  s_->clock.Set(paris::FromLocal({2026, 11, 20}, 16, 0));
  in.status = "tenu";
  in.minutes = "La demande de RSA est déposée ; la personne sait consulter son compte.";
  in.decisions = "L’assistante sociale suit l’aide au logement.";
  ASSERT_TRUE(s_->cases.UpdateReview(worker_, reviews[0].id, in).empty());
  reviews = s_->cases.SharedWithReferrer(referrer_, referral_).reviews;
  EXPECT_EQ(reviews[0].status, domain::ReviewStatus::kHeld);
  EXPECT_EQ(reviews[0].minutes, in.minutes);
  EXPECT_EQ(CodeOf([&] { s_->cases.Review(stranger_, reviews[0].id); }), ErrorCode::kNotFound);
  EXPECT_EQ(Audit("review.create").size(), 1u);
  EXPECT_EQ(Audit("review.update").size(), 1u);
  int mails = 0;
  db_->db().Read([&](service::Tx& tx) {
    for (const auto& m : tx.outbox().List("", 1000)) {
      mails += m.subject.find("point d’étape") != std::string::npos ? 1 : 0;
      EXPECT_EQ(m.body.find("maison des solidarités"), std::string::npos) << "no place in mails";
    }
  });
  EXPECT_EQ(mails, 2);  // planned, then the minutes
}

TEST_P(PartnerServiceTest, ADelegatedCaseGetsAQuarterlyReportForTheTerritoryManagerOnly) {
  const auto manager = User("rt@ssd.example", "pilote", "SSD");
  ASSERT_TRUE(
      s_->structures.Create(system_, {"SSD2", "SSD Pontoise", "ssd", "Pontoise"}).errors.empty());
  const auto other_manager = User("rt@ssd2.example", "pilote", "SSD2");
  domain::InterventionInput visit;
  visit.date = "2026-11-16";
  visit.duration = "60";
  visit.place = "domicile";
  visit.modality = "faire_avec";
  visit.digital_themes = {"email"};
  visit.workers = {std::to_string(worker_.user_id)};
  ASSERT_TRUE(s_->cases.RecordIntervention(worker_, referral_, visit).errors.empty());

  const domain::Quarter q4{2026, 4};
  // Not delegated: no quarterly report.
  EXPECT_EQ(CodeOf([&] { s_->cases.SendQuarterly(worker_, referral_, q4, "Faits.", ""); }),
            ErrorCode::kConflict);
  EXPECT_FALSE(s_->cases.SetFollowMode(worker_, referral_, "autre").empty());
  ASSERT_TRUE(s_->cases.SetFollowMode(worker_, referral_, "delegation").empty());
  auto draft = s_->cases.Quarterly(worker_, referral_, std::nullopt);
  EXPECT_EQ(draft.period, q4);
  EXPECT_EQ(draft.mode, domain::FollowMode::kDelegation);
  ASSERT_GE(draft.summary.size(), 2u);
  EXPECT_NE(draft.summary[1].find("1 intervention (1 h)"), std::string::npos);
  EXPECT_FALSE(draft.sent);

  EXPECT_EQ(s_->cases.SendQuarterly(worker_, referral_, {2027, 1}, "Faits.", "").at(0).field,
            "period");
  EXPECT_EQ(s_->cases.SendQuarterly(worker_, referral_, q4, " ", "").at(0).field, "observations");
  ASSERT_TRUE(s_->cases.SendQuarterly(worker_, referral_, q4, "Compte CAF créé.", "").empty());
  EXPECT_EQ(CodeOf([&] { s_->cases.SendQuarterly(worker_, referral_, q4, "Encore.", ""); }),
            ErrorCode::kConflict);
  draft = s_->cases.Quarterly(worker_, referral_, q4);
  ASSERT_TRUE(draft.sent);
  EXPECT_EQ(draft.sent->observations, "Compte CAF créé.");

  // The manager of the referring structure reads it; another manager and the referrer do not.
  const auto list = s_->cases.QuarterlyReports(manager);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].person_name, "MABIALA Grâce");
  EXPECT_TRUE(s_->cases.QuarterlyReports(other_manager).empty());
  const auto pdf = s_->cases.QuarterlyReportPdf(manager, list[0].report.id);
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(s_->cases.QuarterlyReportPdf(worker_, list[0].report.id).rfind("%PDF-", 0), 0u);
  EXPECT_EQ(CodeOf([&] { s_->cases.QuarterlyReportPdf(other_manager, list[0].report.id); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.QuarterlyReportPdf(referrer_, list[0].report.id); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.QuarterlyReportPdf(stranger_, list[0].report.id); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.QuarterlyReports(referrer_); }), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Audit("quarterly_report.send").size(), 1u);
  EXPECT_EQ(Audit("quarterly_report.read").size(), 2u) << "every read is audited";
}

INSTANTIATE_TEST_SUITE_P(Backends, PartnerServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
