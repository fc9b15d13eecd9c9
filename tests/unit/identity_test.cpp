#include "domain/identity.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "domain/calendar.hpp"
#include "domain/phone.hpp"

namespace allervers::domain {
namespace {

TEST(Calendar, KnowsFrenchPublicHolidays) {
  EXPECT_EQ(EasterSunday(2026), (LocalDate{2026, 4, 5}));
  EXPECT_EQ(EasterSunday(2027), (LocalDate{2027, 3, 28}));
  EXPECT_TRUE(IsPublicHoliday({2026, 4, 6}));   // lundi de Pâques
  EXPECT_TRUE(IsPublicHoliday({2026, 5, 14}));  // Ascension
  EXPECT_TRUE(IsPublicHoliday({2026, 5, 25}));  // lundi de Pentecôte
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
  for (const char* typed :
       {"06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33612345678",
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
  EXPECT_EQ(PhoneticKey("Lefèvre"), PhoneticKey("Lefebvre"));
  EXPECT_EQ(PhoneticKey("Renaud"), PhoneticKey("Renault"));
  EXPECT_EQ(PhoneticKey("KARIM"), PhoneticKey("karim"));
  EXPECT_NE(PhoneticKey("Martin"), PhoneticKey("Bernard"));
}

TEST(PhoneticKey, MergesVariantsOfNamesFromEverywhere) {
  for (const char* v : {"Mohammed", "Muhammad", "Mouhamed", "MOHAMED"}) {
    EXPECT_EQ(PhoneticKey(v), PhoneticKey("Mohamed")) << v;
  }
  EXPECT_EQ(PhoneticKey("N'Diaye"), PhoneticKey("Ndiaye"));
  EXPECT_EQ(PhoneticKey("Le Goff"), PhoneticKey("Legoff"));
  EXPECT_EQ(PhoneticKey("Ben Ali"), PhoneticKey("Benali"));
  EXPECT_EQ(PhoneticKey("Yılmaz"), PhoneticKey("Yilmaz"));
  EXPECT_EQ(PhoneticKey("Nguyễn"), PhoneticKey("NGUYEN"));
  EXPECT_EQ(PhoneticKey("Legros"), PhoneticKey("Legro"));
  EXPECT_EQ(PhoneticKey("Devaux"), PhoneticKey("Devau"));
  EXPECT_EQ(PhoneticKey("Chevchenko"), PhoneticKey("Shevchenko"));
  EXPECT_EQ(PhoneticKey("Yacine"), PhoneticKey("Yassine"));
  // Pronounced endings are kept: these are other families.
  EXPECT_NE(PhoneticKey("Martin"), PhoneticKey("Martinez"));
  EXPECT_NE(PhoneticKey("Gomes"), PhoneticKey("Gome"));
  EXPECT_EQ(PhoneticKey(""), "");
  EXPECT_EQ(PhoneticKey("-"), "");
}

TEST(JaroWinkler, RanksCloseStringsHigh) {
  EXPECT_DOUBLE_EQ(JaroWinkler("martha", "martha"), 1.0);
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_LT(JaroWinkler("dupont", "bernard"), 0.6);
  EXPECT_DOUBLE_EQ(JaroWinkler("", "x"), 0.0);
}

PersonIdentity Person(std::string birth, std::string usage, std::string first,
                      std::optional<LocalDate> date, std::string phone = "",
                      std::string email = "") {
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
  return std::any_of(probe_keys.begin(), probe_keys.end(), [&](const std::string& k) {
    return std::find(stored_keys.begin(), stored_keys.end(), k) != stored_keys.end();
  });
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
      {"day and month swapped",
       Person("N'Diaye", "", "Aminata", LocalDate{1958, 12, 3}, "+33612345678")},
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

TEST(Duplicates, FindsEachKindOfAlteration) {
  const LocalDate d{1958, 3, 12};
  struct Case {
    const char* what;
    PersonIdentity known;
    PersonIdentity probe;
    const char* reason;  // expected among the reasons, or nullptr
  };
  auto with_postal = [](PersonIdentity p) {
    p.postal_code = "95000";
    return p;
  };
  auto year_only = [](PersonIdentity p) {
    p.birth_year = p.birth_date->year;
    p.birth_date.reset();
    return p;
  };
  const Case cases[] = {
      {"accents dropped", Person("Lefèvre", "", "Hélène", d), Person("Lefevre", "", "Helene", d),
       "mêmes nom et prénom"},
      {"upper case", Person("Lefèvre", "", "Hélène", d), Person("LEFÈVRE", "", "HÉLÈNE", d),
       "mêmes nom et prénom"},
      {"hyphens typed as spaces", Person("Martin-Leroy", "", "Jean-Pierre", d),
       Person("Martin Leroy", "", "Jean Pierre", d), "mêmes nom et prénoms"},
      {"apostrophe dropped", Person("N'Diaye", "", "Aminata", d),
       Person("NDiaye", "", "Aminata", d), "mêmes nom et prénom"},
      {"typographic apostrophe", Person("N'Diaye", "", "Aminata", d),
       Person("N’Diaye", "", "Aminata", d), "mêmes nom et prénom"},
      {"particle glued", Person("Le Goff", "", "Yann", d), Person("Legoff", "", "Yann", d),
       "mêmes nom et prénom"},
      {"particle dropped", Person("De Oliveira", "", "Manuel", d),
       Person("Oliveira", "", "Manuel", d), "même nom, à la particule près"},
      {"one part of a compound name", Person("Ferreira da Silva", "", "Maria", d),
       Person("Da Silva", "", "Maria", d), "nom composé en partie identique"},
      {"typo in the family name", Person("Coulibaly", "", "Seydou", d),
       Person("Coulibali", "", "Seydou", d), "nom proche (faute de frappe ou autre orthographe)"},
      {"typo in the given name", Person("Traoré", "", "Aminata", d),
       Person("Traoré", "", "Aminta", d), "prénom proche (faute de frappe ou autre orthographe)"},
      {"letters transposed", Person("Dubois", "", "Martha", d), Person("Dubois", "", "Marhta", d),
       "prénom proche (faute de frappe ou autre orthographe)"},
      {"spelling variant", Person("Benali", "", "Mohamed", d), Person("Benali", "", "Muhammad", d),
       "prénom proche (faute de frappe ou autre orthographe)"},
      {"names swapped", Person("Kowalski", "", "Piotr", d), Person("Piotr", "", "Kowalski", d),
       "mêmes nom et prénom, saisis inversés"},
      {"usage name typed as the name", Person("Diallo", "Traoré", "Fatoumata", d),
       Person("Traoré", "", "Fatoumata", d),
       "le nom d’usage de l’une correspond au nom de naissance de l’autre"},
      {"first given name only", Person("Moreau", "", "Marie Claire Louise", d),
       Person("Moreau", "", "Marie", d),
       "premier prénom identique, autres prénoms absents d’une fiche"},
      {"usual given name only", Person("Moreau", "", "Marie Claire", d),
       Person("Moreau", "", "Claire", d), "le prénom de l’une est un autre prénom de l’autre"},
      {"Vietnamese middle name left out", Person("Nguyễn", "", "Thị Lan", d),
       Person("Nguyen", "", "Lan", d), "mêmes nom et prénom"},
      {"phone written differently, no date", Person("Haddad", "", "Karim", d, "+33612345678"),
       Person("Haddad", "", "Karim", std::nullopt, NormalizePhone("06.12.34.56.78").value_or("")),
       "même numéro de téléphone"},
      {"phone as +33 6", Person("Haddad", "", "Karim", d, "+33612345678"),
       Person("Haddad", "", "Karim", std::nullopt,
              NormalizePhone("+33 6 12 34 56 78").value_or("")),
       "même numéro de téléphone"},
      {"birth year only, same postal code", with_postal(Person("Petit", "", "Louis", d)),
       with_postal(year_only(Person("Petit", "", "Louis", d))),
       "même année de naissance (date complète inconnue sur une fiche)"},
      {"day and month swapped", Person("Petit", "", "Louis", d),
       Person("Petit", "", "Louis", LocalDate{1958, 12, 3}),
       "même date de naissance, jour et mois inversés"},
      {"one digit of the date, same phone", Person("Petit", "", "Louis", d, "+33612345678"),
       Person("Petit", "", "Louis", LocalDate{1958, 3, 13}, "+33612345678"),
       "dates de naissance à un chiffre près"},
      {"e-mail and phone missing",
       Person("Petit", "", "Louis", d, "+33612345678", "louis.petit@free.fr"),
       Person("Petit", "", "Louis", d), "même date de naissance"},
      {"married name unknown, same phone", Person("Diallo", "", "Aminata", d, "+33612345678"),
       Person("Traoré", "", "Aminata", d, "+33612345678"),
       "nom différent (nom d’usage non renseigné ?)"},
      {"several at once", Person("N'Diaye", "", "Aminata Fatou", d),
       Person("AMINATA", "", "NDIAYE", LocalDate{1958, 12, 3}), "nom et prénom saisis inversés"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(ShareAKey(c.probe, c.known)) << c.what;
    const auto match = ScoreDuplicate(c.probe, c.known);
    EXPECT_GE(match.score, kProbableDuplicate) << c.what << " scored " << match.score;
    if (c.reason != nullptr) {
      EXPECT_NE(std::find(match.reasons.begin(), match.reasons.end(), c.reason),
                match.reasons.end())
          << c.what << ": no « " << c.reason << " »";
    }
  }
}

TEST(Duplicates, ShowsWeakerEvidenceAsPossibleOnly) {
  const LocalDate d{1958, 3, 12};
  // A married name the stored record does not know: same given name and birth date only.
  const auto married =
      ScoreDuplicate(Person("Traoré", "", "Aminata", d), Person("Diallo", "", "Aminata", d));
  EXPECT_GE(married.score, kPossibleDuplicate);
  EXPECT_LT(married.score, kProbableDuplicate);
  // Same names, no birth date on one record, nothing else: a namesake is as likely.
  const auto no_date = ScoreDuplicate(Person("Benali", "", "Mohamed", std::nullopt),
                                      Person("Benali", "", "Mohamed", d));
  EXPECT_GE(no_date.score, kPossibleDuplicate);
  EXPECT_LT(no_date.score, kProbableDuplicate);
}

TEST(Duplicates, ScoresSymmetrically) {
  const LocalDate d{1958, 3, 12};
  const PersonIdentity a = Person("N'Diaye", "", "Aminata", d, "+33612345678");
  for (const auto& b :
       {Person("Aminata", "", "NDIAYE", d), Person("Traoré", "N'Diaye", "Aminata Fatou", d),
        Person("Ndiay", "", "Aminata", std::nullopt, "+33612345678")}) {
    EXPECT_DOUBLE_EQ(ScoreDuplicate(a, b).score, ScoreDuplicate(b, a).score) << b.birth_name;
  }
}

TEST(DuplicatesBlocking, KeepsAtMostEightKeysPerPerson) {
  const PersonIdentity full = Person("Martin-Leroy", "Dupont", "Jean-Pierre Marie",
                                     LocalDate{1958, 3, 12}, "+33612345678", "jp.martin@orange.fr");
  const auto keys = IndexKeys(full);
  EXPECT_LE(keys.size(), 8u);
  EXPECT_NE(std::find(keys.begin(), keys.end(), "p:+33612345678"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "e:jp.martin@orange.fr"), keys.end());
  EXPECT_TRUE(IndexKeys(PersonIdentity{}).empty());
}

TEST(DuplicatesBlocking, FindsRecordsWithMissingBirthData) {
  const LocalDate d{1958, 3, 12};
  PersonIdentity year_only = Person("Petit", "", "Louis", std::nullopt);
  year_only.birth_year = 1958;
  const PersonIdentity full = Person("Petit", "", "Louis", d);
  const PersonIdentity none = Person("Petit", "", "Louis", std::nullopt);
  EXPECT_TRUE(ShareAKey(year_only, full));
  EXPECT_TRUE(ShareAKey(full, year_only));
  EXPECT_TRUE(ShareAKey(full, none)) << "a stored person without birth date";
  EXPECT_TRUE(ShareAKey(none, full)) << "a probe without birth date";
  // A usage name the stored record does not know: found by the given name and the birth date.
  EXPECT_TRUE(ShareAKey(Person("Traoré", "", "Aminata", d), Person("Diallo", "", "Aminata", d)));
}

TEST(DuplicatesBlocking, DoesNotGatherEveryNamesake) {
  // Dated keys: two Marie Martin born years apart share no key unless they share a contact.
  EXPECT_FALSE(ShareAKey(Person("Martin", "", "Marie", LocalDate{1950, 1, 1}),
                         Person("Martin", "", "Marie", LocalDate{1987, 9, 23})));
}

TEST(Duplicates, KeepsFamilyMembersApart) {
  const LocalDate d{1997, 2, 24};
  auto home = [](PersonIdentity p) {
    p.phone = "+33134253902";
    p.postal_code = "95000";
    return p;
  };
  struct Case {
    const char* what;
    PersonIdentity a;
    PersonIdentity b;
  };
  const Case below_possible[] = {
      {"twins", home(Person("Lévêque", "", "Sarah", d)), home(Person("Lévêque", "", "Lola", d))},
      {"twins Louis and Louise", home(Person("Petit", "", "Louis", d)),
       home(Person("Petit", "", "Louise", d))},
      {"twins Linh and Minh", home(Person("Nguyễn", "", "Thị Linh", d)),
       home(Person("Nguyễn", "", "Thị Minh", d))},
      {"twin sister and brother", home(Person("Trần", "", "Thị Hương", d)),
       home(Person("Trần", "", "Văn Hùng", d))},
      {"spouses", home(Person("Fanet", "", "Jean-Claude", LocalDate{1938, 4, 15})),
       home(Person("Pelnot", "Fanet", "Jeanne", LocalDate{1940, 2, 3}))},
      {"father and son of the same names",
       home(Person("Martin", "", "Jean", LocalDate{1950, 6, 1})),
       home(Person("Martin", "", "Jean", LocalDate{1979, 11, 30}))},
  };
  for (const auto& c : below_possible) {
    EXPECT_LT(ScoreDuplicate(c.a, c.b).score, kPossibleDuplicate) << c.what;
  }
  // Jean-Pierre and Jean-Claude share a first token: at most worth a look.
  EXPECT_LT(ScoreDuplicate(home(Person("Roux", "", "Jean-Pierre", d)),
                           home(Person("Roux", "", "Jean-Claude", d)))
                .score,
            kProbableDuplicate);
}

TEST(Duplicates, KeepsNamesakesApart) {
  const PersonIdentity a = Person("Martin", "", "Marie", LocalDate{1950, 1, 1}, "+33611111111");
  const PersonIdentity b = Person("Martin", "", "Marie", LocalDate{1987, 9, 23}, "+33622222222");
  EXPECT_LT(ScoreDuplicate(a, b).score, kPossibleDuplicate);
  const PersonIdentity c = Person("Bernard", "", "Paul", LocalDate{1950, 1, 1});
  EXPECT_LT(ScoreDuplicate(a, c).score, kPossibleDuplicate);
  // Born the same year, one record with the year only, living elsewhere: worth a look at most.
  PersonIdentity year_only = Person("Martin", "", "Marie", std::nullopt);
  year_only.birth_year = 1950;
  year_only.postal_code = "95300";
  PersonIdentity dated = a;
  dated.postal_code = "95000";
  EXPECT_LT(ScoreDuplicate(year_only, dated).score, kProbableDuplicate);
}

}  // namespace
}  // namespace allervers::domain
