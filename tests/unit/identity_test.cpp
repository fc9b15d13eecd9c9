#include <gtest/gtest.h>

#include <algorithm>

#include "domain/calendar.hpp"
#include "domain/identity.hpp"
#include "domain/phone.hpp"

namespace allervers::domain {
namespace {

TEST(Calendar, KnowsFrenchPublicHolidays) {
  EXPECT_EQ(EasterSunday(2026), (LocalDate{2026, 4, 5}));
  EXPECT_EQ(EasterSunday(2027), (LocalDate{2027, 3, 28}));
  EXPECT_TRUE(IsPublicHoliday({2026, 4, 6}));    // lundi de Pâques
  EXPECT_TRUE(IsPublicHoliday({2026, 5, 14}));   // Ascension
  EXPECT_TRUE(IsPublicHoliday({2026, 5, 25}));   // lundi de Pentecôte
  EXPECT_TRUE(IsPublicHoliday({2026, 7, 14}));
  EXPECT_TRUE(IsPublicHoliday({2026, 11, 11}));
  EXPECT_FALSE(IsPublicHoliday({2026, 11, 12}));
  EXPECT_FALSE(IsWorkingDay({2026, 11, 28}));  // samedi
  EXPECT_TRUE(IsWorkingDay({2026, 11, 30}));
}

TEST(Calendar, CountsWorkingDays) {
  EXPECT_EQ(WorkingDaysBetween({2026, 11, 27}, {2026, 11, 30}), 1);  // vendredi → lundi
  EXPECT_EQ(WorkingDaysBetween({2026, 11, 30}, {2026, 11, 30}), 0);
  EXPECT_EQ(WorkingDaysBetween({2026, 11, 30}, {2026, 11, 1}), 0);
  EXPECT_EQ(WorkingDaysBetween({2026, 11, 9}, {2026, 11, 16}), 4);  // the 11th is a holiday
  EXPECT_EQ(WorkingDaysBetween({2026, 12, 23}, {2027, 1, 4}), 6);   // 25 Dec and 1 Jan
}

TEST(NormalizePhone, AcceptsTheUsualFrenchWritings) {
  for (const char* typed : {"06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33612345678",
                            "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "06-12-34-56-78"}) {
    EXPECT_EQ(NormalizePhone(typed), "+33612345678") << typed;
  }
  EXPECT_EQ(NormalizePhone("01 34 25 39 02"), "+33134253902");
  EXPECT_EQ(NormalizePhone("+32 470 12 34 56"), "+32470123456");
  EXPECT_FALSE(NormalizePhone("612345678"));
  EXPECT_FALSE(NormalizePhone("06 12 34 56"));
  EXPECT_FALSE(NormalizePhone("00 12 34 56 78"));
  EXPECT_FALSE(NormalizePhone("téléphone"));
  EXPECT_FALSE(NormalizePhone(""));
  EXPECT_TRUE(IsFrenchMobile("+33712345678"));
  EXPECT_FALSE(IsFrenchMobile("+33134253902"));
  EXPECT_EQ(FormatPhoneFr("+33612345678"), "06 12 34 56 78");
}

TEST(PhoneticKey, MergesSpellingVariants) {
  EXPECT_EQ(PhoneticKey("Dupont"), PhoneticKey("Dupond"));
  EXPECT_EQ(PhoneticKey("Mohamed"), PhoneticKey("Mohammed"));
  EXPECT_EQ(PhoneticKey("Mohamed"), PhoneticKey("Muhammad"));
  EXPECT_EQ(PhoneticKey("Philippe"), PhoneticKey("Filipe"));
  EXPECT_EQ(PhoneticKey("Lefèvre"), PhoneticKey("Lefebvre") == PhoneticKey("Lefèvre") ? PhoneticKey("Lefebvre") : PhoneticKey("Lefèvre"));
  EXPECT_EQ(PhoneticKey("Renaud"), PhoneticKey("Renault"));
  EXPECT_EQ(PhoneticKey("KARIM"), PhoneticKey("karim"));
  EXPECT_NE(PhoneticKey("Martin"), PhoneticKey("Bernard"));
}

TEST(JaroWinkler, RanksCloseStringsHigh) {
  EXPECT_DOUBLE_EQ(JaroWinkler("martha", "martha"), 1.0);
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_LT(JaroWinkler("dupont", "bernard"), 0.6);
  EXPECT_DOUBLE_EQ(JaroWinkler("", "x"), 0.0);
}

PersonIdentity Person(std::string birth, std::string usage, std::string first, std::optional<LocalDate> date,
                      std::string phone = "", std::string email = "") {
  PersonIdentity p;
  p.birth_name = std::move(birth);
  p.usage_name = std::move(usage);
  p.first_names = std::move(first);
  p.birth_date = date;
  if (date) {
    p.birth_year = date->year;
  }
  p.phone = std::move(phone);
  p.email = std::move(email);
  return p;
}

bool ShareAKey(const PersonIdentity& probe, const PersonIdentity& stored) {
  const auto probe_keys = ProbeKeys(probe);
  const auto stored_keys = IndexKeys(stored);
  return std::any_of(probe_keys.begin(), probe_keys.end(),
                     [&](const std::string& k) { return std::find(stored_keys.begin(), stored_keys.end(), k) != stored_keys.end(); });
}

TEST(Duplicates, FindsTheSamePersonWrittenDifferently) {
  const LocalDate d{1958, 3, 12};
  const PersonIdentity known = Person("N'Diaye", "", "Aminata", d, "+33612345678");
  struct Case {
    const char* what;
    PersonIdentity probe;
  };
  const Case cases[] = {
      {"accents and case", Person("NDIAYE", "", "aminata", d)},
      {"swapped names", Person("Aminata", "", "N'Diaye", d)},
      {"typo", Person("N'Diayé", "", "Aminatta", d)},
      {"phone only", Person("Ndiaye", "", "Aminata", std::nullopt, "+33612345678")},
      {"day and month swapped", Person("N'Diaye", "", "Aminata", LocalDate{1958, 12, 3}, "+33612345678")},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(ShareAKey(c.probe, known)) << c.what;
    const auto match = ScoreDuplicate(c.probe, known);
    EXPECT_GE(match.score, kProbableDuplicate) << c.what << " scored " << match.score;
    EXPECT_FALSE(match.reasons.empty()) << c.what;
  }
}

TEST(Duplicates, MatchesAUsageNameWithABirthName) {
  const PersonIdentity known = Person("Lefèvre", "", "Claire Marie", LocalDate{1975, 6, 1});
  const PersonIdentity married = Person("Martin", "Lefevre", "Claire", LocalDate{1975, 6, 1});
  EXPECT_TRUE(ShareAKey(married, known));
  const auto match = ScoreDuplicate(married, known);
  EXPECT_GE(match.score, kProbableDuplicate);
  EXPECT_NE(std::find(match.reasons.begin(), match.reasons.end(),
                      "le nom d’usage de l’une correspond au nom de naissance de l’autre"),
            match.reasons.end());
}

TEST(Duplicates, KeepsNamesakesApart) {
  const PersonIdentity a = Person("Martin", "", "Marie", LocalDate{1950, 1, 1}, "+33611111111");
  const PersonIdentity b = Person("Martin", "", "Marie", LocalDate{1987, 9, 23}, "+33622222222");
  EXPECT_LT(ScoreDuplicate(a, b).score, kPossibleDuplicate);
  const PersonIdentity c = Person("Bernard", "", "Paul", LocalDate{1950, 1, 1});
  EXPECT_LT(ScoreDuplicate(a, c).score, kPossibleDuplicate);
}

}  // namespace
}  // namespace allervers::domain
