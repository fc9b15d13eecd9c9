#include "domain/partner.hpp"

#include <gtest/gtest.h>

#include "common/time.hpp"
#include "domain/accompaniment.hpp"
#include "storage/reference_loader.hpp"
#include "support/test_db.hpp"

namespace allervers::domain {
namespace {

const ReferenceData& Ref() {
  static const ReferenceData ref = storage::LoadReferenceData(testing::SourceDir() / "data");
  return ref;
}

bool HasField(const FieldErrors& errors, std::string_view field) {
  for (const auto& e : errors) {
    if (e.field == field) {
      return true;
    }
  }
  return false;
}

TEST(InclusionLists, TheShippedListsAreLoadedWithCategoriesForEveryTheme) {
  const auto& lists = Ref().inclusion;
  EXPECT_TRUE(lists.thematiques.Contains("numerique--acceder-a-des-services-en-ligne"));
  EXPECT_TRUE(lists.frais.Contains("gratuit"));
  EXPECT_TRUE(lists.modes_accueil.Contains("a-distance"));
  EXPECT_EQ(Ref().vocabularies.inclusion_theme_categories.items.size(), 16u);
  EXPECT_EQ(ThemeLabel(lists, Ref().vocabularies.inclusion_theme_categories, "numerique"),
            "Numérique");
}

TEST(SplitInclusionList, ReadsJsonArraysPostgresArraysAndSeparatedText) {
  const std::vector<std::string> ab{"a", "b"};
  EXPECT_EQ(SplitInclusionList(R"(["a", "b"])"), ab);
  EXPECT_EQ(SplitInclusionList("{a,b}"), ab);
  EXPECT_EQ(SplitInclusionList(" a ; b "), ab);
  EXPECT_EQ(SplitInclusionList("a|b|"), ab);
  EXPECT_TRUE(SplitInclusionList("").empty());
  EXPECT_TRUE(SplitInclusionList("[]").empty());
}

TEST(CheckPartnerStructure, RequiresSourceIdNameAndDateAndDropsMalformedOptionalValues) {
  PartnerStructure s;
  s.source = " dora ";
  s.external_id = "s-1";
  s.nom = "CCAS de Cergy";
  s.siret = "123";  // not 14 digits
  s.code_postal = "95000";
  s.courriel = "pas-un-courriel";  // no @
  s.site_web = "javascript:alert(1)";
  const auto check = CheckPartnerStructure(s, "2026-04-27T10:00:00+02:00");
  EXPECT_TRUE(check.errors.empty());
  EXPECT_EQ(s.source, "dora");
  EXPECT_EQ(ToIso(s.date_maj), "2026-04-27");
  EXPECT_TRUE(s.siret.empty());
  EXPECT_TRUE(s.courriel.empty());
  EXPECT_TRUE(s.site_web.empty()) << "only http(s) links are kept";
  EXPECT_EQ(s.code_postal, "95000");
  EXPECT_TRUE(HasField(check.warnings, "siret"));
  EXPECT_TRUE(HasField(check.warnings, "site_web"));

  PartnerStructure missing;
  missing.source = "dora";
  const auto bad = CheckPartnerStructure(missing, "hier");
  EXPECT_TRUE(HasField(bad.errors, "id"));
  EXPECT_TRUE(HasField(bad.errors, "nom"));
  EXPECT_TRUE(HasField(bad.errors, "date_maj"));
}

TEST(CheckPartnerService, KeepsKnownValuesOfTheSchemaListsAndWarnsAboutOthers) {
  PartnerService s;
  s.source = "dora";
  s.external_id = "svc-1";
  s.structure_external_id = "s-1";
  s.nom = "Aide aux démarches en ligne";
  s.description = "Accompagnement individuel";
  s.thematiques = {"numerique--acceder-a-des-services-en-ligne", "inconnue--x",
                   "numerique--acceder-a-des-services-en-ligne"};
  s.frais = {"gratuit", "cher"};
  s.type = "pas-un-type";
  const auto check = CheckPartnerService(s, "2026-01-02", Ref().inclusion);
  EXPECT_TRUE(check.errors.empty());
  EXPECT_EQ(s.thematiques, std::vector<std::string>{"numerique--acceder-a-des-services-en-ligne"});
  EXPECT_EQ(s.frais, std::vector<std::string>{"gratuit"});
  EXPECT_TRUE(s.type.empty());
  EXPECT_TRUE(HasField(check.warnings, "thematiques"));
  EXPECT_TRUE(HasField(check.warnings, "frais"));

  PartnerService orphan = s;
  orphan.structure_external_id = "  ";
  EXPECT_TRUE(
      HasField(CheckPartnerService(orphan, "2026-01-02", Ref().inclusion).errors, "structure_id"));
}

OrientationInput GoodOrientation() {
  OrientationInput in;
  in.partner_name = "CCAS de Cergy";
  in.partner_kind = "aide_sociale";
  in.reason = "Demande d’aide alimentaire";
  in.status = "proposee";
  return in;
}

TEST(ValidateOrientation, NothingIsSharedWithoutThePersonsAgreementAndHowItWasGiven) {
  const LocalDate today{2026, 11, 29};
  Orientation o;
  EXPECT_TRUE(ValidateOrientation(GoodOrientation(), Ref().vocabularies, today, o).empty());
  EXPECT_TRUE(o.shared.empty());
  EXPECT_FALSE(o.consent_on);

  auto in = GoodOrientation();
  in.shared = {"identite", "coordonnees"};
  Orientation refused;
  EXPECT_TRUE(HasField(ValidateOrientation(in, Ref().vocabularies, today, refused), "consent"));
  in.consent = true;
  EXPECT_TRUE(
      HasField(ValidateOrientation(in, Ref().vocabularies, today, refused), "consent_method"));
  in.consent_method = "oral";
  Orientation shared;
  EXPECT_TRUE(ValidateOrientation(in, Ref().vocabularies, today, shared).empty());
  EXPECT_EQ(shared.shared, (std::vector<std::string>{"identite", "coordonnees"}));
  ASSERT_TRUE(shared.consent_on);
  EXPECT_EQ(*shared.consent_on, today);

  // Unsharing everything forgets the consent.
  in.shared.clear();
  EXPECT_TRUE(ValidateOrientation(in, Ref().vocabularies, today, shared).empty());
  EXPECT_FALSE(shared.consent_on);
  EXPECT_TRUE(shared.consent_method.empty());
}

TEST(ValidateOrientation, RefusesMissingFieldsUnknownCodesAndCredentials) {
  const LocalDate today{2026, 11, 29};
  OrientationInput in;
  in.status = "envoyee";
  in.partner_kind = "inconnu";
  in.shared = {"numero_secu"};
  in.follow_up_on = "31/02/2026";
  in.note = "mot de passe : soleil";
  Orientation o;
  const auto errors = ValidateOrientation(in, Ref().vocabularies, today, o);
  for (const char* field :
       {"partner_name", "partner_kind", "reason", "status", "shared", "follow_up_on", "note"}) {
    EXPECT_TRUE(HasField(errors, field)) << field;
  }
  // A service of the directory names the partner: no typed name needed.
  Orientation from_directory;
  from_directory.service_id = 7;
  auto good = GoodOrientation();
  good.partner_name.clear();
  EXPECT_TRUE(ValidateOrientation(good, Ref().vocabularies, today, from_directory).empty());
}

TEST(OrientationStatus, CodesRoundTripAndClosedStatusesAreDoneAndNoFollowUp) {
  for (const auto s : AllOrientationStatuses()) {
    EXPECT_EQ(ParseOrientationStatus(OrientationStatusCode(s)), s);
  }
  EXPECT_TRUE(IsOrientationClosed(OrientationStatus::kDone));
  EXPECT_TRUE(IsOrientationClosed(OrientationStatus::kNoFollowUp));
  EXPECT_FALSE(IsOrientationClosed(OrientationStatus::kAccepted));
}

TEST(ValidateReview, NeedsAPartnerBesidesTheTeamAndMinutesOnceHeldNotInTheFuture) {
  const Instant now = paris::FromLocal({2026, 11, 29}, 10, 0);
  ReviewInput in{"2026-12-03", "14:30", "Au SSD", {"prescripteur"}, "prevu", "", ""};
  CaseReview r;
  EXPECT_TRUE(ValidateReview(in, Ref().vocabularies, now, r).empty());
  EXPECT_EQ(r.scheduled_at, paris::FromLocal({2026, 12, 3}, 14, 30));
  EXPECT_EQ(r.status, ReviewStatus::kPlanned);

  in.status = "tenu";
  auto errors = ValidateReview(in, Ref().vocabularies, now, r);
  EXPECT_TRUE(HasField(errors, "minutes"));
  EXPECT_TRUE(HasField(errors, "date")) << "held in the future";

  ReviewInput bad{"31/02/2026", "25:00", " ", {"aidant"}, "fini", "", "mdp = 1234"};
  errors = ValidateReview(bad, Ref().vocabularies, now, r);
  for (const char* field : {"date", "time", "place", "participants", "status", "decisions"}) {
    EXPECT_TRUE(HasField(errors, field)) << field;
  }
}

TEST(ValidateFeedback, NeedsALineOrNextStepsAndNeverACredential) {
  std::string next;
  EXPECT_TRUE(HasField(ValidateFeedback(0, "   ", next), "items"));
  EXPECT_TRUE(ValidateFeedback(0, " Rappeler en janvier. ", next).empty());
  EXPECT_EQ(next, "Rappeler en janvier.");
  EXPECT_TRUE(ValidateFeedback(2, "", next).empty());
  EXPECT_TRUE(HasField(ValidateFeedback(1, "code PIN : 0000", next), "next_steps"));
  EXPECT_TRUE(HasField(ValidateFeedback(1, std::string(1001, 'a'), next), "next_steps"));
}

TEST(Quarter, BoundsLabelsAndParsing) {
  EXPECT_EQ(QuarterOf({2026, 11, 29}), (Quarter{2026, 4}));
  EXPECT_EQ(QuarterOf({2026, 1, 1}), (Quarter{2026, 1}));
  EXPECT_EQ(QuarterOf({2026, 6, 30}), (Quarter{2026, 2}));
  EXPECT_EQ(ToIso(QuarterStart({2026, 3})), "2026-07-01");
  EXPECT_EQ(ToIso(QuarterEnd({2026, 3})), "2026-09-30");
  EXPECT_EQ(ToIso(QuarterEnd({2026, 4})), "2026-12-31");
  EXPECT_EQ(QuarterLabel({2027, 1}), "1er trimestre 2027");
  EXPECT_EQ(QuarterLabel({2026, 4}), "4e trimestre 2026");
  EXPECT_EQ(ParseQuarter("2026", "2"), (Quarter{2026, 2}));
  EXPECT_FALSE(ParseQuarter("2026", "5"));
  EXPECT_FALSE(ParseQuarter("deux", "1"));
  QuarterlyReport r;
  EXPECT_TRUE(HasField(ValidateQuarterlyReport(" ", "", r), "observations"));
  EXPECT_TRUE(HasField(ValidateQuarterlyReport("ok", "mot de passe : x", r), "perspectives"));
  EXPECT_TRUE(ValidateQuarterlyReport(" Démarche faite. ", "", r).empty());
  EXPECT_EQ(r.observations, "Démarche faite.");
  for (const auto m : {FollowMode::kUnset, FollowMode::kCoAccompaniment, FollowMode::kDelegation}) {
    EXPECT_EQ(ParseFollowMode(FollowModeCode(m)), m);
  }
}

}  // namespace
}  // namespace allervers::domain
