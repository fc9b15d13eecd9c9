#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/key_ring_service.hpp"
#include "service/sealed_notes.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

using domain::ReferralStatus;

// The case page, bilans, interventions and notes, on SQLite and PostgreSQL.
class CaseServiceTest : public ::testing::TestWithParam<TestBackend> {
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
    colleague_ = User("yanis@emn.example", "intervenant", "EMN");
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

  domain::InterventionInput Visit() {
    domain::InterventionInput in;
    in.date = "2026-11-16";
    in.duration = "90";
    in.place = "domicile";
    in.modality = "faire_avec";
    in.administrative_themes = {"social"};
    in.digital_themes = {"email"};
    in.equipment = {"telephone"};
    in.workers = {std::to_string(worker_.user_id), std::to_string(colleague_.user_id)};
    in.summary = "Compte CAF créé avec la personne.";
    return in;
  }

  int AuditCount(const std::string& action) {
    int n = 0;
    db_->db().Read([&](service::Tx& tx) {
      service::AuditFilter f;
      f.limit = 1000;
      for (const auto& e : tx.audit().List(f)) {
        n += e.action == action ? 1 : 0;
      }
    });
    return n;
  }

  // The notes as stored, by id: (id, body).
  std::vector<std::pair<long long, std::string>> StoredNotes() {
    std::vector<std::pair<long long, std::string>> out;
    db_->db().WithSession([&](soci::session& sql) {
      long long id = 0;
      std::string body;
      soci::statement st = (sql.prepare << "SELECT id, body FROM case_note ORDER BY id",
                            soci::into(id), soci::into(body));
      st.execute();
      while (st.fetch()) {
        out.emplace_back(id, body);
      }
    });
    return out;
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor coordinator_, worker_, colleague_, stranger_, referrer_;
  domain::ReferralId referral_ = 0;
  domain::PersonId person_ = 0;
};

TEST_P(CaseServiceTest, ABilanIsSavedStepByStepScoredAndKeepsItsGridVersion) {
  const auto id = s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kInitial);
  // Starting again returns the same bilan.
  EXPECT_EQ(s_->cases.StartAssessment(colleague_, referral_, domain::AssessmentKind::kInitial), id);
  const auto& grid = s_->reference.assessment.Current();
  domain::Answers e;
  for (const auto& item : grid.FindSection("E")->items) {
    e[item.code] = "1";
  }
  EXPECT_TRUE(s_->cases.SaveSection(worker_, id, "E", e).empty());
  EXPECT_TRUE(s_->cases.SaveSection(worker_, id, "B", {{"B.smartphone", "3"}}).empty());
  // A bad value is refused and nothing of that step is lost.
  EXPECT_FALSE(s_->cases.SaveSection(worker_, id, "B", {{"B.smartphone", "9"}}).empty());
  EXPECT_FALSE(s_->cases.SaveSection(worker_, id, "B", {{"E.pdf", "3"}}).empty());
  EXPECT_EQ(CodeOf([&] { s_->cases.SaveSection(worker_, id, "Z", {}); }), ErrorCode::kNotFound);

  auto v = s_->cases.Assessment(worker_, id);
  EXPECT_EQ(v.assessment.grid_version, grid.version);
  EXPECT_EQ(v.assessment.answers.at("B.smartphone"), "3");
  EXPECT_EQ(v.assessment.answers.at("E.pdf"), "1");
  ASSERT_TRUE(v.assessment.level);
  EXPECT_EQ(*v.assessment.level, domain::AutonomyLevel::kN1);
  ASSERT_TRUE(v.assessment.score_access);
  EXPECT_DOUBLE_EQ(*v.assessment.score_access, 100.0);

  // Saving a step again replaces that step only.
  EXPECT_TRUE(s_->cases.SaveSection(worker_, id, "B", {{"B.tablette", "0"}}).empty());
  v = s_->cases.Assessment(worker_, id);
  EXPECT_EQ(v.assessment.answers.count("B.smartphone"), 0u);
  EXPECT_EQ(v.assessment.answers.at("E.pdf"), "1");

  s_->cases.CompleteAssessment(worker_, id);
  v = s_->cases.Assessment(worker_, id);
  EXPECT_TRUE(v.assessment.completed);
  EXPECT_EQ(s_->referrals.Get(worker_, referral_).status, ReferralStatus::kInProgress);
  EXPECT_EQ(AuditCount("assessment.complete"), 1);
  EXPECT_GE(AuditCount("assessment.save"), 3);

  EXPECT_FALSE(s_->cases.SetExternalScores(worker_, id, {"120", "2026-11-10", "", ""}).empty());
  EXPECT_TRUE(s_->cases.SetExternalScores(worker_, id, {"40", "10/11/2026", "", ""}).empty());
  EXPECT_EQ(s_->cases.Assessment(worker_, id).assessment.abc_diag_score, 40);
  EXPECT_FALSE(s_->cases.SetAssessmentDate(worker_, id, "2026-12-01").empty());
}

TEST_P(CaseServiceTest, TheComparisonShowsProgressBetweenInitialAndFinal) {
  EXPECT_EQ(CodeOf([&] { s_->cases.Compare(worker_, referral_); }), ErrorCode::kNotFound);
  const auto t0 = s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kInitial);
  ASSERT_TRUE(s_->cases.SaveSection(worker_, t0, "G", {{"G.caf_rsa", "non_recours"}}).empty());
  ASSERT_TRUE(s_->cases.SaveSection(worker_, t0, "D", {{"D.caf", "0"}, {"D.caf/necessaire", "oui"}})
                  .empty());
  const auto t1 = s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kFinal);
  ASSERT_NE(t0, t1);
  ASSERT_TRUE(s_->cases.SaveSection(worker_, t1, "G", {{"G.caf_rsa", "droit_ouvert"}}).empty());
  ASSERT_TRUE(s_->cases.SaveSection(worker_, t1, "D", {{"D.caf", "3"}, {"D.caf/necessaire", "oui"}})
                  .empty());
  const auto c = s_->cases.Compare(worker_, referral_);
  EXPECT_EQ(c.comparison.rights_out_of_non_recours.size(), 1u);
  EXPECT_EQ(c.comparison.accounts_now_usable.size(), 1u);
}

TEST_P(CaseServiceTest, InterventionsAreValidatedAgainstTheTeamAndMoveTheCaseOn) {
  auto in = Visit();
  in.workers.push_back(std::to_string(stranger_.user_id));
  auto r = s_->cases.RecordIntervention(worker_, referral_, in);
  EXPECT_EQ(r.id, 0);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].field, "workers");

  r = s_->cases.RecordIntervention(worker_, referral_, Visit());
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(s_->referrals.Get(worker_, referral_).status, ReferralStatus::kInProgress);
  const auto file = s_->cases.Open(colleague_, person_);
  ASSERT_EQ(file.cases.size(), 1u);
  ASSERT_EQ(file.cases[0].interventions.size(), 1u);
  const auto& i = file.cases[0].interventions[0];
  EXPECT_EQ(i.duration_minutes, 90);
  EXPECT_EQ(i.workers.size(), 2u);
  EXPECT_EQ(i.administrative_themes, std::vector<std::string>{"social"});
  EXPECT_EQ(i.equipment, std::vector<std::string>{"telephone"});
  EXPECT_TRUE(std::any_of(file.timeline.begin(), file.timeline.end(),
                          [](const auto& t) { return t.kind == "intervention"; }));
  EXPECT_EQ(AuditCount("intervention.create"), 1);
}

TEST_P(CaseServiceTest, PrivateNotesAreReadByTheirAuthorOnly) {
  EXPECT_TRUE(s_->cases.AddNote(worker_, referral_, {"Partagée avec l’équipe.", false}).empty());
  EXPECT_TRUE(s_->cases.AddNote(worker_, referral_, {"Pour moi seule.", true}).empty());
  EXPECT_FALSE(s_->cases.AddNote(worker_, referral_, {"  ", false}).empty());
  auto mine = s_->cases.Open(worker_, person_).cases[0].notes;
  auto theirs = s_->cases.Open(colleague_, person_).cases[0].notes;
  EXPECT_EQ(mine.size(), 2u);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].body, "Partagée avec l’équipe.");
  auto coordinator = s_->cases.Open(coordinator_, person_);
  EXPECT_EQ(coordinator.cases[0].notes.size(), 1u);
  for (const auto& t : coordinator.timeline) {
    EXPECT_EQ(t.detail.find("Pour moi seule"), std::string::npos);
  }
}

TEST_P(CaseServiceTest, OtherTeamsAndReferrersCannotOpenOrWriteTheCase) {
  EXPECT_EQ(CodeOf([&] { s_->cases.Open(stranger_, person_); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->cases.Open(referrer_, person_); }), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->cases.RecordIntervention(stranger_, referral_, Visit()); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] {
              s_->cases.StartAssessment(stranger_, referral_, domain::AssessmentKind::kInitial);
            }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] {
              s_->cases.AddNote(referrer_, referral_, {"x", false});
            }),
            ErrorCode::kPermissionDenied);
  const auto id = s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kInitial);
  EXPECT_EQ(CodeOf([&] { s_->cases.Assessment(stranger_, id); }), ErrorCode::kNotFound);
}

TEST_P(CaseServiceTest, NextActionsSayWhatIsOverdue) {
  auto file = s_->cases.Open(worker_, person_);
  ASSERT_FALSE(file.next_actions.empty());
  EXPECT_EQ(file.next_actions[0].label, "Prendre contact avec la personne");
  EXPECT_FALSE(file.next_actions[0].overdue);
  s_->clock.Set(paris::FromLocal({2026, 11, 30}, 9, 0));
  file = s_->cases.Open(worker_, person_);
  EXPECT_TRUE(file.next_actions[0].overdue);
}

// The team's « Échéances »: one query across the cases, the same wording, dates and delays as
// each case page, scoped to the team and, when asked, to one intervenant.
TEST_P(CaseServiceTest, TheTeamsDueListGathersWhatEachCasePageSays) {
  auto other_in = SampleReferral();
  other_in.last_name = "Haddad";
  other_in.first_names = "Karim";
  other_in.birth_date = "1970-02-03";
  const auto other = s_->referrals.Submit(referrer_, std::nullopt, other_in);
  ASSERT_TRUE(other.errors.empty());
  s_->referrals.Accept(coordinator_, other.id, colleague_.user_id);

  auto labels = [](const std::vector<service::DueItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) {
      out.push_back(i.person_name + " : " + i.action.label);
    }
    return out;
  };
  // Two persons to contact, each with their intervenant; an intervenant's own list has one.
  auto team = s_->cases.Due(coordinator_, std::nullopt);
  ASSERT_EQ(team.size(), 2u);
  EXPECT_EQ(team[0].action.label, "Prendre contact avec la personne");
  EXPECT_EQ(team[0].action.due, (LocalDate{2026, 11, 21}));
  auto mine = s_->cases.Due(worker_, worker_.user_id);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].person_name, "MABIALA Grâce");
  EXPECT_EQ(mine[0].worker_name, "lea");
  EXPECT_EQ(mine[0].action.href, "/fiches/" + std::to_string(referral_) + "/contact");
  EXPECT_EQ(labels(s_->cases.Due(colleague_, colleague_.user_id)),
            std::vector<std::string>{"HADDAD Karim : Prendre contact avec la personne"});
  EXPECT_TRUE(s_->cases.Due(stranger_, std::nullopt).empty());
  EXPECT_EQ(CodeOf([&] { s_->cases.Due(referrer_, std::nullopt); }), ErrorCode::kPermissionDenied);

  // A visit planned for tomorrow, procedures with deadlines near and far, a right to renew,
  // a mandate, an orientation to follow up.
  domain::AppointmentInput visit;
  visit.date = "2026-11-17";
  visit.start_time = "10:00";
  visit.duration_minutes = "60";
  visit.place = "domicile";
  visit.workers = {std::to_string(colleague_.user_id)};
  visit.purpose = "Faire la demande de C2S";
  ASSERT_NE(s_->appointments.Create(worker_, referral_, visit, false).id, 0);
  const auto soon = s_->cases.AddProcedure(worker_, referral_, "CPAM-C2S");
  domain::ProcedureInput p;
  p.status = "en_cours";
  p.due_on = "2026-11-20";
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, soon, p).empty());
  const auto later = s_->cases.AddProcedure(worker_, referral_, "CAF-RSA");
  p.due_on = "2026-12-20";  // beyond the fortnight
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, later, p).empty());
  const auto housing = s_->cases.AddProcedure(worker_, referral_, "LOG-DLS");
  domain::ProcedureInput opened;
  opened.status = "finalisee";
  opened.outcome = "ouvert";
  opened.renewal_on = "2026-12-10";
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, housing, opened).empty());
  ASSERT_TRUE(
      s_->cases.RecordMandate(worker_, referral_, {"2026-11-16", "31", {"social"}}).empty());
  domain::OrientationInput o;
  o.partner_name = "CCAS de Cergy";
  o.partner_kind = "aide_sociale";
  o.reason = "Colis alimentaire.";
  o.status = "proposee";
  o.follow_up_on = "2026-11-25";
  ASSERT_TRUE(s_->cases.RecordOrientation(worker_, referral_, o).errors.empty());

  // The day after the visit, its result is missing; on 10/12 the mandate ends within a week.
  s_->clock.Set(paris::FromLocal({2026, 12, 10}, 9, 0));
  mine = s_->cases.Due(worker_, worker_.user_id);
  EXPECT_EQ(labels(mine),
            (std::vector<std::string>{
                "MABIALA Grâce : Saisir le résultat du rendez-vous du 17/11/2026 à 10 h",
                "MABIALA Grâce : Échéance de la démarche « Complémentaire santé solidaire (demande "
                "ou renouvellement) »",
                "MABIALA Grâce : Suivre l’orientation vers CCAS de Cergy",
                "MABIALA Grâce : Renouveler « Demande de logement social (création, renouvellement "
                "annuel) »",
                "MABIALA Grâce : Le mandat Aidants Connect prend fin le 16/12/2026 : le "
                "renouveler avec la personne si besoin",
                "MABIALA Grâce : Échéance de la démarche « Demande de RSA »"}));
  // Every line is what the case page says, with the same date and the same delay.
  const auto file = s_->cases.Open(worker_, person_);
  for (const auto& item : mine) {
    const auto same =
        std::find_if(file.next_actions.begin(), file.next_actions.end(),
                     [&](const service::NextAction& a) { return a.label == item.action.label; });
    ASSERT_NE(same, file.next_actions.end()) << item.action.label;
    EXPECT_EQ(same->due, item.action.due) << item.action.label;
    EXPECT_EQ(same->overdue, item.action.overdue) << item.action.label;
    EXPECT_EQ(same->href.empty() ? "/personnes/" + std::to_string(person_) : same->href,
              item.action.href);
  }
  // The colleague sees the visit they were on, not the rest of Léa's case.
  EXPECT_EQ(labels(s_->cases.Due(colleague_, colleague_.user_id)),
            (std::vector<std::string>{
                "MABIALA Grâce : Saisir le résultat du rendez-vous du 17/11/2026 à 10 h",
                "HADDAD Karim : Prendre contact avec la personne"}));

  // Once the case is closed, nothing of it is due any more.
  ASSERT_TRUE(
      s_->cases.Close(worker_, referral_, {"objectifs_atteints", "Droits ouverts.", true}).empty());
  EXPECT_TRUE(s_->cases.Due(worker_, worker_.user_id).empty());
}

TEST_P(CaseServiceTest, AProcedureIsFollowedToItsOutcomeWithItsHistory) {
  EXPECT_EQ(CodeOf([&] { s_->cases.AddProcedure(worker_, referral_, "NOPE"); }),
            ErrorCode::kInvalidArgument);
  const auto id = s_->cases.AddProcedure(worker_, referral_, "CPAM-C2S");
  // The same procedure still open is not opened twice.
  EXPECT_EQ(s_->cases.AddProcedure(colleague_, referral_, "CPAM-C2S"), id);
  auto v = s_->cases.Procedure(worker_, id);
  ASSERT_EQ(v.procedure.documents.size(), v.catalogue->documents.size());
  EXPECT_EQ(v.procedure.status, domain::ProcedureStatus::kTodo);

  domain::ProcedureInput in;
  in.status = "deposee";
  in.outcome = "ouvert";
  in.monthly_amount = "abc";
  EXPECT_FALSE(s_->cases.UpdateProcedure(worker_, id, in).empty());
  in.monthly_amount = "32,50";
  in.gathered = {"1"};
  in.aidants_connect = true;
  ASSERT_TRUE(s_->cases.UpdateProcedure(worker_, id, in).empty());
  v = s_->cases.Procedure(worker_, id);
  EXPECT_EQ(v.procedure.status, domain::ProcedureStatus::kFiled);
  EXPECT_EQ(v.procedure.outcome, domain::RightOutcome::kOpened);
  EXPECT_EQ(v.procedure.monthly_amount_cents, 3250);
  EXPECT_TRUE(v.procedure.aidants_connect);
  EXPECT_TRUE(v.procedure.renewal_on.has_value());
  EXPECT_FALSE(v.procedure.documents[0].gathered);
  EXPECT_TRUE(v.procedure.documents[1].gathered);
  ASSERT_EQ(v.procedure.events.size(), 2u);
  EXPECT_EQ(v.procedure.events[1].to_status, "deposee");
  EXPECT_EQ(AuditCount("procedure.update"), 1);

  // The renewal shows among the next actions a month ahead, overdue once passed.
  s_->clock.Set(paris::FromLocal(*v.procedure.renewal_on, 9, 0) - std::chrono::hours(24 * 10));
  auto file = s_->cases.Open(worker_, person_);
  auto renew = std::find_if(file.next_actions.begin(), file.next_actions.end(),
                            [](const auto& a) { return a.label.rfind("Renouveler", 0) == 0; });
  ASSERT_NE(renew, file.next_actions.end());
  EXPECT_FALSE(renew->overdue);
  s_->clock.Set(paris::FromLocal(*v.procedure.renewal_on, 9, 0) + std::chrono::hours(24 * 3));
  file = s_->cases.Open(worker_, person_);
  renew = std::find_if(file.next_actions.begin(), file.next_actions.end(),
                       [](const auto& a) { return a.label.rfind("Renouveler", 0) == 0; });
  ASSERT_NE(renew, file.next_actions.end());
  EXPECT_TRUE(renew->overdue);
  EXPECT_EQ(CodeOf([&] { s_->cases.Procedure(stranger_, id); }), ErrorCode::kNotFound);
}

TEST_P(CaseServiceTest, AnInterventionLinksOnlyTheCasesOwnProcedures) {
  const auto id = s_->cases.AddProcedure(worker_, referral_, "CAF-RSA");
  auto in = Visit();
  in.procedures = {std::to_string(id + 1000)};
  EXPECT_FALSE(s_->cases.RecordIntervention(worker_, referral_, in).errors.empty());
  in.procedures = {std::to_string(id)};
  ASSERT_TRUE(s_->cases.RecordIntervention(worker_, referral_, in).errors.empty());
  const auto file = s_->cases.Open(worker_, person_);
  EXPECT_EQ(file.cases[0].interventions[0].procedures, std::vector<std::int64_t>{id});
}

TEST_P(CaseServiceTest, AMandateIsRemindedBeforeItEndsAndCanBeRevoked) {
  EXPECT_FALSE(
      s_->cases.RecordMandate(worker_, referral_, {"2026-11-16", "90", {"social"}}).empty());
  ASSERT_TRUE(
      s_->cases.RecordMandate(worker_, referral_, {"16/11/2026", "31", {"social", "argent"}})
          .empty());
  auto file = s_->cases.Open(worker_, person_);
  ASSERT_EQ(file.cases[0].mandates.size(), 1u);
  const auto& m = file.cases[0].mandates[0];
  EXPECT_EQ(m.ends_on, (LocalDate{2026, 12, 17}));
  auto reminded = [&] {
    const auto f = s_->cases.Open(worker_, person_);
    return std::any_of(f.next_actions.begin(), f.next_actions.end(), [](const auto& a) {
      return a.label.find("mandat Aidants Connect") != std::string::npos;
    });
  };
  EXPECT_FALSE(reminded());  // 16/11: a month to go
  s_->clock.Set(paris::FromLocal({2026, 12, 10}, 9, 0));
  EXPECT_TRUE(reminded());
  EXPECT_EQ(s_->cases.RevokeMandate(worker_, m.id), referral_);
  EXPECT_FALSE(reminded());
  EXPECT_EQ(CodeOf([&] { s_->cases.RevokeMandate(stranger_, m.id); }), ErrorCode::kNotFound);
  EXPECT_EQ(AuditCount("mandate.revoke"), 1);
}

TEST_P(CaseServiceTest, ClosureAsksForTheFinalBilanTellsTheReferrerAndCanBeUndone) {
  const auto t0 = s_->cases.StartAssessment(worker_, referral_, domain::AssessmentKind::kInitial);
  s_->cases.CompleteAssessment(worker_, t0);
  EXPECT_FALSE(s_->cases.Close(worker_, referral_, {"inconnu", "", false}).empty());
  auto errors = s_->cases.Close(worker_, referral_, {"objectifs_atteints", "", false});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "without_final_bilan");
  EXPECT_EQ(s_->referrals.Get(worker_, referral_).status, ReferralStatus::kInProgress);
  ASSERT_TRUE(
      s_->cases.Close(worker_, referral_, {"objectifs_atteints", "Droits ouverts.", true}).empty());
  auto r = s_->referrals.Get(worker_, referral_);
  EXPECT_EQ(r.status, ReferralStatus::kClosed);
  EXPECT_EQ(r.decision_reason, "objectifs_atteints");
  EXPECT_TRUE(r.closed_at.has_value());
  std::vector<service::OutboxMessage> mail;
  db_->db().Read([&](service::Tx& tx) {
    mail = tx.outbox().ForRelated("referral", std::to_string(referral_));
  });
  const auto closed = std::find_if(mail.begin(), mail.end(), [](const auto& m) {
    return m.subject.find("accompagnement terminé") != std::string::npos;
  });
  ASSERT_NE(closed, mail.end());
  EXPECT_EQ(closed->body.find("Mabiala"), std::string::npos) << "number only, no name";
  // Nothing can be added to a closed case; reopening keeps everything.
  EXPECT_EQ(CodeOf([&] {
              s_->cases.AddNote(worker_, referral_, {"x", false});
            }),
            ErrorCode::kConflict);
  s_->cases.Reopen(worker_, referral_);
  r = s_->referrals.Get(worker_, referral_);
  EXPECT_EQ(r.status, ReferralStatus::kInProgress);
  EXPECT_FALSE(r.closed_at.has_value());
  EXPECT_EQ(s_->cases.Open(worker_, person_).cases[0].assessments.size(), 1u);
  EXPECT_EQ(CodeOf([&] { s_->cases.Reopen(worker_, referral_); }), ErrorCode::kConflict);
  // An unreachable person needs no final bilan.
  EXPECT_TRUE(s_->cases.Close(worker_, referral_, {"injoignable", "", false}).empty());
}

TEST_P(CaseServiceTest, TheClosureLetterIsForTheTeamsClosedCasesAndNeverAfterADeath) {
  const auto letter = [&](const service::Actor& actor) {
    return s_->cases.ClosureLetterPdf(actor, referral_);
  };
  EXPECT_EQ(CodeOf([&] { letter(worker_); }), ErrorCode::kConflict) << "not closed yet";
  ASSERT_TRUE(s_->cases.Close(worker_, referral_, {"demenagement", "", false}).empty());
  EXPECT_EQ(letter(worker_).substr(0, 5), "%PDF-");
  EXPECT_EQ(letter(coordinator_).substr(0, 5), "%PDF-");
  EXPECT_EQ(CodeOf([&] { letter(stranger_); }), ErrorCode::kNotFound) << "another team";
  EXPECT_EQ(CodeOf([&] { letter(referrer_); }), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->cases.ClosureLetterPdf(worker_, referral_ + 1000); }),
            ErrorCode::kNotFound);
  // Each letter printed is audited, with ids only.
  EXPECT_EQ(AuditCount("referral.closure_letter"), 2);
  db_->db().Read([&](service::Tx& tx) {
    service::AuditFilter f;
    f.limit = 1000;
    for (const auto& e : tx.audit().List(f)) {
      if (e.action == "referral.closure_letter") {
        EXPECT_EQ(e.record_id, std::to_string(referral_));
        EXPECT_EQ(e.detail.find("Mabiala"), std::string::npos);
        EXPECT_EQ(e.detail.find("Grâce"), std::string::npos);
      }
    }
  });
  // After a death, no letter is written to the person, and nothing is recorded.
  s_->cases.Reopen(worker_, referral_);
  EXPECT_EQ(CodeOf([&] { letter(worker_); }), ErrorCode::kConflict) << "reopened";
  ASSERT_TRUE(s_->cases.Close(worker_, referral_, {"deces", "", false}).empty());
  EXPECT_EQ(CodeOf([&] { letter(worker_); }), ErrorCode::kConflict);
  EXPECT_EQ(AuditCount("referral.closure_letter"), 2);
}

// Notes are stored sealed with the key ring (issue 7 §6): the database holds no word of them.
TEST_P(CaseServiceTest, NotesAreStoredSealedAndBoundToTheirCase) {
  ASSERT_TRUE(
      s_->cases.AddNote(worker_, referral_, {"Fille joignable le mercredi.", false}).empty());
  ASSERT_TRUE(s_->cases.AddNote(worker_, referral_, {"Dette de loyer évoquée.", true}).empty());
  const auto stored = StoredNotes();
  ASSERT_EQ(stored.size(), 2u);
  for (const auto& [id, body] : stored) {
    EXPECT_EQ(body.rfind("sb1.", 0), 0u) << body;
    EXPECT_EQ(body.find("mercredi"), std::string::npos);
    EXPECT_EQ(body.find("loyer"), std::string::npos);
  }
  auto notes = s_->cases.Open(worker_, person_).cases[0].notes;
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].body, "Fille joignable le mercredi.");
  EXPECT_EQ(notes[1].body, "Dette de loyer évoquée.");

  // Someone who can write to the database moves the private note to another person's case:
  // it does not open there, and that case page still opens.
  const auto other = s_->referrals.Submit(referrer_, std::nullopt, SampleReferral());
  ASSERT_TRUE(other.errors.empty());
  s_->referrals.Accept(coordinator_, other.id, worker_.user_id);
  ASSERT_TRUE(s_->cases.AddNote(worker_, other.id, {"Autre dossier.", false}).empty());
  db_->Exec("UPDATE case_note SET body = (SELECT body FROM case_note WHERE id = " +
            std::to_string(stored[1].first) + ") WHERE referral_id = " + std::to_string(other.id));
  const auto moved = s_->cases.Open(worker_, *s_->cases.PersonOf(worker_, other.id));
  ASSERT_EQ(moved.cases[0].notes.size(), 1u);
  EXPECT_EQ(moved.cases[0].notes[0].body, service::kUnreadableNote);
  // A note written before notes were sealed reads as it was; an erased one reads empty.
  db_->Exec("UPDATE case_note SET body = 'Écrite avant le chiffrement.' WHERE id = " +
            std::to_string(stored[0].first));
  EXPECT_EQ(s_->cases.Open(worker_, person_).cases[0].notes[0].body,
            "Écrite avant le chiffrement.");
}

// Key rotation: a new key first in the ring, every value sealed again with it, and then the old
// key is no longer needed (docs/admin.md « Changer la clé secrète »).
TEST_P(CaseServiceTest, AKeyRotationSealsEveryNoteAndSecretAgainInBatches) {
  security::SecretKey old_key = TestSecretKey();
  security::SecretKey new_key{};
  new_key.fill(0x33);
  security::SecretKey lost_key{};
  lost_key.fill(0x77);
  const security::SecretBox old_ring({old_key});
  const security::SecretBox rotated({new_key, old_key});
  const security::SecretBox new_only({new_key});
  const std::string old_id = old_ring.sealing_key_id();
  const std::string new_id = new_only.sealing_key_id();

  // More notes than one batch, one of them from before sealing, one sealed by a lost key, and a
  // TOTP secret of the old key.
  const int kNotes = service::KeyRingService::kBatch + 15;
  for (int i = 0; i < kNotes; ++i) {
    ASSERT_TRUE(
        s_->cases.AddNote(worker_, referral_, {"Note " + std::to_string(i), i % 3 == 0}).empty());
  }
  const auto stored = StoredNotes();
  db_->Exec("UPDATE case_note SET body = 'En clair.' WHERE id = " +
            std::to_string(stored[0].first));
  const std::string lost =
      service::SealNote(security::SecretBox({lost_key}), referral_, worker_.user_id, "Perdue.");
  db_->Exec("UPDATE case_note SET body = '" + lost +
            "' WHERE id = " + std::to_string(stored[1].first));
  db_->Exec("INSERT INTO user_totp (user_id, secret_sealed, created_at) VALUES (" +
            std::to_string(worker_.user_id) + ", '" + old_ring.Seal("JBSWY3DPEHPK3PXP") + "', 0)");

  service::KeyRingService keys(db_->db(), s_->clock, rotated);
  EXPECT_EQ(CodeOf([&] { keys.Status(coordinator_); }), ErrorCode::kPermissionDenied)
      << "the command line only";
  auto status = keys.Status(system_);
  EXPECT_EQ(status.ring, (std::vector<std::string>{new_id, old_id}));
  EXPECT_FALSE(status.only_sealing_key_used);
  std::map<std::string, std::int64_t> notes_by_key;
  for (const auto& c : status.counts) {
    if (c.what == "notes") {
      notes_by_key[c.key_id] = c.values;
    } else {
      EXPECT_EQ(c.key_id, old_id);
      EXPECT_EQ(c.values, 1);
    }
  }
  const std::string lost_id = security::SecretBox({lost_key}).sealing_key_id();
  EXPECT_EQ(notes_by_key,
            (std::map<std::string, std::int64_t>{{"", 1}, {old_id, kNotes - 2}, {lost_id, 1}}));

  // `allervers migrate` seals what was in plaintext only.
  auto report = keys.Reseal(system_, true);
  EXPECT_EQ(report.notes, 1);
  EXPECT_EQ(report.totp_secrets, 0);
  report = keys.Reseal(system_);
  EXPECT_EQ(report.notes, kNotes - 2);
  EXPECT_EQ(report.totp_secrets, 1);
  EXPECT_EQ(report.unreadable, 1) << "the note of the lost key is left as it is";
  EXPECT_EQ(AuditCount("keys.reseal"), 1 + 2 + 1) << "one row per batch";

  // Everything opens with the new key alone, but the note of the lost key.
  service::CaseService cases(db_->db(), s_->clock, s_->reference, new_only);
  const auto notes = cases.Open(worker_, person_).cases[0].notes;
  int unreadable = 0;
  for (const auto& n : notes) {
    unreadable += n.body == service::kUnreadableNote ? 1 : 0;
  }
  EXPECT_EQ(unreadable, 1);
  EXPECT_EQ(notes.front().body, "En clair.");
  std::string secret;
  db_->db().WithSession([&](soci::session& sql) {
    sql << "SELECT secret_sealed FROM user_totp", soci::into(secret);
  });
  EXPECT_EQ(new_only.Open(secret).value_or(""), "JBSWY3DPEHPK3PXP");
  status = keys.Status(system_);
  EXPECT_FALSE(status.only_sealing_key_used) << "the lost key's note";
  db_->Exec("UPDATE case_note SET body = '' WHERE id = " + std::to_string(stored[1].first));
  EXPECT_TRUE(keys.Status(system_).only_sealing_key_used);
  EXPECT_EQ(keys.Reseal(system_).notes, 0) << "nothing left to do";
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
