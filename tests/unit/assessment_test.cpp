#include "domain/assessment.hpp"

#include <gtest/gtest.h>

#include "domain/accompaniment.hpp"
#include "storage/reference_loader.hpp"
#include "support/test_db.hpp"

namespace allervers::domain {
namespace {

const ReferenceData& Ref() {
  static const ReferenceData ref = storage::LoadReferenceData(testing::SourceDir() / "data");
  return ref;
}
const AssessmentGrid& Grid() { return Ref().assessment.Current(); }

// Every scale item of `section` answered `value`.
void All(Answers& a, std::string_view section, const std::string& value) {
  for (const auto& item : Grid().FindSection(section)->items) {
    if (item.type == GridItemType::kScale || item.type == GridItemType::kAccount) {
      a[item.code] = value;
    }
  }
}

TEST(AssessmentGrid, TheShippedGridHasSectionsAToHAndChecksClean) {
  const auto& g = Grid();
  ASSERT_EQ(g.sections.size(), 8u);
  EXPECT_EQ(g.sections.front().code, "A");
  EXPECT_EQ(g.sections.back().code, "H");
  EXPECT_EQ(g.FindSection("B")->score, ScoreGroup::kAccess);
  EXPECT_EQ(g.FindSection("C")->score, ScoreGroup::kAccess);
  EXPECT_EQ(g.FindSection("D")->score, ScoreGroup::kAccounts);
  EXPECT_EQ(g.FindSection("E")->score, ScoreGroup::kSkills);
  EXPECT_EQ(g.FindSection("E")->items.size(), 13u);
  EXPECT_TRUE(CheckGrid(g, Ref().procedures).empty());
  EXPECT_EQ(g.FindItem("G.caf_rsa")->procedure, "CAF-RSA");
}

TEST(AssessmentGrid, CheckGridRefusesDuplicatesMissingScaleAndUnknownRights) {
  AssessmentGrid g = Grid();
  g.sections[1].items.push_back(g.sections[1].items.front());
  EXPECT_FALSE(CheckGrid(g, Ref().procedures).empty());
  g = Grid();
  g.sections[4].scale.pop_back();  // no NA
  EXPECT_FALSE(CheckGrid(g, Ref().procedures).empty());
  g = Grid();
  for (auto& s : g.sections) {
    for (auto& i : s.items) {
      if (i.type == GridItemType::kRight) {
        i.procedure = "NOPE-1";
      }
    }
  }
  EXPECT_FALSE(CheckGrid(g, Ref().procedures).empty());
}

TEST(AssessmentScore, SubScoresFollowTheDocumentedFormulaAndLeaveNaOut) {
  Answers a;
  All(a, "B", "3");                // 5 items, 15
  a["C.internet_domicile"] = "2";  // 1 item, 2
  a["C.forfait_mobile"] = "NA";    // excluded from the denominator
  All(a, "E", "1");                // 13 items, 13
  const auto s = ScoreAssessment(Grid(), a);
  EXPECT_EQ(s.access.sum, 17);
  EXPECT_EQ(s.access.items, 6);
  ASSERT_TRUE(s.access.value);
  EXPECT_DOUBLE_EQ(*s.access.value, 100.0 * 17 / 18);
  ASSERT_TRUE(s.skills.value);
  EXPECT_DOUBLE_EQ(*s.skills.value, 100.0 * 13 / 39);
  EXPECT_FALSE(s.accounts.value);  // no account marked necessary
  ASSERT_TRUE(s.level);
  EXPECT_EQ(*s.level, AutonomyLevel::kN1);
  EXPECT_NE(s.explanation[2].find("100 × 13 ÷ (3 × 13"), std::string::npos);
}

TEST(AssessmentScore, NoUsableDeviceOrConnectionIsN0WhateverTheSkills) {
  Answers a;
  All(a, "B", "0");
  All(a, "C", "1");
  All(a, "E", "3");
  const auto s = ScoreAssessment(Grid(), a);
  ASSERT_TRUE(s.level);
  EXPECT_EQ(*s.level, AutonomyLevel::kN0);
}

TEST(AssessmentScore, ThresholdsAreInclusiveWhereTheGridSaysFrom) {
  auto level = [](std::vector<std::string> skills) {
    Answers a;
    All(a, "B", "3");
    All(a, "C", "3");
    All(a, "E", "NA");
    const auto& items = Grid().FindSection("E")->items;
    for (std::size_t i = 0; i < skills.size(); ++i) {
      a[items[i].code] = skills[i];
    }
    return ScoreAssessment(Grid(), a).level;
  };
  EXPECT_EQ(level({"1", "1", "1", "0"}), AutonomyLevel::kN1);  // exactly 25
  EXPECT_EQ(level({"1", "1", "0", "0"}), AutonomyLevel::kN0);  // 16.7
  EXPECT_EQ(level({"2", "1", "2", "1"}), AutonomyLevel::kN2);  // exactly 50
  EXPECT_EQ(level({"2", "1", "2", "0"}), AutonomyLevel::kN1);  // 41.7
  EXPECT_EQ(level({"3", "3", "3", "3", "3"}), AutonomyLevel::kN3);
  EXPECT_EQ(level({}), std::nullopt);  // no skill evaluated
}

TEST(AssessmentScore, N3NeedsEveryNecessaryAccountUsableAndEnoughAccess) {
  Answers a;
  All(a, "B", "3");
  All(a, "C", "3");
  All(a, "E", "3");
  a["D.caf"] = "3";
  a["D.caf/necessaire"] = "oui";
  a["D.ameli"] = "0";
  a["D.ameli/necessaire"] = "non";  // not needed: does not count
  auto s = ScoreAssessment(Grid(), a);
  EXPECT_EQ(s.level, AutonomyLevel::kN3);
  EXPECT_EQ(s.necessary_accounts, 1);
  ASSERT_TRUE(s.accounts.value);
  EXPECT_DOUBLE_EQ(*s.accounts.value, 100.0);

  a["D.ameli/necessaire"] = "oui";
  s = ScoreAssessment(Grid(), a);
  EXPECT_EQ(s.level, AutonomyLevel::kN2);
  EXPECT_EQ(s.usable_necessary_accounts, 1);
  EXPECT_DOUBLE_EQ(*s.accounts.value, 50.0);

  a["D.ameli"] = "2";
  All(a, "C", "1");  // access (15 + 2) / 21 = 81 still ≥ 67
  EXPECT_EQ(ScoreAssessment(Grid(), a).level, AutonomyLevel::kN3);
  All(a, "B", "1");  // access (5 + 2) / 21 = 33 → below 34: N0
  EXPECT_EQ(ScoreAssessment(Grid(), a).level, AutonomyLevel::kN0);
  All(a, "B", "2");  // access 12/21 = 57: skills ≥ 80 but access under 67 → N2
  EXPECT_EQ(ScoreAssessment(Grid(), a).level, AutonomyLevel::kN2);
}

TEST(AssessmentAnswers, OnlyThisStepsQuestionsAndKnownValuesAreKept) {
  const auto& g = Grid();
  Answers out;
  Answers in = {{"E.pdf", "2"}, {"E.formulaire", ""}, {"E.navigateur", " 3 "}};
  EXPECT_TRUE(NormaliseSectionAnswers(g, *g.FindSection("E"), in, out).empty());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out["E.navigateur"], "3");

  out.clear();
  EXPECT_FALSE(
      NormaliseSectionAnswers(g, *g.FindSection("E"), {{"B.smartphone", "3"}}, out).empty());
  EXPECT_FALSE(NormaliseSectionAnswers(g, *g.FindSection("E"), {{"E.pdf", "4"}}, out).empty());
  EXPECT_FALSE(
      NormaliseSectionAnswers(g, *g.FindSection("E"), {{"E.pdf/necessaire", "oui"}}, out).empty());
  EXPECT_FALSE(
      NormaliseSectionAnswers(g, *g.FindSection("D"), {{"D.caf/necessaire", "peut-être"}}, out)
          .empty());
  EXPECT_FALSE(NormaliseSectionAnswers(g, *g.FindSection("E"), {{"E.pdf", "\xff"}}, out).empty());
  EXPECT_TRUE(out.empty());

  out.clear();
  EXPECT_TRUE(NormaliseSectionAnswers(g, *g.FindSection("D"),
                                      {{"D.aidants_connect_echeance", "01/03/2027"}}, out)
                  .empty());
  EXPECT_EQ(out["D.aidants_connect_echeance"], "2027-03-01");
  EXPECT_FALSE(NormaliseSectionAnswers(g, *g.FindSection("D"),
                                       {{"D.aidants_connect_echeance", "31/02/2027"}}, out)
                   .empty());

  out.clear();
  EXPECT_TRUE(NormaliseSectionAnswers(g, *g.FindSection("G"),
                                      {{"G.justificatifs", "rib,rib,piece_identite"}}, out)
                  .empty());
  EXPECT_EQ(out["G.justificatifs"], "rib,piece_identite");
  EXPECT_FALSE(
      NormaliseSectionAnswers(g, *g.FindSection("G"), {{"G.justificatifs", "rib,x"}}, out).empty());
  EXPECT_FALSE(
      NormaliseSectionAnswers(g, *g.FindSection("G"), {{"G.caf_rsa", "ouvert"}}, out).empty());
  EXPECT_FALSE(NormaliseSectionAnswers(g, *g.FindSection("A"),
                                       {{"A.personne_presente", std::string(501, 'x')}}, out)
                   .empty());
}

TEST(AssessmentCompare, MeasuresLevelsAccountsAndRightsOutOfNonRecours) {
  Answers t0;
  All(t0, "B", "3");
  All(t0, "C", "3");
  All(t0, "E", "1");
  t0["D.caf"] = "1";
  t0["D.caf/necessaire"] = "oui";
  t0["D.ameli"] = "0";
  t0["D.ameli/necessaire"] = "non";
  t0["G.caf_rsa"] = "non_recours";
  t0["G.cpam_c2s"] = "rupture";
  t0["G.caf_al"] = "a_verifier";
  Answers t1 = t0;
  All(t1, "E", "2");
  t1["D.caf"] = "2";
  t1["D.ameli"] = "3";  // usable but not necessary: not counted
  t1["G.caf_rsa"] = "droit_ouvert";
  t1["G.cpam_c2s"] = "demande_en_cours";
  t1["G.caf_al"] = "droit_ouvert";  // was not in non-recours

  const auto c = CompareAssessments(Grid(), t0, Grid(), t1);
  EXPECT_EQ(c.before.level, AutonomyLevel::kN1);
  EXPECT_EQ(c.after.level, AutonomyLevel::kN2);
  EXPECT_EQ(c.level_change, 1);
  ASSERT_EQ(c.accounts_now_usable.size(), 1u);
  EXPECT_EQ(c.accounts_now_usable[0], Grid().FindItem("D.caf")->label);
  ASSERT_EQ(c.rights_out_of_non_recours.size(), 2u);
  const auto& e = *std::find_if(c.sections.begin(), c.sections.end(),
                                [](const auto& s) { return s.code == "E"; });
  ASSERT_FALSE(e.items.empty());
  EXPECT_EQ(e.items[0].delta, 1);
  ASSERT_TRUE(e.before && e.after);
  EXPECT_LT(*e.before, *e.after);
}

TEST(InterventionValidation, TheCommonCaseNeedsOnlyAThemeAndKnownCodes) {
  const auto& v = Ref().vocabularies;
  const LocalDate today{2026, 11, 29};
  InterventionInput in;
  in.date = "29/11/2026";
  in.duration = "60";
  in.place = "domicile";
  in.modality = "faire_avec";
  in.workers = {"3"};
  in.administrative_themes = {"social"};
  Intervention out;
  EXPECT_TRUE(ValidateIntervention(in, v, today, out).empty());
  EXPECT_EQ(out.duration_minutes, 60);
  EXPECT_EQ(out.occurred_on, today);

  auto fails = [&](auto change, const std::string& field) {
    InterventionInput bad = in;
    change(bad);
    Intervention o;
    const auto errors = ValidateIntervention(bad, v, today, o);
    return std::any_of(errors.begin(), errors.end(),
                       [&](const FieldError& e) { return e.field == field; });
  };
  EXPECT_TRUE(fails([](auto& b) { b.date = "2026-11-30"; }, "date"));  // future
  EXPECT_TRUE(fails([](auto& b) { b.date = "2025-01-01"; }, "date"));  // too old
  EXPECT_TRUE(fails([](auto& b) { b.duration = "50"; }, "duration"));
  EXPECT_TRUE(fails(
      [](auto& b) {
        b.duration = "autre";
        b.custom_duration = "721";
      },
      "custom_duration"));
  EXPECT_FALSE(fails(
      [](auto& b) {
        b.duration = "autre";
        b.custom_duration = "200";
      },
      "custom_duration"));
  EXPECT_TRUE(fails([](auto& b) { b.administrative_themes.clear(); }, "digital_themes"));
  EXPECT_TRUE(fails([](auto& b) { b.digital_themes = {"<script>"}; }, "digital_themes"));
  EXPECT_TRUE(fails([](auto& b) { b.equipment = {"aucun", "tablette"}; }, "equipment"));
  EXPECT_TRUE(fails([](auto& b) { b.place = "lune"; }, "place"));
  EXPECT_TRUE(fails([](auto& b) { b.modality = ""; }, "modality"));
  EXPECT_TRUE(fails([](auto& b) { b.workers = {"x"}; }, "workers"));
  EXPECT_TRUE(fails([](auto& b) { b.workers.clear(); }, "workers"));
  EXPECT_TRUE(fails([](auto& b) { b.summary = std::string(2001, 'a'); }, "summary"));
}

TEST(InterventionDuration, IsWrittenTheFrenchWay) {
  EXPECT_EQ(FormatMinutes(45), "45 min");
  EXPECT_EQ(FormatMinutes(60), "1 h");
  EXPECT_EQ(FormatMinutes(90), "1 h 30");
  EXPECT_EQ(FormatMinutes(125), "2 h 05");
  EXPECT_EQ(MultiCodes("rib,,piece_identite"), (std::vector<std::string>{"rib", "piece_identite"}));
  EXPECT_TRUE(MultiCodes("").empty());
}

TEST(NoteValidation, AnEmptyOrOversizedNoteIsRefused) {
  Note n;
  EXPECT_FALSE(ValidateNote({"   ", false}, n).empty());
  EXPECT_FALSE(ValidateNote({std::string(5001, 'a'), false}, n).empty());
  EXPECT_TRUE(ValidateNote({" Attestation CAF remise. ", true}, n).empty());
  EXPECT_EQ(n.body, "Attestation CAF remise.");
  EXPECT_TRUE(n.is_private);
}

TEST(ExternalScores, ScoreAndDateGoTogetherAndStayInRange) {
  const LocalDate today{2026, 11, 29};
  Assessment a;
  EXPECT_TRUE(ValidateExternalScores({"42", "2026-11-20", "", ""}, today, a).empty());
  EXPECT_EQ(a.abc_diag_score, 42);
  EXPECT_FALSE(ValidateExternalScores({"42", "", "", ""}, today, a).empty());
  EXPECT_FALSE(ValidateExternalScores({"101", "2026-11-20", "", ""}, today, a).empty());
  EXPECT_FALSE(ValidateExternalScores({"", "", "2000", "2026-11-20"}, today, a).empty());
  EXPECT_FALSE(ValidateExternalScores({"", "", "500", "2026-12-20"}, today, a).empty());
}

}  // namespace
}  // namespace allervers::domain

namespace allervers::domain {
namespace {

const Procedure& Catalogue(std::string_view code) { return *Ref().procedures.Find(code); }

ProcedureInput Filed() {
  ProcedureInput in;
  in.status = "deposee";
  in.outcome = "";
  return in;
}

CaseProcedure WithDocuments(std::string_view code) {
  CaseProcedure p;
  p.code = std::string(code);
  for (const auto& d : Catalogue(code).documents) {
    p.documents.push_back({d, false});
  }
  return p;
}

TEST(ProcedureValidation, ARightOpenedTakesItsAmountDateAndRenewalWindow) {
  const LocalDate today{2026, 11, 29};
  auto p = WithDocuments("CPAM-C2S");
  auto in = Filed();
  in.outcome = "ouvert";
  in.monthly_amount = "1 200,5";
  in.gathered = {"0"};
  ASSERT_TRUE(ValidateProcedure(in, Catalogue("CPAM-C2S"), Ref().vocabularies, today, p).empty());
  EXPECT_EQ(p.outcome, RightOutcome::kOpened);
  EXPECT_EQ(p.monthly_amount_cents, 120050);
  EXPECT_EQ(p.outcome_on, today);  // no date typed: today
  // C2S: twelve months, renewal in the last four (120 days before 29/11/2027).
  EXPECT_EQ(p.renewal_on, AddDays(LocalDate{2027, 11, 29}, -120));
  EXPECT_TRUE(p.documents[0].gathered);
  EXPECT_FALSE(p.documents[1].gathered);
  EXPECT_EQ(FormatEuros(120050), "1\u202f200,50 €");
}

TEST(ProcedureValidation, RefusesWhatDoesNotFitTheProcedure) {
  const LocalDate today{2026, 11, 29};
  auto fails = [&](std::string_view code, auto change, const std::string& field) {
    auto p = WithDocuments(code);
    auto in = Filed();
    change(in);
    const auto errors = ValidateProcedure(in, Catalogue(code), Ref().vocabularies, today, p);
    return std::any_of(errors.begin(), errors.end(),
                       [&](const FieldError& e) { return e.field == field; });
  };
  EXPECT_TRUE(fails(
      "CAF-RSA", [](auto& in) { in.status = "perdue"; }, "status"));
  // A procedure that opens no right has no outcome.
  EXPECT_TRUE(fails(
      "ANTS-CNI", [](auto& in) { in.outcome = "ouvert"; }, "outcome"));
  EXPECT_TRUE(fails(
      "CAF-RSA", [](auto& in) { in.monthly_amount = "600"; }, "monthly_amount"));
  EXPECT_TRUE(fails(
      "CAF-RSA",
      [](auto& in) {
        in.outcome = "ouvert";
        in.monthly_amount = "six cents";
      },
      "monthly_amount"));
  EXPECT_TRUE(fails(
      "CAF-RSA",
      [](auto& in) {
        in.outcome = "ouvert";
        in.outcome_on = "2026-12-25";
      },
      "outcome_on"));
  EXPECT_TRUE(fails(
      "CAF-RSA", [](auto& in) { in.due_on = "32/01/2027"; }, "due_on"));
  EXPECT_TRUE(fails(
      "CAF-RSA", [](auto& in) { in.gathered = {"99"}; }, "documents"));
  EXPECT_TRUE(fails(
      "CAF-RSA", [](auto& in) { in.note = "Mot de passe : Soleil2026"; }, "note"));
  EXPECT_FALSE(fails(
      "CAF-RSA", [](auto& in) { in.note = "Le mot de passe a été changé par la personne."; },
      "note"));
}

TEST(Credentials, NeverWrittenInFreeText) {
  EXPECT_TRUE(LooksLikeCredential("mdp= azerty"));
  EXPECT_TRUE(LooksLikeCredential("Code PIN : 1234"));
  EXPECT_FALSE(LooksLikeCredential("Elle a retrouvé son mot de passe seule."));
  Note n;
  EXPECT_FALSE(ValidateNote({"password: hunter2", false}, n).empty());
}

TEST(ClosureValidation, AReasonOfTheListAndWordsForOther) {
  std::string note;
  EXPECT_TRUE(ValidateClosure({"objectifs_atteints", "", false}, Ref().vocabularies, note).empty());
  EXPECT_FALSE(ValidateClosure({"fatigue", "", false}, Ref().vocabularies, note).empty());
  EXPECT_FALSE(ValidateClosure({"autre", "  ", false}, Ref().vocabularies, note).empty());
  EXPECT_TRUE(
      ValidateClosure({"autre", " Suivie par le CCAS ", false}, Ref().vocabularies, note).empty());
  EXPECT_EQ(note, "Suivie par le CCAS");
  EXPECT_TRUE(ClosureExpectsFinalBilan("objectifs_atteints"));
  EXPECT_FALSE(ClosureExpectsFinalBilan("injoignable"));
}

TEST(SuggestRenewal, KeepsTheDayOrTakesTheMonthsLast) {
  Procedure p;
  p.renewal_months = 12;
  p.renewal_notice_days = 0;
  EXPECT_EQ(SuggestRenewal(p, {2028, 2, 29}), (LocalDate{2029, 2, 28}));
  p.renewal_months.reset();
  EXPECT_EQ(SuggestRenewal(p, {2026, 1, 1}), std::nullopt);
}

TEST(MandateValidation, OnlyAidantsConnectDurationsAndKnownDomains) {
  const LocalDate today{2026, 11, 29};
  Mandate m;
  EXPECT_TRUE(
      ValidateMandate({"2026-11-29", "182", {"social", "logement"}}, Ref().procedures, today, m)
          .empty());
  EXPECT_EQ(m.ends_on, AddDays(today, 182));
  EXPECT_TRUE(m.ActiveOn(today));
  EXPECT_FALSE(m.ActiveOn(m.ends_on));
  EXPECT_FALSE(
      ValidateMandate({"2026-11-29", "90", {"social"}}, Ref().procedures, today, m).empty());
  EXPECT_FALSE(ValidateMandate({"2026-11-29", "31", {}}, Ref().procedures, today, m).empty());
  EXPECT_FALSE(ValidateMandate({"2026-11-29", "31", {"lune"}}, Ref().procedures, today, m).empty());
  EXPECT_FALSE(
      ValidateMandate({"2026-12-01", "31", {"social"}}, Ref().procedures, today, m).empty());
}

}  // namespace
}  // namespace allervers::domain
