#include "domain/referral.hpp"

#include <gtest/gtest.h>

#include "common/csv.hpp"
#include "storage/reference_loader.hpp"
#include "support/test_db.hpp"

namespace allervers::domain {
namespace {

const ReferenceData& Ref() {
  static const ReferenceData ref = storage::LoadReferenceData(testing::SourceDir() / "data");
  return ref;
}

constexpr LocalDate kToday{2026, 11, 28};

ReferralInput Valid() {
  ReferralInput in;
  in.referrer_name = "Nadia Ouedraogo";
  in.referrer_email = "as.cergy@ssd95.example";
  in.last_name = "Camara";
  in.first_names = "Fatoumata";
  in.birth_date = "1961-04-17";
  in.phone = "06 12 45 78 90";
  in.address_line = "12 rue de l’Abondance";
  in.postal_code = "95000";
  in.city = "Cergy";
  in.procedures = {"CAF-RSA"};
  in.urgency = "1";
  in.consent_given = true;
  in.consent_date = "2026-11-27";
  in.consent_how = "oral";
  return in;
}

std::vector<std::string> Fields(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    out.push_back(e.field);
  }
  return out;
}

bool Has(const FieldErrors& errors, const std::string& field) {
  const auto f = Fields(errors);
  return std::find(f.begin(), f.end(), field) != f.end();
}

TEST(ValidateReferral, AcceptsAndNormalisesAValidReferral) {
  ReferralData out;
  ReferralInput in = Valid();
  in.email = " Fatou.Camara@Exemple.FR ";
  in.procedures = {"CAF-RSA", "CPAM-C2S", "CAF-RSA"};
  const auto errors = ValidateReferral(in, Ref(), kToday, out);
  ASSERT_TRUE(errors.empty()) << errors[0].field << ": " << errors[0].message;
  EXPECT_EQ(out.person.phone, "+33612457890");
  EXPECT_EQ(out.person.email, "fatou.camara@exemple.fr");
  EXPECT_EQ(out.person.birth_year, 1961);
  EXPECT_EQ(out.procedures, (std::vector<std::string>{"CAF-RSA", "CPAM-C2S"}))
      << "duplicates dropped";
  EXPECT_EQ(out.consent_date, (LocalDate{2026, 11, 27}));
}

TEST(ValidateReferral, ConsentIsRequired) {
  ReferralData out;
  ReferralInput in = Valid();
  in.consent_given = false;
  in.consent_date = "";
  in.consent_how = "par télépathie";
  const auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "consent.given"));
  EXPECT_TRUE(Has(errors, "consent.date"));
  EXPECT_TRUE(Has(errors, "consent.how"));
}

TEST(ValidateReferral, RefusesImpossibleOrFutureDates) {
  ReferralData out;
  ReferralInput in = Valid();
  in.birth_date = "1961-02-30";
  in.consent_date = "2026-12-01";
  auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "person.birth_date"));
  EXPECT_TRUE(Has(errors, "consent.date"));
  in = Valid();
  in.birth_date = "2030-01-01";
  EXPECT_TRUE(Has(ValidateReferral(in, Ref(), kToday, out), "person.birth_date"));
  in = Valid();
  in.birth_date = "";
  in.birth_year = "1850";
  EXPECT_TRUE(Has(ValidateReferral(in, Ref(), kToday, out), "person.birth_year"));
  in.birth_year = "mil neuf cent";
  EXPECT_TRUE(Has(ValidateReferral(in, Ref(), kToday, out), "person.birth_year"));
  in = Valid();
  in.consent_date = "2025-01-01";
  EXPECT_TRUE(Has(ValidateReferral(in, Ref(), kToday, out), "consent.date"))
      << "consent older than a year";
}

TEST(ValidateReferral, ChecksCodesAgainstTheCatalogue) {
  ReferralData out;
  ReferralInput in = Valid();
  in.procedures = {"CAF-RSA", "XYZ-999"};
  in.presumed_rights = {"ANTS-CNI"};  // exists, but opens no right
  in.contact_preferences = {"pigeon"};
  in.language = "klingon";
  const auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "reasons.procedures"));
  EXPECT_TRUE(Has(errors, "reasons.presumed_unclaimed_rights"));
  EXPECT_TRUE(Has(errors, "person.contact_preferences"));
  EXPECT_TRUE(Has(errors, "person.language"));
}

TEST(ValidateReferral, NeedsAWayToReachThePersonAndAReason) {
  ReferralData out;
  ReferralInput in = Valid();
  in.phone = "";
  in.address_line = "";
  in.procedures = {};
  in.reason = "";
  const auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "person.phone"));
  EXPECT_TRUE(Has(errors, "reasons.procedures"));
}

TEST(ValidateReferral, ChecksPostalCodePhoneAndUrgency) {
  ReferralData out;
  ReferralInput in = Valid();
  in.postal_code = "9500";
  in.phone = "12";
  in.urgency = "4";
  auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "person.address.postal_code"));
  EXPECT_TRUE(Has(errors, "person.phone"));
  EXPECT_TRUE(Has(errors, "urgency"));
  in = Valid();
  in.urgency = "3";
  in.urgency_reason = "";
  EXPECT_TRUE(Has(ValidateReferral(in, Ref(), kToday, out), "urgency_reason"));
  in.postal_code = "95 000";
  in.urgency_reason = "Droits coupés";
  EXPECT_TRUE(ValidateReferral(in, Ref(), kToday, out).empty());
  EXPECT_EQ(out.person.postal_code, "95000");
}

TEST(ValidateReferral, RefusesControlCharactersAndOverlongText) {
  ReferralData out;
  ReferralInput in = Valid();
  in.last_name = std::string("Cam\x01ra");
  in.reason = std::string(4001, 'x');
  in.first_names = std::string("\xff\xfe", 2);
  const auto errors = ValidateReferral(in, Ref(), kToday, out);
  EXPECT_TRUE(Has(errors, "person.last_name"));
  EXPECT_TRUE(Has(errors, "reasons.motive"));
  EXPECT_TRUE(Has(errors, "person.first_name"));
}

TEST(StatusMachine, AllowsTheJourneyAndRefusesShortcuts) {
  using S = ReferralStatus;
  EXPECT_TRUE(CanTransition(S::kDraft, S::kReceived));
  EXPECT_TRUE(CanTransition(S::kReceived, S::kAccepted));
  EXPECT_TRUE(CanTransition(S::kReceived, S::kNotReceivable));
  EXPECT_TRUE(CanTransition(S::kReceived, S::kRedirected));
  EXPECT_TRUE(CanTransition(S::kReceived, S::kWithdrawn));
  EXPECT_TRUE(CanTransition(S::kAccepted, S::kContact));
  EXPECT_TRUE(CanTransition(S::kContact, S::kAppointmentSet));
  EXPECT_TRUE(CanTransition(S::kAppointmentSet, S::kInProgress));
  EXPECT_TRUE(CanTransition(S::kInProgress, S::kClosed));
  EXPECT_TRUE(CanTransition(S::kClosed, S::kInProgress)) << "reopening";
  EXPECT_FALSE(CanTransition(S::kReceived, S::kInProgress));
  EXPECT_FALSE(CanTransition(S::kReceived, S::kClosed));
  EXPECT_FALSE(CanTransition(S::kNotReceivable, S::kAccepted));
  EXPECT_FALSE(CanTransition(S::kWithdrawn, S::kReceived));
  EXPECT_FALSE(CanTransition(S::kRedirected, S::kAccepted));
  EXPECT_FALSE(CanTransition(S::kInProgress, S::kWithdrawn));
  EXPECT_FALSE(CanTransition(S::kDraft, S::kAccepted));
  for (auto s : AllStatuses()) {
    EXPECT_EQ(ParseStatus(StatusCode(s)), s);
    EXPECT_FALSE(StatusLabel(s).empty());
    EXPECT_FALSE(CanTransition(s, s)) << StatusCode(s);
  }
}

TEST(ReferralNumber, IsYearAndSequence) {
  EXPECT_EQ(FormatReferralNumber(2026, 42), "FL-2026-00042");
}

TEST(Csv, DecodesUtf8BomAndWindows1252) {
  EXPECT_EQ(csv::DecodeToUtf8("\xEF\xBB\xBFnom;pr\xC3\xA9nom").text, "nom;prénom");
  EXPECT_EQ(csv::DecodeToUtf8("\xEF\xBB\xBFnom").encoding, "UTF-8 avec BOM");
  const auto latin = csv::DecodeToUtf8("L\xE9v\xEAque;\x80;\x9C");
  EXPECT_EQ(latin.encoding, "Windows-1252");
  EXPECT_EQ(latin.text, "Lévêque;€;œ");
}

TEST(Csv, ParsesQuotesSeparatorsAndLineBreaks) {
  csv::ParseError err;
  const auto t = csv::Parse(
      "nom;motif\r\n\"Dupont; Jean\";\"Dit \"\"bonjour\"\"\nsur deux lignes\"\r\n\r\nMartin;ok",
      err);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->separator, ';');
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[1][0], "Dupont; Jean");
  EXPECT_EQ(t->rows[1][1], "Dit \"bonjour\"\nsur deux lignes");
  EXPECT_EQ(t->rows[2][0], "Martin");
  EXPECT_EQ(t->lines[2], 5) << "line numbers count the break inside quotes";
  const auto comma = csv::Parse("a,b,c\n1,2,3", err);
  ASSERT_TRUE(comma.has_value());
  EXPECT_EQ(comma->separator, ',');
  EXPECT_FALSE(csv::Parse("nom\n\"jamais fermé", err).has_value());
  EXPECT_EQ(err.line, 2);
}

}  // namespace
}  // namespace allervers::domain
