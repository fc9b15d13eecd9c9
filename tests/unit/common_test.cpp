#include <gtest/gtest.h>

#include "common/csv.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"

namespace allervers {
namespace {

TEST(Trim, RemovesAsciiAndUnicodeSpaces) {
  EXPECT_EQ(text::Trim("  Dupont \t\n"), "Dupont");
  EXPECT_EQ(text::Trim("\u00A0\u202FÉlodie\u00A0"), "Élodie");
  EXPECT_EQ(text::Trim("   "), "");
  EXPECT_EQ(text::Trim(""), "");
}

TEST(FoldForSearch, IgnoresAccentsCasePunctuationAndScript) {
  EXPECT_EQ(text::FoldForSearch("Élodie  N'Diaye-Bâ"), "elodie n diaye ba");
  EXPECT_EQ(text::FoldForSearch("ÇA GÈRE"), "ca gere");
  EXPECT_EQ(text::FoldForSearch("Œuvre"), "oeuvre");
  EXPECT_EQ(text::FoldForSearch("Nguyễn"), "nguyen");
  EXPECT_EQ(text::FoldForSearch("Иванов"), "ivanov");
}

TEST(IsValidUtf8, RejectsMalformedSequences) {
  EXPECT_TRUE(text::IsValidUtf8("Aïcha Diallo"));
  EXPECT_FALSE(text::IsValidUtf8(std::string("caf\xE9", 4)));       // Windows-1252 é
  EXPECT_FALSE(text::IsValidUtf8(std::string("\xC0\xAF", 2)));      // overlong '/'
  EXPECT_FALSE(text::IsValidUtf8(std::string("\xED\xA0\x80", 3)));  // surrogate
}

TEST(HasControlCharacters, AllowsTabsAndNewlinesOnly) {
  EXPECT_FALSE(text::HasControlCharacters("ligne 1\nligne 2\tfin\r"));
  EXPECT_TRUE(text::HasControlCharacters(std::string("nul\0", 4)));
  EXPECT_TRUE(text::HasControlCharacters("bell\a"));
  EXPECT_TRUE(text::HasControlCharacters("c1\u0085"));
}

TEST(CodePointCount, CountsCharactersNotBytes) {
  EXPECT_EQ(text::CodePointCount("Élodie"), 6u);
  EXPECT_EQ(text::CodePointCount(""), 0u);
}

TEST(ToNfc, ComposesDecomposedAccents) { EXPECT_EQ(text::ToNfc("E\u0301lodie"), "\u00C9lodie"); }

TEST(ParseIsoDate, AcceptsRealDatesOnly) {
  EXPECT_EQ(ParseIsoDate("2024-02-29"), (LocalDate{2024, 2, 29}));
  EXPECT_FALSE(ParseIsoDate("2023-02-29"));
  EXPECT_FALSE(ParseIsoDate("2026-13-01"));
  EXPECT_FALSE(ParseIsoDate("2026-1-01"));
  EXPECT_FALSE(ParseIsoDate("28/11/2026"));
  EXPECT_FALSE(ParseIsoDate(""));
}

TEST(Paris, ConvertsWallClockAcrossDaylightSaving) {
  // Winter: UTC+1.
  EXPECT_EQ(ToEpoch(paris::FromLocal({2026, 1, 15}, 10, 0)), 1768467600);
  // Summer: UTC+2.
  EXPECT_EQ(ToEpoch(paris::FromLocal({2026, 7, 15}, 10, 0)), 1784102400);
  // 29 March 2026, 02:30 does not exist in Paris: it moves to 03:30 summer time (01:30 UTC).
  const Instant skipped = paris::FromLocal({2026, 3, 29}, 2, 30);
  EXPECT_EQ(ToEpoch(skipped), 1774747800);
  EXPECT_EQ(paris::ToLocal(skipped).hour, 3);
  // 25 October 2026, 02:30 happens twice: the first one, summer time (00:30 UTC).
  EXPECT_EQ(ToEpoch(paris::FromLocal({2026, 10, 25}, 2, 30)), 1792888200);
  // Round trip of an ordinary time.
  const auto local = paris::ToLocal(paris::FromLocal({2026, 11, 28}, 14, 30));
  EXPECT_EQ(local.date, (LocalDate{2026, 11, 28}));
  EXPECT_EQ(local.hour, 14);
  EXPECT_EQ(local.minute, 30);
  EXPECT_EQ(local.weekday, 6);
}

TEST(Paris, FormatsInFrench) {
  const Instant t = paris::FromLocal({2026, 11, 28}, 14, 30);
  EXPECT_EQ(paris::FormatDate(t), "28/11/2026");
  EXPECT_EQ(paris::FormatTime(t), "14 h 30");
  EXPECT_EQ(paris::FormatTime(paris::FromLocal({2026, 11, 28}, 9, 0)), "9 h");
  EXPECT_EQ(paris::FormatDateTime(t), "28/11/2026 à 14 h 30");
  EXPECT_EQ(paris::FormatLongDate(t), "samedi 28 novembre 2026");
  EXPECT_EQ(paris::FormatLongDate(LocalDate{2026, 12, 1}), "mardi 1er décembre 2026");
}

TEST(CalendarArithmetic, AddsAndCountsDays) {
  EXPECT_EQ(AddDays({2026, 2, 27}, 2), (LocalDate{2026, 3, 1}));
  EXPECT_EQ(DaysBetween({2026, 1, 1}, {2026, 12, 31}), 364);
  EXPECT_EQ(Weekday({2026, 11, 30}), 1);
}

TEST(CalendarArithmetic, AddsMonthsKeepingTheDayOrTheMonthsEnd) {
  EXPECT_EQ(AddMonths({2026, 11, 29}, -24), (LocalDate{2024, 11, 29}));
  EXPECT_EQ(AddMonths({2026, 8, 31}, -6), (LocalDate{2026, 2, 28}));
  EXPECT_EQ(AddMonths({2028, 8, 31}, -6), (LocalDate{2028, 2, 29}));
  EXPECT_EQ(AddMonths({2026, 1, 31}, 1), (LocalDate{2026, 2, 28}));
  EXPECT_EQ(AddMonths({2026, 12, 15}, 1), (LocalDate{2027, 1, 15}));
}

TEST(Error, KeepsPublicMessageApartFromDetail) {
  const Error e(ErrorCode::kConflict, "Déjà utilisé", "UNIQUE constraint failed: app_user.email");
  EXPECT_EQ(e.public_message(), "Déjà utilisé");
  EXPECT_STREQ(e.what(), "UNIQUE constraint failed: app_user.email");
  EXPECT_EQ(ErrorCodeName(e.code()), "conflict");
}

TEST(CsvFieldTest, SpreadsheetFormulasAreNeutralisedAndSeparatorsQuoted) {
  EXPECT_EQ(csv::Field("Cergy", ';'), "Cergy");
  EXPECT_EQ(csv::Field("=HYPERLINK(\"x\")", ';'), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv::Field("+33 6", ';'), "'+33 6");
  EXPECT_EQ(csv::Field("@SUM(A1)", ';'), "'@SUM(A1)");
  EXPECT_EQ(csv::Field("-", ';'), "'-");
  EXPECT_EQ(csv::Field("-3,5", ';'), "-3,5");  // a number stays a number
  EXPECT_EQ(csv::Field("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(csv::Field("ligne\nsuivante", ';'), "\"ligne\nsuivante\"");
  EXPECT_EQ(csv::Field("", ';'), "");
}

}  // namespace
}  // namespace allervers
