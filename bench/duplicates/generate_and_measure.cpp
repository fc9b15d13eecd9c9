// Duplicate detection benchmark: generates a synthetic population of persons living around
// Cergy (Val-d'Oise) with known duplicates and hard negatives, then measures blocking
// (IndexKeys / ProbeKeys) and scoring (ScoreDuplicate) exactly as ReferralService uses them.
//
//   cmake --build build -j2 --target bench_duplicates && build/bench/bench_duplicates
//   build/bench/bench_duplicates --persons 100000 --seed 7 --examples 3
//
// With --database URL it instead stores N persons in that database (once: a filled database is
// reused) and times ReferralService::FindCandidates, the whole check of a new referral:
//
//   build/bench/bench_duplicates --database sqlite:var/bench-1M.db --persons 1000000
//
// Everything is deterministic for a given seed (std::mt19937_64 is specified by the standard and
// we draw from it without the implementation-defined std:: distributions). See docs/duplicates.md.

#include <fmt/format.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/fictitious_names.hpp"
#include "common/text.hpp"
#include "domain/identity.hpp"
#include "domain/phone.hpp"
#include "service/referral_service.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace allervers::bench {
namespace {

using namespace allervers::names;  // NOLINT(google-build-using-namespace): the name lists

using domain::PersonIdentity;

// ---- Random numbers ------------------------------------------------------------------------

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  int Below(int n) { return static_cast<int>(engine_() % static_cast<std::uint64_t>(n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }  // inclusive

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(Below(static_cast<int>(v.size())))];
  }

  // Index drawn with the given weights.
  int Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = Unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      x -= weights[i];
      if (x < 0) {
        return static_cast<int>(i);
      }
    }
    return static_cast<int>(weights.size()) - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// ---- Text helpers --------------------------------------------------------------------------

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

// UTF-8 code points of a string, each as its byte sequence, so that typos never cut a letter.
std::vector<std::string> CodePoints(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    out.emplace_back(s.substr(i, len));
    i += len;
  }
  return out;
}

bool IsAsciiLetter(const std::string& cp) {
  return cp.size() == 1 && ((cp[0] >= 'a' && cp[0] <= 'z') || (cp[0] >= 'A' && cp[0] <= 'Z'));
}

bool IsLetter(const std::string& cp) { return IsAsciiLetter(cp) || cp.size() > 1; }

bool HasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// "Nguyễn" → "Nguyen", "Çelik" → "Celik", "Đặng" → "Dang": what a keyboard without accents gives.
std::string DropAccents(std::string_view s) {
  std::string out;
  for (const auto& cp : CodePoints(s)) {
    if (cp.size() == 1) {
      out += cp;
      continue;
    }
    std::string folded = text::FoldForSearch(cp);
    if (folded.empty()) {
      out += cp;  // punctuation such as ’
      continue;
    }
    const bool upper = text::ToUpper(cp) == cp;
    out += upper ? text::ToUpper(folded) : folded;
  }
  return out;
}

std::string Capitalize(std::string_view lower) {
  std::string s(lower);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') {
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
  }
  return s;
}

// ---- Name lists ----------------------------------------------------------------------------

// A list drawn by rank with a Zipf law: weight 1 / (rank + 2)^exponent.
class NameList {
 public:
  NameList() = default;
  NameList(std::string_view csv, double exponent) : names_(Split(csv, ',')) {
    for (std::size_t r = 0; r < names_.size(); ++r) {
      weights_.push_back(1.0 / std::pow(static_cast<double>(r) + 2.0, exponent));
    }
  }
  const std::string& Pick(Rng& rng) const {
    return names_[static_cast<std::size_t>(rng.Weighted(weights_))];
  }

 private:
  std::vector<std::string> names_;
  std::vector<double> weights_;
};

struct OriginNames {
  NameList surnames;
  NameList men;
  NameList women;
};

enum class Sex { kMale, kFemale };

class Names {
 public:
  Names() {
    // Within the common names, a Zipf law; flatter for French surnames, whose tail is longest,
    // steep for Vietnamese ones (Nguyen alone is ~40 % of them).
    origins_[Origin::kFrench] = {NameList(kFrenchSurnames, 0.5), {}, {}};
    origins_[Origin::kMaghreb] = {NameList(kMaghrebSurnames, 0.6), NameList(kMaghrebMen, 1.0),
                                  NameList(kMaghrebWomen, 1.0)};
    origins_[Origin::kWestAfrica] = {NameList(kWestAfricaSurnames, 0.7),
                                     NameList(kWestAfricaMen, 1.0),
                                     NameList(kWestAfricaWomen, 1.0)};
    origins_[Origin::kPortugal] = {NameList(kPortugalSurnames, 0.8), NameList(kPortugalMen, 1.1),
                                   NameList(kPortugalWomen, 1.1)};
    origins_[Origin::kTurkey] = {NameList(kTurkeySurnames, 0.7), NameList(kTurkeyMen, 1.0),
                                 NameList(kTurkeyWomen, 1.0)};
    origins_[Origin::kVietnam] = {NameList(kVietnamSurnames, 1.6), NameList(kVietnamMen, 0.9),
                                  NameList(kVietnamWomen, 0.9)};
    origins_[Origin::kEasternEurope] = {NameList(kEasternEuropeSurnames, 0.6),
                                        NameList(kEasternEuropeMen, 1.0),
                                        NameList(kEasternEuropeWomen, 1.0)};
    french_men_ = {NameList(kFrenchMen1930, 0.7), NameList(kFrenchMen1955, 0.7),
                   NameList(kFrenchMen1975, 0.7), NameList(kFrenchMen1995, 0.7)};
    french_women_ = {NameList(kFrenchWomen1930, 0.7), NameList(kFrenchWomen1955, 0.7),
                     NameList(kFrenchWomen1975, 0.7), NameList(kFrenchWomen1995, 0.7)};
    french_men_rare_ = Split(kFrenchMenRare, ',');
    french_women_rare_ = Split(kFrenchWomenRare, ',');
  }

  std::string Surname(Origin o, Sex sex, Rng& rng) const {
    std::string s =
        rng.Chance(TailShare(o)) ? RareSurname(o, rng) : origins_.at(o).surnames.Pick(rng);
    if (o == Origin::kEasternEurope && sex == Sex::kFemale) {
      // Polish and Russian surnames agree with the sex: Kowalski/Kowalska, Ivanov/Ivanova.
      if (s.ends_with("ski")) {
        s.back() = 'a';
      } else if (s.ends_with("ov") || s.ends_with("ev") || s.ends_with("in")) {
        s += 'a';
      }
    }
    return s;
  }

  std::string GivenName(Origin o, Sex sex, int year, Rng& rng) const {
    if (o == Origin::kFrench) {
      if (rng.Chance(0.25)) {
        return rng.Pick(sex == Sex::kMale ? french_men_rare_ : french_women_rare_);
      }
      const int cohort = year < 1950 ? 0 : year < 1970 ? 1 : year < 1990 ? 2 : 3;
      return (sex == Sex::kMale ? french_men_ : french_women_)[static_cast<std::size_t>(cohort)]
          .Pick(rng);
    }
    const auto& n = origins_.at(o);
    return (sex == Sex::kMale ? n.men : n.women).Pick(rng);
  }

 private:
  // Share of persons whose surname is not among the common ones of their origin.
  static double TailShare(Origin o) {
    switch (o) {
      case Origin::kFrench:
        return 0.85;
      case Origin::kMaghreb:
        return 0.6;
      case Origin::kWestAfrica:
        return 0.35;
      case Origin::kTurkey:
        return 0.4;
      case Origin::kEasternEurope:
        return 0.5;
      case Origin::kPortugal:
      case Origin::kVietnam:
        break;
    }
    return 0.0;
  }

  static std::string Lower(std::string s) {
    // Only the first letter of a root is upper case, and it is ASCII.
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') {
      s[0] = static_cast<char>(s[0] - 'A' + 'a');
    }
    return s;
  }

  static std::string RareSurname(Origin o, Rng& rng) {
    auto pick = [&rng](std::string_view csv) {
      const auto parts = Split(csv, ',');
      return parts[static_cast<std::size_t>(rng.Below(static_cast<int>(parts.size())))];
    };
    switch (o) {
      case Origin::kFrench:
        return pick(kFrenchSurnameStarts) + pick(kFrenchSurnameEnds);
      case Origin::kMaghreb: {
        const std::string start = pick(kMaghrebSurnameStarts);
        const std::string root = pick(kMaghrebSurnameRoots);
        if (start.empty()) {
          return rng.Chance(0.4) ? root + "i" : root;  // Kacemi, Mansouri
        }
        return start.back() == ' ' ? start + root : start + Lower(root);  // Ait Yahia, Benyahia
      }
      case Origin::kWestAfrica:
        return pick(kAfricaSyllables) + (rng.Chance(0.3) ? Lower(pick(kAfricaSyllables)) : "") +
               pick(kAfricaEnds);
      case Origin::kTurkey:
        return pick(kTurkeyRoots) + pick(kTurkeyEnds);
      case Origin::kEasternEurope:
        return pick(kEasternRoots) + pick(kEasternEnds);
      case Origin::kPortugal:
      case Origin::kVietnam:
        break;
    }
    return "Martin";
  }

  std::map<Origin, OriginNames> origins_;
  std::vector<NameList> french_men_;
  std::vector<NameList> french_women_;
  std::vector<std::string> french_men_rare_;
  std::vector<std::string> french_women_rare_;
};

// ---- Places and contacts -------------------------------------------------------------------

// Postal codes of the Cergy-Pontoise agglomeration and the neighbouring towns of the Val-d'Oise,
// weighted by population.
const std::vector<std::pair<std::string, double>> kPostalCodes = {
    {"95000", 22}, {"95800", 12}, {"95300", 12}, {"95310", 8}, {"95490", 6}, {"95280", 6},
    {"95520", 6},  {"95610", 6},  {"95650", 3},  {"95430", 2}, {"95220", 6}, {"95240", 4},
    {"95370", 4},  {"95130", 5},  {"95150", 4},  {"95120", 5}, {"95100", 8}, {"95540", 2},
    {"95480", 2},  {"95640", 1},  {"95450", 1},  {"95690", 1}, {"95570", 1}, {"95660", 1}};

std::string PostalCode(Rng& rng) {
  std::vector<double> w;
  w.reserve(kPostalCodes.size());
  for (const auto& [code, weight] : kPostalCodes) {
    w.push_back(weight);
  }
  return kPostalCodes[static_cast<std::size_t>(rng.Weighted(w))].first;
}

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<char>('0' + rng.Below(10)));
  }
  return s;
}

// Landlines of the Val-d'Oise start with 01 30, 01 34 or 01 39.
std::string NewPhone(Rng& rng, bool mobile, int birth_year) {
  if (mobile) {
    const bool seven = birth_year > 1985 ? rng.Chance(0.4) : rng.Chance(0.1);
    return std::string("+33") + (seven ? "7" : "6") + Digits(rng, 8);
  }
  static constexpr const char* kAreas[] = {"130", "134", "139"};
  return std::string("+33") + kAreas[rng.Below(3)] + Digits(rng, 6);
}

// The same number as a person would type it, then normalised as the referral form does.
std::string RetypedPhone(const std::string& e164, Rng& rng) {
  const std::string n = "0" + e164.substr(3);  // 0612345678
  std::string typed;
  switch (rng.Below(6)) {
    case 0:
      typed = n;
      break;
    case 1:
      typed = fmt::format("{} {} {} {} {}", n.substr(0, 2), n.substr(2, 2), n.substr(4, 2),
                          n.substr(6, 2), n.substr(8, 2));
      break;
    case 2:
      typed = fmt::format("{}.{}.{}.{}.{}", n.substr(0, 2), n.substr(2, 2), n.substr(4, 2),
                          n.substr(6, 2), n.substr(8, 2));
      break;
    case 3:
      typed = "+33 " + n.substr(1, 1) + " " + n.substr(2, 2) + " " + n.substr(4, 2) + " " +
              n.substr(6, 2) + " " + n.substr(8, 2);
      break;
    case 4:
      typed = "0033" + n.substr(1);
      break;
    default:
      typed = "+33 (0)" + n.substr(1);
      break;
  }
  return domain::NormalizePhone(typed).value_or("");
}

// Numbers shared by many unrelated persons: a nursing home, a hostel, a guardianship association.
// About one for a thousand persons, each with a dozen residents or protected adults.
std::string InstitutionPhone(Rng& rng, int person_count) {
  const int institutions = std::max(1, person_count / 1000);
  return fmt::format("+3313{:07}", 1000000 + rng.Below(institutions) * 7919);
}

// ---- The truth about a person, and the records typed about them ----------------------------

struct Person {
  int id = 0;
  Origin origin = Origin::kFrench;
  Sex sex = Sex::kFemale;
  std::string birth_name;
  std::string married_name;  // husband's name, whether or not the record carries it
  bool usage_recorded = false;
  std::vector<std::string> given;  // given names, first first (a Vietnamese middle name included)
  bool vietnamese_middle = false;  // given[0] is Thị / Văn
  LocalDate date;
  bool year_only = false;  // only the year is known
  bool no_birth = false;   // nothing known
  std::string phone;
  std::string email;
  std::string postal_code;
};

PersonIdentity Canonical(const Person& p) {
  PersonIdentity id;
  id.birth_name = p.birth_name;
  id.usage_name = p.usage_recorded ? p.married_name : "";
  id.first_names = Join(p.given, " ");
  if (!p.no_birth) {
    if (!p.year_only) {
      id.birth_date = p.date;
    }
    id.birth_year = p.date.year;
  }
  id.phone = p.phone;
  id.email = p.email;
  id.postal_code = p.postal_code;
  return id;
}

struct Record {
  int person = 0;
  PersonIdentity identity;
  std::vector<std::string> alterations;  // how this record differs from the person's first one
};

int DaysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

LocalDate RandomDateIn(int year, Rng& rng) {
  const int month = rng.Between(1, 12);
  return LocalDate{year, month, rng.Between(1, DaysIn(year, month))};
}

// Persons followed by a digital-inclusion team at home: many elderly people, working-age adults,
// a few young adults.
int BirthYear(Rng& rng) {
  const int band = rng.Weighted({5, 45, 40, 10});
  switch (band) {
    case 0:
      return rng.Between(1930, 1934);
    case 1:
      return rng.Between(1935, 1959);
    case 2:
      return rng.Between(1960, 1994);
    default:
      return rng.Between(1995, 2008);
  }
}

class Generator {
 public:
  Generator(std::uint64_t seed, int person_count) : rng_(seed), person_count_(person_count) {}

  Rng& rng() { return rng_; }

  Origin RandomOrigin() {
    // Around Cergy-Pontoise: a majority of French-born families, large Maghrebi and West/Central
    // African communities, Portuguese, Turkish, Vietnamese and Eastern European ones.
    static const std::vector<double> weights = {52, 18, 12, 6, 4, 3, 5};
    return static_cast<Origin>(rng_.Weighted(weights));
  }

  std::string GivenFor(Origin o, Sex sex, int year) {
    // Children of immigrants born in France often have French or international given names.
    if (o != Origin::kFrench && o != Origin::kVietnam && year >= 1975 && rng_.Chance(0.3)) {
      return names_.GivenName(Origin::kFrench, sex, year, rng_);
    }
    return names_.GivenName(o, sex, year, rng_);
  }

  std::vector<std::string> GivenNames(Origin o, Sex sex, int year, bool* vietnamese_middle) {
    std::vector<std::string> given;
    *vietnamese_middle = false;
    if (o == Origin::kVietnam && rng_.Chance(0.8)) {
      given.emplace_back(sex == Sex::kFemale ? "Thị" : "Văn");
      *vietnamese_middle = true;
    }
    given.push_back(GivenFor(o, sex, year));
    // Civil-status records give several given names, mostly for older French persons.
    const double more = o == Origin::kFrench ? (year < 1960 ? 0.45 : 0.3) : 0.12;
    if (!*vietnamese_middle && rng_.Chance(more)) {
      std::string second = GivenFor(o, sex, year);
      if (second != given.front()) {
        given.push_back(second);
        if (rng_.Chance(0.25)) {
          std::string third = GivenFor(o, sex, year);
          if (third != given.front() && third != second) {
            given.push_back(third);
          }
        }
      }
    }
    return given;
  }

  std::string SurnameFor(Origin o, Sex sex) {
    std::string s = names_.Surname(o, sex, rng_);
    if (o == Origin::kPortugal && rng_.Chance(0.35)) {
      // Double Portuguese surnames: "Ferreira da Silva", "Pereira dos Santos".
      std::string second = names_.Surname(o, sex, rng_);
      if (second != s) {
        const auto tokens = Split(second, ' ');
        if (tokens.size() == 2) {
          second = text::ToLowerAscii(tokens[0]) + " " + tokens[1];
        }
        s += " " + second;
      }
    } else if (o == Origin::kFrench && rng_.Chance(0.03)) {
      std::string second = names_.Surname(o, sex, rng_);
      if (second != s) {
        s += "-" + second;
      }
    }
    return s;
  }

  std::string EmailFor(const Person& p) {
    const std::string first =
        Split(text::FoldForSearch(p.given[p.vietnamese_middle ? 1 : 0]), ' ')[0];
    std::string last = text::FoldForSearch(
        p.married_name.empty() || rng_.Chance(0.5) ? p.birth_name : p.married_name);
    last.erase(std::remove(last.begin(), last.end(), ' '), last.end());
    static constexpr const char* kDomains[] = {"gmail.com", "hotmail.fr", "orange.fr",
                                               "free.fr",   "yahoo.fr",   "laposte.net",
                                               "sfr.fr",    "outlook.fr", "wanadoo.fr"};
    std::string local;
    switch (rng_.Below(5)) {
      case 0:
        local = first + "." + last;
        break;
      case 1:
        local = first + last + std::to_string(p.date.year % 100);
        break;
      case 2:
        local = first.substr(0, 1) + "." + last;
        break;
      case 3:
        local = last + "." + first;
        break;
      default:
        local = first + "." + last + std::to_string(rng_.Between(1, 99));
        break;
    }
    std::string email = local + "@" + kDomains[rng_.Below(9)];
    while (!emails_.insert(email).second) {
      email = local + std::to_string(rng_.Between(1, 999)) + "@" + kDomains[rng_.Below(9)];
    }
    return email;
  }

  void GiveContacts(Person& p) {
    const bool old = p.date.year < 1950;
    const int kind =
        old ? rng_.Weighted({40, 45, 15}) : rng_.Weighted({82, 5, 13});  // mobile, landline, none
    if (kind < 2) {
      p.phone = NewPhone(rng_, kind == 0, p.date.year);
    }
    if (rng_.Chance(0.012)) {
      p.phone = InstitutionPhone(rng_, person_count_);
    }
    const double email = p.date.year < 1945 ? 0.12 : p.date.year < 1960 ? 0.3 : 0.55;
    if (rng_.Chance(email)) {
      p.email = EmailFor(p);
    }
    p.postal_code = PostalCode(rng_);
  }

  Person NewPerson(std::optional<Origin> origin = std::nullopt,
                   std::optional<Sex> sex = std::nullopt, std::optional<int> year = std::nullopt) {
    Person p;
    p.id = next_id_++;
    p.origin = origin.value_or(RandomOrigin());
    p.sex = sex.value_or(rng_.Chance(0.56) ? Sex::kFemale : Sex::kMale);
    p.date = RandomDateIn(year.value_or(BirthYear(rng_)), rng_);
    p.birth_name = SurnameFor(p.origin, p.sex);
    p.given = GivenNames(p.origin, p.sex, p.date.year, &p.vietnamese_middle);
    p.year_only = rng_.Chance(0.05);
    p.no_birth = rng_.Chance(0.01);
    GiveContacts(p);
    return p;
  }

  // Married (or widowed) women born before 1990: most took their husband's name in daily life.
  void MaybeMarry(Person& p) {
    if (p.sex != Sex::kFemale || p.date.year > 1990 || !rng_.Chance(0.6)) {
      return;
    }
    const Origin husband = rng_.Chance(0.85) ? p.origin : RandomOrigin();
    do {
      p.married_name = SurnameFor(husband, Sex::kMale);
    } while (p.married_name == p.birth_name);
    p.usage_recorded = rng_.Chance(0.6);
  }

 private:
  Rng rng_;
  Names names_;
  std::unordered_set<std::string> emails_;
  int person_count_ = 0;
  int next_id_ = 0;
};

// ---- Alterations ---------------------------------------------------------------------------

// Neighbouring keys on an AZERTY keyboard, for realistic typos.
char NeighbourKey(char c, Rng& rng) {
  static constexpr const char* kRows[] = {"azertyuiop", "qsdfghjklm", "wxcvbn"};
  const bool upper = c >= 'A' && c <= 'Z';
  const char lower = upper ? static_cast<char>(c - 'A' + 'a') : c;
  for (const char* row : kRows) {
    const std::string_view r(row);
    const auto pos = r.find(lower);
    if (pos == std::string_view::npos) {
      continue;
    }
    std::size_t other = pos == 0              ? 1
                        : pos + 1 >= r.size() ? pos - 1
                                              : (rng.Chance(0.5) ? pos - 1 : pos + 1);
    const char n = r[other];
    return upper ? static_cast<char>(n - 'a' + 'A') : n;
  }
  return c;
}

// One typing error: a neighbouring key, a missing letter, a doubled letter or an extra key.
std::string Typo(const std::string& s, Rng& rng) {
  auto cps = CodePoints(s);
  std::vector<std::size_t> letters;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (IsLetter(cps[i])) {
      letters.push_back(i);
    }
  }
  if (letters.size() < 3) {
    return s;
  }
  const std::size_t i =
      letters[static_cast<std::size_t>(rng.Below(static_cast<int>(letters.size())))];
  switch (rng.Weighted({40, 25, 20, 15})) {
    case 0:
      if (IsAsciiLetter(cps[i])) {
        cps[i] = std::string(1, NeighbourKey(cps[i][0], rng));
      } else {
        cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(i));
      }
      break;
    case 1:
      cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    case 2:
      cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(i), cps[i]);
      break;
    default:
      if (IsAsciiLetter(cps[i])) {
        cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                   std::string(1, NeighbourKey(cps[i][0], rng)));
      }
      break;
  }
  std::string out;
  for (const auto& c : cps) {
    out += c;
  }
  return out;
}

// Two neighbouring letters swapped ("Marhta").
std::string Transpose(const std::string& s, Rng& rng) {
  auto cps = CodePoints(s);
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i + 1 < cps.size(); ++i) {
    if (IsLetter(cps[i]) && IsLetter(cps[i + 1]) && cps[i] != cps[i + 1]) {
      at.push_back(i);
    }
  }
  if (at.empty()) {
    return s;
  }
  const std::size_t i = at[static_cast<std::size_t>(rng.Below(static_cast<int>(at.size())))];
  std::swap(cps[i], cps[i + 1]);
  std::string out;
  for (const auto& c : cps) {
    out += c;
  }
  return out;
}

bool IsDroppableParticle(const std::string& token) {
  static const std::set<std::string> particles = {"de",  "da", "do", "dos",
                                                  "das", "du", "el", "del"};
  return particles.contains(text::ToLowerAscii(token));
}

// Hyphens, apostrophes and spaces typed differently: "N'Diaye" → "NDiaye", "N Diaye", "N’Diaye";
// "Le Goff" → "Legoff", "LE-GOFF"; "Jean-Pierre" → "Jean Pierre".
std::string Punctuation(const std::string& s, Rng& rng) {
  std::string out = s;
  if (const auto pos = out.find('\''); pos != std::string::npos) {
    switch (rng.Below(3)) {
      case 0:
        out.erase(pos, 1);
        break;
      case 1:
        out[pos] = ' ';
        break;
      default:
        out.replace(pos, 1, "’");
        break;
    }
    return out;
  }
  if (const auto pos = out.find('-'); pos != std::string::npos) {
    out[pos] = ' ';
    return out;
  }
  if (const auto pos = out.find(' '); pos != std::string::npos) {
    if (rng.Chance(0.5)) {
      out.erase(pos, 1);
    } else {
      out[pos] = '-';
    }
  }
  return out;
}

bool HasPunctuation(const std::string& s) { return s.find_first_of("-' ") != std::string::npos; }

struct AlterationKind {
  const char* name;
  double probability;  // when it applies to the record (a married name exists, a phone is given…)
};

// How often each difference is seen between two referrals of one person, when it can occur: our
// estimate from the referrals of comparable teams. Harmless differences (accents, case, phone
// format, a missing e-mail) are common; typos, swapped fields and date errors are rare. They are
// drawn independently, in this order (the structure of a name first, then how it is typed, then
// the fields it is typed into); a duplicate has at least one.
const std::vector<AlterationKind> kAlterations = {{"nom_usage", 0.35},
                                                  {"particule_omise", 0.15},
                                                  {"nom_compose_partiel", 0.25},
                                                  {"premier_prenom", 0.35},
                                                  {"accents", 0.35},
                                                  {"majuscules", 0.25},
                                                  {"ponctuation", 0.3},
                                                  {"faute_nom", 0.06},
                                                  {"faute_prenom", 0.05},
                                                  {"inversion_lettres", 0.04},
                                                  {"nom_prenom_inverses", 0.04},
                                                  {"annee_seule", 0.07},
                                                  {"jour_mois_inverses", 0.03},
                                                  {"faute_date", 0.02},
                                                  {"tel_format", 0.3},
                                                  {"tel_absent", 0.2},
                                                  {"tel_change", 0.1},
                                                  {"email_absent", 0.4},
                                                  {"demenagement", 0.08}};

std::vector<std::string> SurnameTokens(const std::string& s) {
  std::string spaced = s;
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  std::vector<std::string> out;
  for (auto& t : Split(spaced, ' ')) {
    if (!t.empty()) {
      out.push_back(t);
    }
  }
  return out;
}

bool Applicable(std::string_view kind, const Person& p, const PersonIdentity& r) {
  if (kind == "accents") {
    return HasNonAscii(r.birth_name + r.usage_name + r.first_names);
  }
  if (kind == "ponctuation") {
    return HasPunctuation(r.birth_name) || r.first_names.find('-') != std::string::npos;
  }
  if (kind == "nom_usage") {
    return !p.married_name.empty() && r.birth_name == p.birth_name;
  }
  if (kind == "premier_prenom") {
    return Split(r.first_names, ' ').size() > 1;
  }
  if (kind == "tel_format" || kind == "tel_absent" || kind == "tel_change") {
    return !r.phone.empty();
  }
  if (kind == "annee_seule") {
    return r.birth_date.has_value();
  }
  if (kind == "jour_mois_inverses") {
    return r.birth_date && r.birth_date->day <= 12 && r.birth_date->day != r.birth_date->month;
  }
  if (kind == "faute_date") {
    return r.birth_date.has_value();
  }
  if (kind == "email_absent") {
    return !r.email.empty();
  }
  if (kind == "particule_omise") {
    const auto t = SurnameTokens(r.birth_name);
    return t.size() > 1 && IsDroppableParticle(t[0]);
  }
  if (kind == "nom_compose_partiel") {
    const auto t = SurnameTokens(r.birth_name);
    return std::count_if(t.begin(), t.end(),
                         [](const std::string& x) { return !IsDroppableParticle(x); }) > 1;
  }
  return true;
}

void Alter(std::string_view kind, const Person& p, PersonIdentity& r, Rng& rng) {
  if (kind == "accents") {
    r.birth_name = DropAccents(r.birth_name);
    r.usage_name = DropAccents(r.usage_name);
    r.first_names = DropAccents(r.first_names);
  } else if (kind == "majuscules") {
    r.birth_name = text::ToUpper(r.birth_name);
    r.usage_name = text::ToUpper(r.usage_name);
    if (rng.Chance(0.4)) {
      r.first_names = text::ToUpper(r.first_names);
    }
  } else if (kind == "ponctuation") {
    if (HasPunctuation(r.birth_name) &&
        (r.first_names.find('-') == std::string::npos || rng.Chance(0.6))) {
      r.birth_name = Punctuation(r.birth_name, rng);
    } else {
      r.first_names = Punctuation(r.first_names, rng);
    }
  } else if (kind == "faute_nom") {
    r.birth_name = Typo(r.birth_name, rng);
  } else if (kind == "faute_prenom") {
    r.first_names = Typo(r.first_names, rng);
  } else if (kind == "inversion_lettres") {
    if (rng.Chance(0.5)) {
      r.birth_name = Transpose(r.birth_name, rng);
    } else {
      r.first_names = Transpose(r.first_names, rng);
    }
  } else if (kind == "nom_prenom_inverses") {
    // The referrer typed the given name in "nom" and the name in "prénom".
    const std::string last = r.usage_name.empty() ? r.birth_name : r.usage_name;
    r.birth_name = r.first_names;
    r.first_names = last;
    r.usage_name.clear();
  } else if (kind == "nom_usage") {
    // Only the married name is known to the referrer, typed as the name.
    r.birth_name = p.married_name;
    r.usage_name.clear();
  } else if (kind == "premier_prenom") {
    const auto given = Split(r.first_names, ' ');
    const bool middle = p.vietnamese_middle && given.size() > 1;
    r.first_names = middle ? given.back() : given.front();
  } else if (kind == "tel_format") {
    r.phone = RetypedPhone(r.phone, rng);
  } else if (kind == "tel_absent") {
    r.phone.clear();
  } else if (kind == "tel_change") {
    r.phone = NewPhone(rng, true, p.date.year);
  } else if (kind == "annee_seule") {
    r.birth_year = r.birth_date->year;
    r.birth_date.reset();
  } else if (kind == "jour_mois_inverses") {
    std::swap(r.birth_date->day, r.birth_date->month);
  } else if (kind == "faute_date") {
    LocalDate& d = *r.birth_date;
    const int what = rng.Weighted({50, 20, 30});
    if (what == 0) {
      // The last digit of the day: 12 → 13 or 11, kept valid.
      d.day = d.day % 10 == 9 || d.day >= DaysIn(d.year, d.month) ? d.day - 1 : d.day + 1;
    } else if (what == 1) {
      d.month = d.month % 10 == 9 || d.month == 12 ? d.month - 1 : d.month + 1;
      d.day = std::min(d.day, DaysIn(d.year, d.month));
    } else {
      d.year = d.year % 10 == 9 ? d.year - 1 : d.year + 1;
      d.day = std::min(d.day, DaysIn(d.year, d.month));
    }
    r.birth_year = d.year;
  } else if (kind == "email_absent") {
    r.email.clear();
  } else if (kind == "particule_omise") {
    auto t = SurnameTokens(r.birth_name);
    t.erase(t.begin());
    r.birth_name = Join(t, " ");
  } else if (kind == "nom_compose_partiel") {
    // "Ferreira da Silva" → "Ferreira" or "da Silva"; "Martin-Leroy" → "Martin" or "Leroy".
    const auto t = SurnameTokens(r.birth_name);
    std::vector<std::vector<std::string>> parts;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (IsDroppableParticle(t[i]) && i + 1 < t.size()) {
        parts.push_back({Capitalize(text::ToLowerAscii(t[i])), t[i + 1]});
        ++i;
      } else {
        parts.push_back({t[i]});
      }
    }
    // Nobody types only a short prefix such as "Si" or "Aït".
    std::erase_if(parts,
                  [](const std::vector<std::string>& part) { return part.back().size() < 4; });
    if (!parts.empty()) {
      r.birth_name =
          Join(parts[static_cast<std::size_t>(rng.Below(static_cast<int>(parts.size())))], " ");
    }
  } else if (kind == "demenagement") {
    r.postal_code = PostalCode(rng);
  }
}

// ---- Population ----------------------------------------------------------------------------

struct Population {
  std::vector<Person> persons;
  std::vector<Record> records;
  // Persons built to look alike (spouses, namesakes, twins…), by unordered pair of person ids:
  // what links the two persons of a false positive.
  std::map<std::pair<int, int>, std::string> relations;

  void Relate(int a, int b, const std::string& kind) {
    relations[{std::min(a, b), std::max(a, b)}] = kind;
  }
};

Population Generate(int person_count, std::uint64_t seed) {
  Generator gen(seed, person_count);
  Rng& rng = gen.rng();
  Population pop;

  // 1. Distinct persons; some married women come with their husband (same address, often the
  //    same phone, sometimes the same e-mail), the classic "spouses" hard negative.
  while (static_cast<int>(pop.persons.size()) < person_count) {
    Person p = gen.NewPerson();
    gen.MaybeMarry(p);
    pop.persons.push_back(p);
    if (!p.married_name.empty() && rng.Chance(0.25) &&
        static_cast<int>(pop.persons.size()) < person_count) {
      Person h = gen.NewPerson(p.origin, Sex::kMale,
                               std::clamp(p.date.year + rng.Between(-3, 6), 1930, 2008));
      // The husband's birth name is his wife's married name.
      h.birth_name = p.married_name;
      h.postal_code = p.postal_code;
      if (rng.Chance(0.6) && !p.phone.empty()) {
        h.phone = p.phone;
      }
      if (rng.Chance(0.2) && !p.email.empty()) {
        h.email = p.email;
      }
      pop.persons.push_back(h);
      pop.Relate(p.id, h.id, "conjoints");
    }
  }

  // 2. Hard negatives built on existing persons.
  const int base = static_cast<int>(pop.persons.size());
  auto some_person = [&]() -> const Person& {
    return pop.persons[static_cast<std::size_t>(rng.Below(base))];
  };
  // Namesakes: same given and family names, another birth date and another phone.
  for (int i = 0; i < base * 3 / 100; ++i) {
    const Person& model = some_person();
    Person n = gen.NewPerson(model.origin, model.sex);
    n.birth_name = model.birth_name;
    n.given = model.given;
    n.vietnamese_middle = model.vietnamese_middle;
    n.married_name.clear();
    gen.MaybeMarry(n);
    gen.GiveContacts(n);  // an e-mail made of the new names
    pop.Relate(model.id, n.id, "homonymes");
    pop.persons.push_back(n);
  }
  // Twins (or triplets): same family name and birth date, another given name, often the same
  // family phone and address.
  for (int i = 0; i < base * 15 / 1000; ++i) {
    const Person& model = some_person();
    Person t = gen.NewPerson(model.origin, std::nullopt, model.date.year);
    t.birth_name = model.birth_name;
    t.date = model.date;
    t.year_only = model.year_only;
    t.no_birth = false;
    // Parents do not give twins the same given name.
    const bool shared = std::any_of(t.given.begin(), t.given.end(), [&](const std::string& g) {
      return std::find(model.given.begin(), model.given.end(), g) != model.given.end();
    });
    if (shared) {
      continue;
    }
    gen.GiveContacts(t);
    if (rng.Chance(0.4)) {
      t.phone = model.phone;
    }
    if (rng.Chance(0.6)) {
      t.postal_code = model.postal_code;
    }
    pop.Relate(model.id, t.id, "jumeaux");
    pop.persons.push_back(t);
  }
  // A father and a son (or mother and daughter) with the same names, living together.
  for (int i = 0; i < base / 100; ++i) {
    const Person& model = some_person();
    if (model.date.year > 1985) {
      continue;
    }
    Person c = gen.NewPerson(model.origin, model.sex,
                             std::min(2008, model.date.year + rng.Between(20, 35)));
    c.birth_name = model.birth_name;
    // Named after the parent: the same first given name, the others the child's own.
    c.vietnamese_middle = model.vietnamese_middle;
    std::vector<std::string> given(model.given.begin(),
                                   model.given.begin() + (model.vietnamese_middle ? 2 : 1));
    for (std::size_t g = given.size(); g < c.given.size(); ++g) {
      if (std::find(model.given.begin(), model.given.end(), c.given[g]) == model.given.end()) {
        given.push_back(c.given[g]);
      }
    }
    c.given = given;
    c.married_name.clear();
    c.usage_recorded = false;
    gen.GiveContacts(c);
    c.postal_code = model.postal_code;
    if (rng.Chance(0.5)) {
      c.phone = model.phone;
    }
    pop.Relate(model.id, c.id, "parent_enfant_homonymes");
    pop.persons.push_back(c);
  }

  // 3. One record per person, then duplicates: about 15 % of all records, some persons referred
  //    three or four times. Each duplicate has one or more alterations of the person's record.
  for (const auto& p : pop.persons) {
    pop.records.push_back({p.id, Canonical(p), {}});
  }
  const int duplicates =
      static_cast<int>(std::lround(static_cast<double>(pop.persons.size()) * 0.15 / 0.85));
  for (int i = 0; i < duplicates; ++i) {
    const Person& p =
        pop.persons[static_cast<std::size_t>(rng.Below(static_cast<int>(pop.persons.size())))];
    Record r{p.id, Canonical(p), {}};
    while (r.alterations.empty()) {
      r.identity = Canonical(p);
      for (const auto& kind : kAlterations) {
        if (Applicable(kind.name, p, r.identity) && rng.Chance(kind.probability)) {
          Alter(kind.name, p, r.identity, rng);
          r.alterations.emplace_back(kind.name);
        }
      }
    }
    pop.records.push_back(std::move(r));
  }

  // Referrals arrive in any order: the first record of a person is not always the best one.
  for (std::size_t i = pop.records.size(); i > 1; --i) {
    std::swap(pop.records[i - 1],
              pop.records[static_cast<std::size_t>(rng.Below(static_cast<int>(i)))]);
  }
  return pop;
}

// ---- Measure -------------------------------------------------------------------------------

std::string Describe(const PersonIdentity& p) {
  std::string date = p.birth_date   ? ToIso(*p.birth_date)
                     : p.birth_year ? std::to_string(*p.birth_year)
                                    : "?";
  std::string name = p.birth_name;
  if (!p.usage_name.empty()) {
    name += " (usage " + p.usage_name + ")";
  }
  return fmt::format("{} | {} | {} | {} | {} | {}", name, p.first_names, date,
                     p.phone.empty() ? "-" : p.phone, p.email.empty() ? "-" : p.email,
                     p.postal_code);
}

struct ScoredPair {
  int stored = 0;  // earlier record
  int probe = 0;   // later record, the new referral
  double score = 0;
};

struct Options {
  int persons = 10000;
  std::uint64_t seed = 20261128;
  int examples = 5;
  std::string database;  // when set: time one check against a database of that many persons
  int checks = 2000;
};

std::uint64_t PairKey(int a, int b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
         static_cast<std::uint32_t>(b);
}

// The alterations that separate two records of one person (both may be altered copies).
std::vector<std::string> AlterationsOf(const Population& pop, int a, int b) {
  std::set<std::string> all;
  for (int r : {a, b}) {
    for (const auto& x : pop.records[static_cast<std::size_t>(r)].alterations) {
      all.insert(x);
    }
  }
  return {all.begin(), all.end()};
}

void PrintExample(const Population& pop, int stored, int probe, const std::string& extra) {
  const auto& a = pop.records[static_cast<std::size_t>(stored)].identity;
  const auto& b = pop.records[static_cast<std::size_t>(probe)].identity;
  const auto m = domain::ScoreDuplicate(b, a);
  fmt::print("      - score {:5.2f} {}{}\n", m.score, Join(AlterationsOf(pop, stored, probe), "+"),
             extra);
  fmt::print("          connu   : {}\n", Describe(a));
  fmt::print("          nouveau : {}\n", Describe(b));
  fmt::print("          raisons : {}\n", Join(m.reasons, " ; "));
}

// Misses or false positives grouped by kind, with their count and a few examples.
class Tally {
 public:
  void Add(const std::string& kind, int stored, int probe) {
    auto& e = kinds_[kind];
    ++e.count;
    e.examples.emplace_back(stored, probe);
    pairs_.emplace(stored, probe);
  }

  void Print(const Population& pop, const std::string& title, int examples, Rng& rng) const {
    fmt::print("\n  {} : {} paires\n", title, pairs_.size());
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [k, e] : kinds_) {
      order.emplace_back(-e.count, k);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [neg, kind] : order) {
      const auto& e = kinds_.at(kind);
      fmt::print("    {:5}  {}\n", -neg, kind);
      // A few examples drawn at random, not always the first ones met.
      std::vector<std::pair<int, int>> sample = e.examples;
      for (std::size_t i = sample.size(); i > 1; --i) {
        std::swap(sample[i - 1], sample[static_cast<std::size_t>(rng.Below(static_cast<int>(i)))]);
      }
      for (std::size_t i = 0; i < sample.size() && static_cast<int>(i) < examples; ++i) {
        PrintExample(pop, sample[i].first, sample[i].second, "");
      }
    }
  }

 private:
  struct Entry {
    int count = 0;
    std::vector<std::pair<int, int>> examples;
  };
  std::map<std::string, Entry> kinds_;
  std::set<std::pair<int, int>> pairs_;  // a pair may be listed under several kinds
};

int Run(const Options& opt) {
  const Population pop = Generate(opt.persons, opt.seed);
  const auto& recs = pop.records;
  const int n = static_cast<int>(recs.size());
  int duplicate_records = 0;
  for (const auto& r : recs) {
    duplicate_records += r.alterations.empty() ? 0 : 1;
  }

  // Inverted index of every record's IndexKeys, as the person_key table.
  std::unordered_map<std::string, std::vector<int>> index;
  std::size_t key_rows = 0;
  std::size_t max_keys = 0;
  for (int i = 0; i < n; ++i) {
    const auto keys = domain::IndexKeys(recs[static_cast<std::size_t>(i)].identity);
    key_rows += keys.size();
    max_keys = std::max(max_keys, keys.size());
    for (const auto& k : keys) {
      index[k].push_back(i);
    }
  }

  // Every record probes the full index (the steady state of a database of that size). For the
  // quality figures a pair is counted once, scored as production does: the later record is the
  // new referral, the earlier one the stored person.
  std::vector<ScoredPair> pairs;
  std::vector<int> seen(static_cast<std::size_t>(n), -1);
  std::vector<int> candidates;
  std::size_t candidate_total = 0;
  std::size_t probe_key_total = 0;
  std::size_t candidate_max = 0;
  int over_limit = 0;  // ReferralService scores at most 200 candidates
  const auto start = std::chrono::steady_clock::now();
  for (int j = 0; j < n; ++j) {
    const auto& probe = recs[static_cast<std::size_t>(j)].identity;
    candidates.clear();
    const auto probe_keys = domain::ProbeKeys(probe);
    probe_key_total += probe_keys.size();
    for (const auto& k : probe_keys) {
      const auto it = index.find(k);
      if (it == index.end()) {
        continue;
      }
      for (int i : it->second) {
        if (i != j && seen[static_cast<std::size_t>(i)] != j) {
          seen[static_cast<std::size_t>(i)] = j;
          candidates.push_back(i);
        }
      }
    }
    candidate_total += candidates.size();
    candidate_max = std::max(candidate_max, candidates.size());
    over_limit += candidates.size() > 200 ? 1 : 0;
    for (int i : candidates) {
      const double score =
          domain::ScoreDuplicate(probe, recs[static_cast<std::size_t>(i)].identity).score;
      if (i < j) {
        pairs.push_back({i, j, score});
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Truth: every pair of records of the same person.
  std::unordered_map<int, std::vector<int>> by_person;
  for (int i = 0; i < n; ++i) {
    by_person[recs[static_cast<std::size_t>(i)].person].push_back(i);
  }
  std::unordered_map<std::uint64_t, double> retrieved_true;  // (stored, probe) → score
  std::vector<ScoredPair> false_pairs;
  for (const auto& p : pairs) {
    if (recs[static_cast<std::size_t>(p.stored)].person ==
        recs[static_cast<std::size_t>(p.probe)].person) {
      retrieved_true[PairKey(p.stored, p.probe)] = p.score;
    } else if (p.score >= domain::kPossibleDuplicate - 2) {
      false_pairs.push_back(p);
    }
  }
  std::vector<std::pair<int, int>> true_pairs;
  for (const auto& [person, list] : by_person) {
    for (std::size_t x = 0; x < list.size(); ++x) {
      for (std::size_t y = x + 1; y < list.size(); ++y) {
        true_pairs.emplace_back(std::min(list[x], list[y]), std::max(list[x], list[y]));
      }
    }
  }
  std::sort(true_pairs.begin(), true_pairs.end());

  auto count_true = [&](double threshold) {
    int c = 0;
    for (const auto& [k, s] : retrieved_true) {
      c += s >= threshold ? 1 : 0;
    }
    return c;
  };
  auto count_false = [&](double threshold) {
    int c = 0;
    for (const auto& p : false_pairs) {
      c += p.score >= threshold ? 1 : 0;
    }
    return c;
  };
  const double t = static_cast<double>(true_pairs.size());
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 1.0; };

  fmt::print("Doublons de personnes — banc d'essai (graine {}, {} personnes demandées)\n\n",
             opt.seed, opt.persons);
  fmt::print("  personnes distinctes          {:>9}\n", pop.persons.size());
  fmt::print("  fiches (records)              {:>9}  dont {} doublons ({:.1f} %)\n", n,
             duplicate_records, 100.0 * duplicate_records / n);
  fmt::print("  paires de vrais doublons      {:>9}\n", true_pairs.size());
  fmt::print("  clés d'index par personne     {:>9.2f}  (max {})\n",
             static_cast<double>(key_rows) / n, max_keys);
  fmt::print("  clés cherchées par fiche      {:>9.2f}\n",
             static_cast<double>(probe_key_total) / n);
  fmt::print("  paires comparées (blocage)    {:>9}\n", pairs.size());

  const int tp_probable = count_true(domain::kProbableDuplicate);
  const int fp_probable = count_false(domain::kProbableDuplicate);
  const int tp_possible = count_true(domain::kPossibleDuplicate);
  const int fp_possible = count_false(domain::kPossibleDuplicate);
  fmt::print("\n  | {:<30} | précision | rappel |   VP   |   FP   |\n", "mesure");
  fmt::print("  |{:-<32}|-----------|--------|--------|--------|\n", "");
  fmt::print("  | {:<30} |     —     | {:.4f} | {:6} |    —   |\n", "blocage (paires trouvées)",
             ratio(static_cast<double>(retrieved_true.size()), t), retrieved_true.size());
  fmt::print("  | {:<30} |  {:.4f}   | {:.4f} | {:6} | {:6} |\n",
             fmt::format("« probable » (score ≥ {:.1f})", domain::kProbableDuplicate),
             ratio(tp_probable, tp_probable + fp_probable), ratio(tp_probable, t), tp_probable,
             fp_probable);
  fmt::print("  | {:<30} |  {:.4f}   | {:.4f} | {:6} | {:6} |\n",
             fmt::format("« possible » (score ≥ {:.1f})", domain::kPossibleDuplicate),
             ratio(tp_possible, tp_possible + fp_possible), ratio(tp_possible, t), tp_possible,
             fp_possible);
  fmt::print("\n  candidats par recherche       {:>9.2f}  (max {}, {} recherches au-delà de 200)\n",
             static_cast<double>(candidate_total) / n, candidate_max, over_limit);
  fmt::print(
      "  µs par recherche              {:>9.1f}  (clés + index en mémoire + scores, 1 thread)\n",
      seconds * 1e6 / n);

  // Threshold sweep, to place kProbable and kPossible.
  fmt::print("\n  seuil   précision  rappel   FP\n");
  for (double th = 3.0; th <= 10.01; th += 0.5) {
    const int tp = count_true(th);
    const int fp = count_false(th);
    fmt::print("  {:5.1f}   {:.4f}     {:.4f}  {:5}\n", th, ratio(tp, tp + fp), ratio(tp, t), fp);
  }

  // What the pairs scored around the "probable" threshold have in common: the reasons given,
  // for true and false pairs. This is what a change of weights or threshold moves.
  {
    std::map<std::string, std::pair<int, int>> near;  // reasons → (true, false)
    auto add_near = [&](const ScoredPair& p, bool truth) {
      if (p.score < domain::kProbableDuplicate - 1.0 ||
          p.score >= domain::kProbableDuplicate + 1.0) {
        return;
      }
      const auto m = domain::ScoreDuplicate(recs[static_cast<std::size_t>(p.probe)].identity,
                                            recs[static_cast<std::size_t>(p.stored)].identity);
      auto& e = near[fmt::format("{:4.1f}  {}", m.score, Join(m.reasons, " ; "))];
      (truth ? e.first : e.second) += 1;
    };
    for (const auto& p : pairs) {
      add_near(p, recs[static_cast<std::size_t>(p.stored)].person ==
                      recs[static_cast<std::size_t>(p.probe)].person);
    }
    std::vector<std::pair<int, std::string>> order;
    order.reserve(near.size());
    for (const auto& [k, v] : near) {
      order.emplace_back(-(v.first + v.second), k);
    }
    std::sort(order.begin(), order.end());
    fmt::print("\n  autour du seuil « probable » (±1) : vrais / faux, score et raisons\n");
    for (std::size_t i = 0; i < order.size() && i < 20; ++i) {
      const auto& v = near[order[i].second];
      fmt::print("  {:5} / {:<5} {}\n", v.first, v.second, order[i].second);
    }
  }

  // Largest blocks: what grows with the number of persons.
  std::vector<std::pair<std::size_t, std::string>> blocks;
  blocks.reserve(index.size());
  for (const auto& [k, v] : index) {
    blocks.emplace_back(v.size(), k);
  }
  std::sort(blocks.rbegin(), blocks.rend());
  fmt::print("\n  plus grands blocs :");
  for (std::size_t i = 0; i < std::min<std::size_t>(8, blocks.size()); ++i) {
    fmt::print(" {}={}", blocks[i].second, blocks[i].first);
  }
  fmt::print("\n");

  // Recall by alteration: every true pair counts under each of its alterations ("toutes"), and
  // the pairs that differ by that alteration only ("seule").
  struct AlterationStats {
    int pairs = 0;
    int retrieved = 0;
    int probable = 0;
    int possible = 0;
    int alone = 0;
    int alone_probable = 0;
  };
  std::map<std::string, AlterationStats> by_alteration;
  Rng sample_rng(opt.seed + 1);
  Tally not_retrieved;
  Tally below_possible;
  Tally only_possible;
  for (const auto& [a, b] : true_pairs) {
    const auto it = retrieved_true.find(PairKey(a, b));
    const double score = it == retrieved_true.end() ? -1e9 : it->second;
    const auto alterations = AlterationsOf(pop, a, b);
    for (const auto& x : alterations) {
      auto& st = by_alteration[x];
      ++st.pairs;
      st.retrieved += it != retrieved_true.end() ? 1 : 0;
      st.probable += score >= domain::kProbableDuplicate ? 1 : 0;
      st.possible += score >= domain::kPossibleDuplicate ? 1 : 0;
      if (alterations.size() == 1) {
        ++st.alone;
        st.alone_probable += score >= domain::kProbableDuplicate ? 1 : 0;
      }
      // Misses are listed under each of their alterations, with the full list in the examples.
      if (it == retrieved_true.end()) {
        not_retrieved.Add(x, a, b);
      } else if (score < domain::kPossibleDuplicate) {
        below_possible.Add(x, a, b);
      } else if (score < domain::kProbableDuplicate) {
        only_possible.Add(x, a, b);
      }
    }
  }
  fmt::print(
      "\n  | altération            | paires | blocage | probable | possible | seule : paires, "
      "probable |\n");
  fmt::print(
      "  "
      "|-----------------------|--------|---------|----------|----------|--------------------------"
      "|\n");
  for (const auto& [x, st] : by_alteration) {
    fmt::print("  | {:21} | {:6} |  {:.3f}  |  {:.3f}   |  {:.3f}   | {:6}, {:.3f}            |\n",
               x, st.pairs, ratio(st.retrieved, st.pairs), ratio(st.probable, st.pairs),
               ratio(st.possible, st.pairs), st.alone, ratio(st.alone_probable, st.alone));
  }

  fmt::print(
      "\n== Vrais doublons manqués, par altération (une paire compte sous chacune des siennes) ==");
  not_retrieved.Print(pop, "non trouvés par le blocage", opt.examples, sample_rng);
  below_possible.Print(pop, "trouvés, score < possible", opt.examples, sample_rng);
  only_possible.Print(pop, "« possibles » seulement (score < probable)", opt.examples, sample_rng);

  // False positives, by what links the two persons.
  Tally fp_probable_kinds;
  Tally fp_possible_kinds;
  for (const auto& p : false_pairs) {
    if (p.score < domain::kPossibleDuplicate) {
      continue;
    }
    const int pa = recs[static_cast<std::size_t>(p.stored)].person;
    const int pb = recs[static_cast<std::size_t>(p.probe)].person;
    std::string kind = "autre";
    if (const auto it = pop.relations.find({std::min(pa, pb), std::max(pa, pb)});
        it != pop.relations.end()) {
      kind = it->second;
    } else if (!recs[static_cast<std::size_t>(p.stored)].identity.phone.empty() &&
               recs[static_cast<std::size_t>(p.stored)].identity.phone ==
                   recs[static_cast<std::size_t>(p.probe)].identity.phone) {
      kind = "même_téléphone";
    }
    (p.score >= domain::kProbableDuplicate ? fp_probable_kinds : fp_possible_kinds)
        .Add(kind, p.stored, p.probe);
  }
  fmt::print("\n== Faux positifs (par lien entre les deux personnes) ==");
  fp_probable_kinds.Print(pop, "« probables » à tort", opt.examples, sample_rng);
  fp_possible_kinds.Print(pop, "« possibles » à tort (score entre possible et probable)",
                          opt.examples, sample_rng);
  return 0;
}

// ---- One check against a real database ------------------------------------------------------

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(rank, v.size() - 1)];
}

domain::PersonData ToPersonData(const PersonIdentity& id) {
  domain::PersonData d;
  d.birth_name = id.birth_name;
  d.usage_name = id.usage_name;
  d.first_names = id.first_names;
  d.birth_date = id.birth_date;
  d.birth_year = id.birth_year;
  d.phone = id.phone;
  d.email = id.email;
  d.postal_code = id.postal_code;
  d.city = "Cergy";
  d.address_line = "1 rue de la Gare";
  return d;
}

// Stores every person's first record (persons and person_key rows, as ReferralService does),
// then times ReferralService::FindCandidates, the whole check a new referral goes through, for
// `checks` probes: half of them later records of a stored person, half persons never seen.
int RunDatabase(const Options& opt) {
  using Clock = std::chrono::steady_clock;
  const auto url = storage::DatabaseUrl::Parse(opt.database);
  storage::Database db(url, storage::DatabaseOptions{});
  storage::Migrate(db, storage::LoadMigrations(ALLERVERS_SOURCE_DIR "/migrations", url.backend));

  // Half of the persons are stored; the other half only serve as "never seen" probes.
  const Population pop = Generate(opt.persons * 2, opt.seed);
  std::vector<int> first_record(pop.persons.size(), -1);
  for (std::size_t i = 0; i < pop.records.size(); ++i) {
    auto& f = first_record[static_cast<std::size_t>(pop.records[i].person)];
    if (f < 0) {
      f = static_cast<int>(i);
    }
  }
  const auto stored = [](int person) { return person % 2 == 0; };

  long long existing = 0;
  db.WithSession(
      [&](soci::session& sql) { sql << "SELECT COUNT(*) FROM person", soci::into(existing); });
  std::unordered_map<int, domain::PersonId> person_ids;
  const auto now = Instant{} + std::chrono::hours(24 * 365 * 56);
  const auto load_start = Clock::now();
  if (existing == 0) {
    std::vector<int> to_store;
    for (std::size_t p = 0; p < pop.persons.size(); ++p) {
      if (stored(static_cast<int>(p)) && first_record[p] >= 0) {
        to_store.push_back(first_record[p]);
      }
    }
    constexpr std::size_t kBatch = 20000;
    for (std::size_t from = 0; from < to_store.size(); from += kBatch) {
      db.Write([&](service::Tx& tx) {
        for (std::size_t i = from; i < std::min(from + kBatch, to_store.size()); ++i) {
          const auto& rec = pop.records[static_cast<std::size_t>(to_store[i])];
          const auto data = ToPersonData(rec.identity);
          const auto id = tx.persons().Insert(
              data,
              text::FoldForSearch(data.birth_name + " " + data.usage_name + " " + data.first_names),
              now);
          tx.persons().ReplaceKeys(id, domain::IndexKeys(rec.identity));
        }
      });
      fmt::print(stderr, "\r  {} / {} personnes enregistrées",
                 std::min(from + kBatch, to_store.size()), to_store.size());
    }
    fmt::print(stderr, "\n");
  } else {
    fmt::print("  base déjà remplie ({} personnes) : réutilisée telle quelle\n", existing);
  }
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();

  // Probes: later records of stored persons (duplicates), and records of unstored persons.
  Rng rng(opt.seed ^ 0x5eedULL);
  std::vector<int> duplicates;
  std::vector<int> newcomers;
  for (std::size_t i = 0; i < pop.records.size(); ++i) {
    const int person = pop.records[i].person;
    if (stored(person) && first_record[static_cast<std::size_t>(person)] != static_cast<int>(i)) {
      duplicates.push_back(static_cast<int>(i));
    } else if (!stored(person) &&
               first_record[static_cast<std::size_t>(person)] == static_cast<int>(i)) {
      newcomers.push_back(static_cast<int>(i));
    }
  }
  std::vector<double> times_ms;
  int found = 0;
  int shown = 0;
  int probes = 0;
  for (int c = 0; c < opt.checks; ++c) {
    const bool duplicate = c % 2 == 0;
    const auto& pool = duplicate ? duplicates : newcomers;
    const auto& rec = pop.records[static_cast<std::size_t>(
        pool[static_cast<std::size_t>(rng.Below(static_cast<int>(pool.size())))])];
    std::vector<service::DuplicateCandidate> out;
    const auto start = Clock::now();
    db.Read([&](service::Tx& tx) {
      out = service::ReferralService::FindCandidates(tx, rec.identity, std::nullopt);
    });
    times_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ++probes;
    shown += out.empty() ? 0 : 1;
    if (duplicate && !out.empty()) {
      found += 1;
    }
  }
  long long persons = 0;
  long long keys = 0;
  db.WithSession([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM person", soci::into(persons);
    sql << "SELECT COUNT(*) FROM person_key", soci::into(keys);
  });
  fmt::print("Doublons — une vérification en base ({})\n\n",
             url.backend == storage::Backend::kSqlite ? "SQLite" : "PostgreSQL");
  fmt::print("  personnes en base               {:>9}\n", persons);
  fmt::print("  lignes person_key               {:>9}\n", keys);
  if (existing == 0) {
    fmt::print("  chargement                      {:>9.1f} s\n", load_seconds);
  }
  fmt::print(
      "  vérifications                   {:>9}  (moitié doublons, moitié nouvelles personnes)\n",
      probes);
  fmt::print("  doublons retrouvés              {:>9.3f}\n",
             static_cast<double>(found) / (probes / 2.0));
  fmt::print("  ms par vérification  moyenne    {:>9.2f}\n",
             std::accumulate(times_ms.begin(), times_ms.end(), 0.0) /
                 static_cast<double>(times_ms.size()));
  fmt::print("                       p50        {:>9.2f}\n", Percentile(times_ms, 0.50));
  fmt::print("                       p95        {:>9.2f}\n", Percentile(times_ms, 0.95));
  fmt::print("                       p99        {:>9.2f}\n", Percentile(times_ms, 0.99));
  fmt::print("                       max        {:>9.2f}\n", Percentile(times_ms, 1.0));
  return 0;
}

}  // namespace
}  // namespace allervers::bench

int main(int argc, char** argv) {
  allervers::bench::Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--persons") {
      opt.persons = std::atoi(value);
    } else if (flag == "--seed") {
      opt.seed = std::strtoull(value, nullptr, 10);
    } else if (flag == "--examples") {
      opt.examples = std::atoi(value);
    } else if (flag == "--database") {
      opt.database = value;
    } else if (flag == "--checks") {
      opt.checks = std::atoi(value);
    } else {
      std::fprintf(stderr,
                   "usage: bench_duplicates [--persons N] [--seed S] [--examples K]\n"
                   "       bench_duplicates --database URL [--persons N] [--checks C]\n");
      return 2;
    }
  }
  if (opt.persons < 100) {
    std::fprintf(stderr, "--persons must be at least 100\n");
    return 2;
  }
  try {
    return opt.database.empty() ? allervers::bench::Run(opt) : allervers::bench::RunDatabase(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_duplicates: %s\n", e.what());
    return 1;
  }
}
