#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"

namespace allervers::domain {
namespace {

ClosureLetterFacts Facts(const std::string& reason) {
  ClosureLetterFacts f;
  f.head.name = "Équipe mobile numérique — Cergy";
  f.head.phone = "01 34 25 30 00";
  f.head.privacy_contact = "dpo@emn-cergy.example";
  f.gender = "femme";
  f.first_names = "Grâce";
  f.last_name = "Mabiala";
  f.address_line = "7 rue de l’Abondance";
  f.postal_code = "95800";
  f.city = "Cergy";
  f.closed_on = {2026, 12, 1};
  f.reason = reason;
  f.procedures = {{"Demande de RSA", ProcedureStatus::kCompleted, RightOutcome::kOpened},
                  {"Prime d’activité", ProcedureStatus::kFiled, RightOutcome::kNone},
                  {"Carte Vitale (commande, application carte Vitale)", ProcedureStatus::kCompleted,
                   RightOutcome::kNone},
                  {"Déclaration de revenus", ProcedureStatus::kInProgress, RightOutcome::kNone},
                  {"Chèque énergie", ProcedureStatus::kAbandoned, RightOutcome::kNone}};
  f.referrer_name = "Nadia Ouedraogo";
  f.referring_structure = "SSD de Cergy";
  f.worker_name = "Léa Nguyen";
  f.worker_role = "de l’équipe mobile numérique";
  f.today = paris::FromLocal({2026, 12, 2}, 9, 0);
  return f;
}

std::vector<std::string> Lines(const LetterText& t, std::string_view heading) {
  for (const auto& block : t.blocks) {
    if (block.heading == heading) {
      return block.lines;
    }
  }
  return {};
}

bool Says(const LetterText& t, std::string_view sentence) {
  return std::any_of(t.blocks.begin(), t.blocks.end(), [&](const LetterBlock& b) {
    return std::find(b.lines.begin(), b.lines.end(), sentence) != b.lines.end();
  });
}

std::string AllText(const LetterText& t) {
  std::string all = t.subject + "\n" + t.salutation + "\n";
  for (const auto& b : t.blocks) {
    all += b.heading + "\n";
    for (const auto& l : b.lines) {
      all += l + "\n";
    }
  }
  return all;
}

TEST(ClosureLetter, AddressesThePersonAndWritesDatesInFull) {
  const auto t = ComposeClosureLetter(Facts("objectifs_atteints"));
  EXPECT_EQ(t.recipient_lines, (std::vector<std::string>{"Madame Grâce MABIALA",
                                                         "7 rue de l’Abondance", "95800 CERGY"}));
  EXPECT_EQ(t.salutation, "Madame Mabiala,");
  EXPECT_EQ(t.place_and_date, "Cergy, le 2 décembre 2026");
  EXPECT_EQ(t.subject, "Fin de notre accompagnement");
  EXPECT_EQ(t.head.name, "Équipe mobile numérique — Cergy");
  EXPECT_EQ(Lines(t, "Fin de l’accompagnement").front(),
            "Notre accompagnement s’est terminé le mardi 1er décembre 2026.");
  EXPECT_EQ(t.signature_name, "Léa Nguyen");
  EXPECT_EQ(t.signature_role, "de l’équipe mobile numérique");
  // Easy to read: short sentences, no checklist.
  for (const auto& b : t.blocks) {
    EXPECT_FALSE(b.checklist) << b.heading;
    for (const auto& sentence : b.lines) {
      EXPECT_LE(sentence.size(), 140u) << sentence;
    }
  }
}

TEST(ClosureLetter, ListsTheProceduresCarriedThroughAndTheRightsOpenedWithoutAmounts) {
  const auto done =
      Lines(ComposeClosureLetter(Facts("objectifs_atteints")), "Ce que nous avons fait ensemble");
  EXPECT_EQ(done, (std::vector<std::string>{
                      "Demande de RSA : droit ouvert.",
                      "Prime d’activité : demande envoyée, en attente de la réponse.",
                      "Carte Vitale (commande, application carte Vitale) : démarche faite."}));
  // Nothing done: no block at all.
  auto f = Facts("injoignable");
  f.procedures.clear();
  EXPECT_TRUE(Lines(ComposeClosureLetter(f), "Ce que nous avons fait ensemble").empty());
}

TEST(ClosureLetter, EachReasonHasItsOwnWords) {
  const auto says = [](const std::string& reason, std::string_view sentence) {
    return Says(ComposeClosureLetter(Facts(reason)), sentence);
  };
  EXPECT_TRUE(says("objectifs_atteints", "Ensemble, nous avons fait les démarches prévues."));
  EXPECT_TRUE(says("orientation", "Un partenaire peut maintenant mieux vous aider."));
  EXPECT_TRUE(says("injoignable", "Nous avons essayé de vous joindre plusieurs fois."));
  EXPECT_TRUE(says("injoignable", "Vous voulez encore notre aide ?"));
  EXPECT_TRUE(says("refus", "Nous respectons votre choix."));
  EXPECT_TRUE(says("refus", "Vous changez d’avis ?"));
  EXPECT_TRUE(says("demenagement", "Vous nous avez dit que vous déménagez."));
  EXPECT_TRUE(says("autre", "Vous avez besoin d’aide plus tard ?"));
  // The number to call back is never split over two lines.
  EXPECT_TRUE(says("autre", "Vous pouvez nous rappeler au 01\u00A034\u00A025\u00A030\u00A000."));
  // « autre » says no more than the date: the comment is for the team, not for the letter.
  EXPECT_EQ(Lines(ComposeClosureLetter(Facts("autre")), "Fin de l’accompagnement").size(), 1u);
  // A reason added to the vocabulary later is said by its label.
  auto f = Facts("nouveau_motif");
  f.reason_label = "Accompagnement repris par la CAF";
  EXPECT_TRUE(Says(ComposeClosureLetter(f), "Motif : Accompagnement repris par la CAF."));
}

TEST(ClosureLetter, NoLetterIsWrittenAfterADeath) {
  EXPECT_FALSE(ClosureLetterAllowed("deces"));
  for (const char* reason :
       {"objectifs_atteints", "orientation", "injoignable", "refus", "demenagement", "autre"}) {
    EXPECT_TRUE(ClosureLetterAllowed(reason)) << reason;
  }
  try {
    ComposeClosureLetter(Facts("deces"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
    EXPECT_NE(e.public_message().find("décès"), std::string::npos);
  }
}

TEST(ClosureLetter, NamesOrientationsAndTheReferrerToTurnTo) {
  auto f = Facts("orientation");
  f.orientations = {{"CCAS de Cergy", "pour l’aide alimentaire."}, {"Mission locale", ""}};
  const auto help = Lines(ComposeClosureLetter(f), "Qui peut vous aider maintenant");
  EXPECT_EQ(help, (std::vector<std::string>{
                      "CCAS de Cergy : pour l’aide alimentaire.", "Mission locale.",
                      "Pour vos autres questions, contactez Nadia Ouedraogo, SSD de Cergy."}));
}

TEST(ClosureLetter, SaysHowLongTheFileIsKeptOnlyWhenTold) {
  auto f = Facts("refus");
  EXPECT_EQ(AllText(ComposeClosureLetter(f)).find("conservé"), std::string::npos);
  f.retention_months = 24;
  auto privacy = Lines(ComposeClosureLetter(f), "Vos données");
  EXPECT_EQ(privacy.front(),
            "Votre dossier est conservé 2 ans après notre dernier contact, puis anonymisé.");
  EXPECT_EQ(privacy.back(),
            "Vous pouvez lire votre dossier, le faire corriger ou demander qu’il soit effacé : "
            "dpo@emn-cergy.example.");
  f.retention_months = 18;
  privacy = Lines(ComposeClosureLetter(f), "Vos données");
  EXPECT_EQ(privacy.front(),
            "Votre dossier est conservé 18 mois après notre dernier contact, puis anonymisé.");
}

TEST(ClosureLetter, WithoutAReferentTheTeamSigns) {
  auto f = Facts("autre");
  f.worker_name.clear();
  f.gender.clear();
  const auto t = ComposeClosureLetter(f);
  EXPECT_EQ(t.signature_name, "Équipe mobile numérique — Cergy");
  EXPECT_TRUE(t.signature_role.empty());
  EXPECT_EQ(t.salutation, "Bonjour Grâce MABIALA,");
}

}  // namespace
}  // namespace allervers::domain

namespace allervers::domain {
namespace {

TEST(PrivacyNotice, SaysTheControllerTheDurationTheRightsAndWhereToComplain) {
  PrivacyNoticeFacts f;
  f.head.name = "Équipe mobile numérique — Cergy";
  f.head.privacy_contact = "dpo@valdoise.example";
  f.controller = "le Département du Val-d’Oise";
  f.gender = "homme";
  f.first_names = "Karim";
  f.last_name = "Haddad";
  f.address_line = "4 allée des Pâtis";
  f.postal_code = "95000";
  f.city = "Cergy";
  f.retention_months = 24;
  f.today = paris::FromLocal({2026, 12, 2}, 9, 0);
  const LetterText t = ComposePrivacyNotice(f);
  EXPECT_EQ(t.recipient_lines.front(), "Monsieur Karim HADDAD");
  EXPECT_EQ(t.subject, "Vos informations personnelles et vos droits");
  const std::string all = AllText(t);
  for (const char* expected :
       {"Le responsable de ces informations est le Département du Val-d’Oise.",
        "Nous gardons vos informations 2 ans après notre dernier contact avec vous.",
        "Nous ne notons jamais vos mots de passe.", "Vous pouvez les faire corriger.",
        "Nous vous répondons dans un délai d’un mois.",
        "Demandez-le à l’équipe qui vous aide, ou ici : dpo@valdoise.example.",
        "Par Internet : www.cnil.fr."}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected;
  }
  f.retention_months = 18;
  f.head.privacy_contact.clear();
  const std::string other = ComposePrivacyNotice(f).blocks[4].lines[0];
  EXPECT_EQ(other, "Nous gardons vos informations 18 mois après notre dernier contact avec vous.");
  EXPECT_EQ(MonthsInWords(12), "1 an");
}

}  // namespace
}  // namespace allervers::domain
