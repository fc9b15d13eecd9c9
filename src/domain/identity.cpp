#include "domain/identity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "common/text.hpp"

// How duplicate detection works, the figures it reaches and how to measure them again:
// docs/duplicates.md (benchmark: bench/duplicates/generate_and_measure.cpp).

namespace allervers::domain {
namespace {

// ---- Folding and tokens --------------------------------------------------------------------

// text::FoldForSearch goes through an ICU transliterator, about 10 µs a call, and scoring folds
// the names of both records for every candidate. Most names typed in France are ASCII or use
// the accented letters of Latin-1 and Latin Extended-A and B (French, Portuguese, Turkish,
// Polish, Czech, Romanian…), which fold one letter at a time: for them we use a table computed
// once with FoldForSearch itself, keeping only the code points that fold alike inside a word, so
// that both always agree. Anything else (Vietnamese, other scripts, ©, ½) goes through ICU.
constexpr char32_t kTableFirst = 0xA0;
constexpr char32_t kTableEnd = 0x250;  // end of Latin Extended-B

struct LatinFold {
  bool known = false;
  std::string folded;  // "" for a separator such as a no-break space
};

const std::vector<LatinFold>& LatinFolds() {
  static const std::vector<LatinFold> table = [] {
    std::vector<LatinFold> t;
    for (char32_t cp = kTableFirst; cp < kTableEnd; ++cp) {
      const std::string utf8{static_cast<char>(0xC0 | (cp >> 6)),
                             static_cast<char>(0x80 | (cp & 0x3F))};
      LatinFold f;
      f.folded = text::FoldForSearch(utf8);
      const std::string expected = f.folded.empty() ? "a b" : "a" + f.folded + "b";
      f.known = f.folded.find(' ') == std::string::npos &&
                text::FoldForSearch("a" + utf8 + "b") == expected;
      t.push_back(std::move(f));
    }
    return t;
  }();
  return table;
}

std::string Fold(std::string_view s) {
  const auto& table = LatinFolds();
  std::string out;
  out.reserve(s.size());
  bool space = true;
  auto append = [&](std::string_view folded) {
    if (folded.empty()) {
      if (!space) {
        out.push_back(' ');
        space = true;
      }
      return;
    }
    out += folded;
    space = false;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const char lower =
          c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
      const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
      append(keep ? std::string_view(&lower, 1) : std::string_view());
      continue;
    }
    if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      const char32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (cp >= kTableFirst && cp < kTableEnd && table[cp - kTableFirst].known) {
        append(table[cp - kTableFirst].folded);
        ++i;
        continue;
      }
    }
    return text::FoldForSearch(s);
  }
  if (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

std::vector<std::string> Tokens(std::string_view folded) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : folded) {
    if (c == ' ') {
      if (!cur.empty()) {
        out.push_back(cur);
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) {
    out.push_back(cur);
  }
  return out;
}

std::string Concat(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    out += t;
  }
  return out;
}

// Particles that are often left out ("De Oliveira" / "Oliveira", "El Idrissi" / "Idrissi").
// "Le", "Ben", "N'" and "Aït" are not: they are glued ("Legoff", "Benali", "Ndiaye") rather than
// dropped, and gluing is already covered by comparing names without their spaces.
bool IsDroppableParticle(std::string_view t) {
  static constexpr std::array<std::string_view, 15> kParticles = {
      "de", "d",   "du",    "des", "da",  "do", "dos", "das",
      "di", "del", "della", "van", "von", "el", "al"};
  return std::find(kParticles.begin(), kParticles.end(), t) != kParticles.end();
}

// A family name in the forms we compare.
struct Surname {
  std::string compact;  // "ferreiradasilva": accents, case, spaces, hyphens, apostrophes ignored
  std::string core;     // "ferreirasilva": without the droppable particles
  std::vector<std::string> parts;  // "ferreira", "silva": the parts of a compound name
};

Surname MakeSurname(std::string_view folded) {
  Surname s;
  const auto tokens = Tokens(folded);
  s.compact = Concat(tokens);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    // A lone letter is an elision glued to what follows: "n diaye" is one part, "ndiaye".
    if (tokens[i].size() == 1 && i + 1 < tokens.size()) {
      s.parts.push_back(tokens[i] + tokens[i + 1]);
      s.core += tokens[i] + tokens[i + 1];
      ++i;
      continue;
    }
    if (IsDroppableParticle(tokens[i]) && i + 1 < tokens.size()) {
      continue;
    }
    s.parts.push_back(tokens[i]);
    s.core += tokens[i];
  }
  return s;
}

// Given names as a list of tokens: "Jean-Pierre Marie" → jean, pierre, marie. Particles of
// Portuguese names ("Maria de Fátima") are left out, and so is the Vietnamese middle name
// (Thị for women, Văn for men), which is shared by half the community and often omitted.
std::vector<std::string> GivenTokens(std::string_view folded) {
  const auto tokens = Tokens(folded);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    const bool more = i + 1 < tokens.size();
    const bool vietnamese_middle = (t == "thi" || t == "van") && more;
    const bool particle =
        (t == "de" || t == "da" || t == "do" || t == "dos" || t == "das" || t == "del") &&
        !out.empty();
    if (t.size() == 1 && more) {
      out.push_back(t + tokens[i + 1]);  // elision
      ++i;
    } else if (!vietnamese_middle && !particle) {
      out.push_back(t);
    }
  }
  return out;
}

struct Folded {
  std::vector<Surname> last_names;  // birth name first, then the usage name if another one
  bool has_usage = false;           // last_names[1] is the usage name
  std::vector<std::string> given;   // given-name tokens
  std::string given_compact;        // "jeanpierre"
  char vietnamese_sex = 0;          // 'f' after Thị, 'm' after Văn: they tell women from men
};

// The name fields of a record, folded once: they are read both as typed and swapped.
struct FoldedFields {
  std::string birth;
  std::string usage;
  std::string given;
  const std::string& last() const { return usage.empty() ? birth : usage; }  // the name in use
};

FoldedFields FoldFields(const PersonIdentity& p) {
  return {Fold(p.birth_name), Fold(p.usage_name), Fold(p.first_names)};
}

// `birth`, `usage` and `given` are folded.
Folded Analyse(const std::string& birth, const std::string& usage, const std::string& given) {
  Folded f;
  if (!birth.empty()) {
    f.last_names.push_back(MakeSurname(birth));
  }
  if (!usage.empty()) {
    Surname u = MakeSurname(usage);
    if (f.last_names.empty() || u.compact != f.last_names[0].compact) {
      f.has_usage = !f.last_names.empty();
      f.last_names.push_back(std::move(u));
    }
  }
  f.given = GivenTokens(given);
  f.given_compact = Concat(f.given);
  if (given.starts_with("thi ")) {
    f.vietnamese_sex = 'f';
  } else if (given.starts_with("van ")) {
    f.vietnamese_sex = 'm';
  }
  return f;
}

// Straight: as typed. Swapped: the given names read as the family name and the name in use as
// the given name, for a record whose fields were typed in each other's place.
Folded Straight(const FoldedFields& f) { return Analyse(f.birth, f.usage, f.given); }
Folded Swapped(const FoldedFields& f) { return Analyse(f.given, "", f.last()); }

std::optional<int> YearOf(const PersonIdentity& p) {
  if (p.birth_date) {
    return p.birth_date->year;
  }
  return p.birth_year;
}

// ---- String comparisons --------------------------------------------------------------------

// True when b is a with one typing error: a letter changed, missing, added, or two neighbouring
// letters swapped (Damerau–Levenshtein distance at most 1).
bool WithinOneEdit(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) {
    std::swap(a, b);
  }
  if (b.size() - a.size() > 1) {
    return false;
  }
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) {
    ++i;
  }
  if (i == a.size()) {
    return true;  // equal, or one letter added at the end
  }
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) {
      return true;  // one letter changed
    }
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);  // one letter added inside
}

// Feminine and masculine forms of a French given name are two persons, not a typo: Louis/Louise,
// Denis/Denise, Jean/Jeanne, Daniel/Danielle, Frédéric/Frédérique. Only for a masculine form of
// 4 letters or more that ends with a consonant, so that "Ophéli" stays a typo of "Ophélie".
bool IsGenderPair(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) {
    std::swap(a, b);
  }
  auto is_vowel = [](char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  };
  if (a.size() < 4 || (is_vowel(a.back()) && a.back() != 'a')) {
    return false;
  }
  if (a.back() == 'a' && b.size() == a.size() + 1 && b.starts_with(a) && b.back() == 'n') {
    return true;  // Maria / Marian, Julia / Julian
  }
  if (b.starts_with(a)) {
    const std::string_view tail = b.substr(a.size());
    return tail == "e" || (tail.size() == 2 && tail[0] == a.back() && tail[1] == 'e');
  }
  return a.back() == 'c' && b.size() == a.size() + 2 && b.starts_with(a.substr(0, a.size() - 1)) &&
         b.ends_with("que");
}

// Two spellings of one name: a typo (one edit, on names of 3 letters or more, or a letter lost
// from a 3-letter name: "Ali" / "Al"), two typos in a long name, or the same phonetic key
// (Mohamed / Muhammad, Lefèvre / Lefebvre).
// With `given`, for given names: masculine and feminine forms are not variants, and neither are
// names that differ by their first letter (Linh / Minh, Mamadou / Amadou, Awa / Hawa: a typo
// rarely hits the first letter, while such pairs of names are common), nor names that only
// sound alike but end differently (Alain / Aline, Marie / Mario).
bool SpellingVariants(const std::string& a, const std::string& b, bool given = false) {
  if (a == b) {
    return true;
  }
  if (a.empty() || b.empty() || (given && IsGenderPair(a, b))) {
    return false;
  }
  const std::size_t shortest = std::min(a.size(), b.size());
  const std::size_t longest = std::max(a.size(), b.size());
  if (given && a[0] != b[0] &&
      !(a.size() == b.size() && a.size() > 1 && a[0] == b[1] && a[1] == b[0])) {
    return false;
  }
  if (shortest >= 2 && longest >= 3 && WithinOneEdit(a, b)) {
    return true;
  }
  if (shortest >= 8 && longest - shortest <= 1 && JaroWinkler(a, b) >= 0.93) {
    return true;
  }
  if (given && a.back() != b.back()) {
    return false;
  }
  return shortest >= 3 && a[0] == b[0] && PhoneticKey(a) == PhoneticKey(b);
}

// ---- Family names --------------------------------------------------------------------------

// Ordered from the least to the most alike; kUnknown when a record has no family name.
enum class SurnameLevel { kNone, kUnknown, kPart, kClose, kNoParticle, kSame };

SurnameLevel CompareSurnames(const Surname& a, const Surname& b) {
  if (a.compact.empty() || b.compact.empty()) {
    return SurnameLevel::kNone;
  }
  if (a.compact == b.compact) {
    return SurnameLevel::kSame;  // "N'Diaye", "NDIAYE", "N Diaye"; "Le Goff", "Legoff"
  }
  if (!a.core.empty() && a.core == b.core) {
    return SurnameLevel::kNoParticle;  // "De Oliveira", "Oliveira"
  }
  if (SpellingVariants(a.compact, b.compact) || SpellingVariants(a.core, b.core)) {
    return SurnameLevel::kClose;
  }
  // One part of a compound name: "Martin-Leroy" / "Leroy", "Ferreira da Silva" / "Da Silva".
  if (a.parts.size() > 1 || b.parts.size() > 1) {
    for (const auto& x : a.parts) {
      for (const auto& y : b.parts) {
        if (std::min(x.size(), y.size()) >= 3 && SpellingVariants(x, y)) {
          return SurnameLevel::kPart;
        }
      }
    }
  }
  return SurnameLevel::kNone;
}

// ---- Given names ---------------------------------------------------------------------------

// Ordered from the least to the most alike; kUnknown when a record has no given name.
enum class GivenLevel {
  kDifferent,
  kConflict,
  kUnknown,
  kOtherName,
  kClose,
  kPartial,
  kSame,
  kSameSeveral
};

// True when every token of `shorter` appears in `longer`, in the same order.
bool IsSubsequence(const std::vector<std::string>& shorter,
                   const std::vector<std::string>& longer) {
  std::size_t j = 0;
  for (const auto& t : shorter) {
    while (j < longer.size() && !SpellingVariants(t, longer[j], true)) {
      ++j;
    }
    if (j == longer.size()) {
      return false;
    }
    ++j;
  }
  return true;
}

GivenLevel CompareGiven(const Folded& a, const Folded& b) {
  if (a.given.empty() || b.given.empty()) {
    return GivenLevel::kUnknown;
  }
  if (a.vietnamese_sex != 0 && b.vietnamese_sex != 0 && a.vietnamese_sex != b.vietnamese_sex) {
    return GivenLevel::kDifferent;  // Thị Hương and Văn Hùng: a sister and a brother
  }
  if (a.given == b.given || a.given_compact == b.given_compact) {
    return a.given.size() > 1 && b.given.size() > 1 ? GivenLevel::kSameSeveral : GivenLevel::kSame;
  }
  const auto& shorter = a.given.size() <= b.given.size() ? a.given : b.given;
  const auto& longer = a.given.size() <= b.given.size() ? b.given : a.given;
  const bool first_close = SpellingVariants(shorter[0], longer[0], true);
  if (first_close && IsSubsequence(shorter, longer)) {
    // "Claire" / "Claire Marie": only the first given name was typed; or a typo in one of them.
    const bool exact_tokens =
        std::all_of(shorter.begin(), shorter.end(), [&](const std::string& t) {
          return std::find(longer.begin(), longer.end(), t) != longer.end();
        });
    return exact_tokens ? GivenLevel::kPartial : GivenLevel::kClose;
  }
  if (SpellingVariants(a.given_compact, b.given_compact, true)) {
    return GivenLevel::kClose;  // "Jean-Pierre" / "Jeanpiere"
  }
  if (first_close) {
    // Same first token, other given names that differ: Jean-Pierre and Jean-Claude.
    return GivenLevel::kConflict;
  }
  // The usual given name is a later one on the other record: "Marie Claire" / "Claire".
  if (IsSubsequence(shorter, longer)) {
    return GivenLevel::kOtherName;
  }
  return GivenLevel::kDifferent;
}

// ---- Weights -------------------------------------------------------------------------------
//
// The score adds, for each field, about how much more likely the observed agreement is between
// two records of one person than between two different persons: a log-likelihood ratio, in
// natural units, halved and rounded (Fellegi–Sunter). Agreements add, disagreements subtract, a
// field missing on either record adds nothing (except the birth date, see ScoreDuplicate).
// Values were set with bench/duplicates; docs/duplicates.md gives the reasoning and the figures.

struct NameScore {
  double value = 0;
  SurnameLevel surname = SurnameLevel::kNone;
  GivenLevel given = GivenLevel::kDifferent;
  bool usage_vs_birth = false;  // the best match pairs a usage name with a birth name
};

double SurnameWeight(SurnameLevel l) {
  switch (l) {
    case SurnameLevel::kSame:
      return 3.0;
    case SurnameLevel::kNoParticle:
      return 2.5;
    case SurnameLevel::kClose:
    case SurnameLevel::kPart:
      return 2.0;
    case SurnameLevel::kUnknown:
      return 0.0;
    case SurnameLevel::kNone:
      break;
  }
  // Family names change with marriage, and the usage name is often not given: a different name
  // weighs much less against than a different given name.
  return -2.0;
}

double GivenWeight(GivenLevel l) {
  switch (l) {
    case GivenLevel::kSameSeveral:
      return 3.5;  // two or three given names alike: much rarer by chance than one
    case GivenLevel::kSame:
      return 2.5;
    case GivenLevel::kPartial:
      return 2.0;
    case GivenLevel::kClose:
      return 1.5;
    case GivenLevel::kOtherName:
      return 1.0;
    case GivenLevel::kUnknown:
      return 0.0;
    case GivenLevel::kConflict:
      return -7.0;
    case GivenLevel::kDifferent:
      break;
  }
  // A person keeps their given name for life: two different given names are two persons, even
  // with the same family name, birth date and phone (twins, brothers and sisters).
  return -8.0;
}

NameScore ScoreNames(const Folded& a, const Folded& b) {
  NameScore best;
  best.value = -1e9;
  best.given = CompareGiven(a, b);
  const double given = GivenWeight(best.given);
  if (a.last_names.empty() || b.last_names.empty()) {
    best.value = given;
    best.surname = SurnameLevel::kUnknown;
    return best;
  }
  for (std::size_t i = 0; i < a.last_names.size(); ++i) {
    for (std::size_t j = 0; j < b.last_names.size(); ++j) {
      const SurnameLevel l = CompareSurnames(a.last_names[i], b.last_names[j]);
      const double v = SurnameWeight(l) + given;
      if (v > best.value) {
        best.value = v;
        best.surname = l;
        best.usage_vs_birth = (i == 1 && a.has_usage) != (j == 1 && b.has_usage);
      }
    }
  }
  if (best.surname == SurnameLevel::kNone) {
    best.usage_vs_birth = false;
  }
  return best;
}

// Dates that differ by a swapped day and month or by one typed digit.
enum class DateLevel { kUnknown, kSame, kSwapped, kOneDigit, kSameYear, kNextYear, kDifferent };

DateLevel CompareDates(const PersonIdentity& a, const PersonIdentity& b) {
  if (a.birth_date && b.birth_date) {
    const LocalDate& x = *a.birth_date;
    const LocalDate& y = *b.birth_date;
    if (x == y) {
      return DateLevel::kSame;
    }
    if (x.year == y.year && x.month == y.day && x.day == y.month) {
      return DateLevel::kSwapped;
    }
    const std::string sx = ToIso(x);
    const std::string sy = ToIso(y);
    int diff = 0;
    for (std::size_t i = 0; i < sx.size() && i < sy.size(); ++i) {
      diff += sx[i] != sy[i] ? 1 : 0;
    }
    return diff == 1 ? DateLevel::kOneDigit : DateLevel::kDifferent;
  }
  const auto ya = YearOf(a);
  const auto yb = YearOf(b);
  if (!ya || !yb) {
    return DateLevel::kUnknown;
  }
  if (*ya == *yb) {
    return DateLevel::kSameYear;
  }
  return std::abs(*ya - *yb) == 1 ? DateLevel::kNextYear : DateLevel::kDifferent;
}

void AddNameReasons(const NameScore& n, bool swapped, std::vector<std::string>& reasons) {
  const bool same_surname = n.surname == SurnameLevel::kSame;
  const bool same_given = n.given == GivenLevel::kSame || n.given == GivenLevel::kSameSeveral;
  if (same_surname && same_given) {
    const bool several = n.given == GivenLevel::kSameSeveral;
    reasons.emplace_back(swapped ? (several ? "mêmes nom et prénoms, saisis inversés"
                                            : "mêmes nom et prénom, saisis inversés")
                                 : (several ? "mêmes nom et prénoms" : "mêmes nom et prénom"));
  } else {
    if (swapped) {
      reasons.emplace_back("nom et prénom saisis inversés");
    }
    switch (n.surname) {
      case SurnameLevel::kSame:
        reasons.emplace_back("même nom");
        break;
      case SurnameLevel::kNoParticle:
        reasons.emplace_back("même nom, à la particule près");
        break;
      case SurnameLevel::kClose:
        reasons.emplace_back("nom proche (faute de frappe ou autre orthographe)");
        break;
      case SurnameLevel::kPart:
        reasons.emplace_back("nom composé en partie identique");
        break;
      case SurnameLevel::kNone:
        reasons.emplace_back("nom différent (nom d’usage non renseigné ?)");
        break;
      case SurnameLevel::kUnknown:
        break;
    }
    switch (n.given) {
      case GivenLevel::kSameSeveral:
        reasons.emplace_back("mêmes prénoms");
        break;
      case GivenLevel::kSame:
        reasons.emplace_back("même prénom");
        break;
      case GivenLevel::kPartial:
        reasons.emplace_back("premier prénom identique, autres prénoms absents d’une fiche");
        break;
      case GivenLevel::kClose:
        reasons.emplace_back("prénom proche (faute de frappe ou autre orthographe)");
        break;
      case GivenLevel::kOtherName:
        reasons.emplace_back("le prénom de l’une est un autre prénom de l’autre");
        break;
      case GivenLevel::kConflict:
        reasons.emplace_back("prénoms composés différents");
        break;
      case GivenLevel::kDifferent:
        reasons.emplace_back("prénoms différents");
        break;
      case GivenLevel::kUnknown:
        break;
    }
  }
  if (n.usage_vs_birth) {
    reasons.emplace_back("le nom d’usage de l’une correspond au nom de naissance de l’autre");
  }
}

// ---- Blocking keys -------------------------------------------------------------------------

// The names a record is indexed under: phonetic keys of each family name (birth, usage) and of
// the first given name.
struct KeyNames {
  std::vector<std::string> last;
  std::string first;
};

KeyNames KeyNamesOf(const Folded& f) {
  KeyNames k;
  for (const auto& s : f.last_names) {
    std::string key = PhoneticKey(s.compact);
    if (!key.empty() && std::find(k.last.begin(), k.last.end(), key) == k.last.end()) {
      k.last.push_back(std::move(key));
    }
  }
  if (!f.given.empty()) {
    k.first = PhoneticKey(f.given[0]);
  }
  return k;
}

class KeySet {
 public:
  void Add(std::string k) {
    if (std::find(keys_.begin(), keys_.end(), k) == keys_.end()) {
      keys_.push_back(std::move(k));
    }
  }
  std::vector<std::string> Take() { return std::move(keys_); }

 private:
  std::vector<std::string> keys_;
};

// Keys from names and birth data, for the straight or the swapped reading of the names.
// `probe` selects the keys looked up rather than stored: see ProbeKeys.
void AddNameKeys(const KeyNames& n, const PersonIdentity& p, bool probe, KeySet& keys) {
  if (p.birth_date) {
    const std::string date = ToIso(*p.birth_date);
    for (const auto& last : n.last) {
      keys.Add(fmt::format("d:{}:{}", last, date));
    }
    if (!n.first.empty()) {
      keys.Add(fmt::format("f:{}:{}", n.first, date));
    }
  }
  if (n.first.empty()) {
    return;
  }
  const auto year = YearOf(p);
  for (const auto& last : n.last) {
    keys.Add(fmt::format("y:{}:{}:{}", n.first, last, year ? std::to_string(*year) : "?"));
  }
  if (!probe) {
    if (!n.last.empty()) {
      keys.Add(fmt::format("x:{}:{}", n.first, n.last[0]));
    }
    return;
  }
  for (const auto& last : n.last) {
    if (year) {
      // Stored persons whose birth date is unknown, or whose year was typed one off (1958 for
      // 1959: the commonest date typo that changes the year).
      keys.Add(fmt::format("y:{}:{}:?", n.first, last));
      keys.Add(fmt::format("y:{}:{}:{}", n.first, last, *year - 1));
      keys.Add(fmt::format("y:{}:{}:{}", n.first, last, *year + 1));
    } else {
      // No birth date on the probe: every namesake.
      keys.Add(fmt::format("x:{}:{}", n.first, last));
    }
  }
}

}  // namespace

std::string PhoneticKey(std::string_view name) {
  std::string s;
  for (char c : Fold(name)) {
    if (c >= 'a' && c <= 'z') {
      s.push_back(c);
    }
  }
  if (s.empty()) {
    return s;
  }
  auto replace_all = [&s](std::string_view from, std::string_view to) {
    std::size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
      s.replace(pos, from.size(), to);
      pos += to.size();
    }
  };
  auto replace_end = [&s](std::string_view from, std::string_view to) {
    if (s.size() > from.size() + 1 && s.ends_with(from)) {
      s.replace(s.size() - from.size(), from.size(), to);
    }
  };
  // Silent French endings first, while the spelling still shows them:
  // Renaud/Renault/Reno, Devaux/Devau, Leroux/Lerou, Legros/Legro, Dupont/Dupond/Dupon.
  replace_end("ault", "o");
  replace_end("aut", "o");
  replace_end("aud", "o");
  replace_end("eau", "o");
  replace_end("aux", "o");
  replace_end("oux", "u");
  replace_end("eux", "e");
  if (s.size() > 3 && (s.back() == 't' || s.back() == 'd') && s[s.size() - 2] == 'n') {
    s.pop_back();
  }
  if (s.size() > 4 && s.back() == 's' &&
      std::string_view("aeiou").find(s[s.size() - 2]) != std::string_view::npos &&
      s[s.size() - 2] != 'e') {
    s.pop_back();  // Legros, Thomas; but not Gomes, Lopes (pronounced)
  }
  if (s.size() > 3 && s.back() == 'e') {
    s.pop_back();  // Jeanne, Lefèvre
  }
  // Spelling variants, longest patterns first.
  replace_all("sch", "ch");
  replace_all("tch", "ch");
  replace_all("sh", "ch");
  replace_all("ph", "f");
  replace_all("th", "t");
  replace_all("kh", "k");
  replace_all("gh", "g");
  replace_all("dh", "d");
  replace_all("dj", "j");
  replace_all("qu", "k");
  replace_all("ck", "k");
  replace_all("cq", "k");
  replace_all("q", "k");
  replace_all("bv", "v");  // Lefebvre
  replace_all("gn", "n");
  replace_all("ou", "u");
  replace_all("oo", "u");
  replace_all("w", "v");
  replace_all("y", "i");
  replace_all("z", "s");
  replace_all("x", "ks");
  // c is s before e and i, k elsewhere, except in ch; the u of gue, gui is silent.
  std::string t;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == 'c' && next != 'h') {
      c = (next == 'e' || next == 'i') ? 's' : 'k';
    }
    if (c == 'g' && next == 'u' && i + 2 < s.size() && (s[i + 2] == 'e' || s[i + 2] == 'i')) {
      t.push_back('g');
      ++i;
      continue;
    }
    t.push_back(c);
  }
  // The first letter (any vowel as 'a'), then the consonants. A doubled letter counts once,
  // but the same consonant on both sides of a vowel twice: Mohamed "mm", not "m".
  auto is_vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; };
  std::string key(1, is_vowel(t[0]) ? 'a' : t[0]);
  for (std::size_t i = 1; i < t.size(); ++i) {
    const char c = t[i];
    if (is_vowel(c) || (c == 'h' && t[i - 1] != 'c') || c == t[i - 1]) {
      continue;  // h is silent except in ch
    }
    key.push_back(c);
  }
  return key;
}

std::vector<std::string> IndexKeys(const PersonIdentity& p) {
  // At most 8 rows per person: phone, e-mail, then for each family name (birth, usage) the name
  // with the birth date and the names with the birth year; the first name with the birth date;
  // the names alone for the birth name. Every name key but x: carries the date or the year, so
  // that a block holds a handful of persons even among a million.
  KeySet keys;
  if (!p.phone.empty()) {
    keys.Add("p:" + p.phone);
  }
  if (!p.email.empty()) {
    keys.Add("e:" + p.email);
  }
  AddNameKeys(KeyNamesOf(Straight(FoldFields(p))), p, false, keys);
  return keys.Take();
}

std::vector<std::string> ProbeKeys(const PersonIdentity& p) {
  // Most selective first: ReferralService stops reading candidates after 200.
  KeySet keys;
  if (!p.phone.empty()) {
    keys.Add("p:" + p.phone);
  }
  if (!p.email.empty()) {
    keys.Add("e:" + p.email);
  }
  const FoldedFields fields = FoldFields(p);
  AddNameKeys(KeyNamesOf(Straight(fields)), p, true, keys);
  // First and last names typed in each other's field, on this record or on the stored one.
  AddNameKeys(KeyNamesOf(Swapped(fields)), p, true, keys);
  return keys.Take();
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) {
    return 1.0;
  }
  if (a.empty() || b.empty()) {
    return 0.0;
  }
  const int la = static_cast<int>(a.size());
  const int lb = static_cast<int>(b.size());
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::vector<bool> ma(a.size(), false);
  std::vector<bool> mb(b.size(), false);
  int matches = 0;
  for (int i = 0; i < la; ++i) {
    const int lo = std::max(0, i - window);
    const int hi = std::min(lb - 1, i + window);
    for (int j = lo; j <= hi; ++j) {
      if (!mb[static_cast<std::size_t>(j)] &&
          a[static_cast<std::size_t>(i)] == b[static_cast<std::size_t>(j)]) {
        ma[static_cast<std::size_t>(i)] = mb[static_cast<std::size_t>(j)] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) {
    return 0.0;
  }
  int transpositions = 0;
  int k = 0;
  for (int i = 0; i < la; ++i) {
    if (!ma[static_cast<std::size_t>(i)]) {
      continue;
    }
    while (!mb[static_cast<std::size_t>(k)]) {
      ++k;
    }
    if (a[static_cast<std::size_t>(i)] != b[static_cast<std::size_t>(k)]) {
      ++transpositions;
    }
    ++k;
  }
  const double m = matches;
  const double jaro = (m / la + m / lb + (m - transpositions / 2.0) / m) / 3.0;
  int prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb &&
         a[static_cast<std::size_t>(prefix)] == b[static_cast<std::size_t>(prefix)]) {
    ++prefix;
  }
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

DuplicateMatch ScoreDuplicate(const PersonIdentity& a, const PersonIdentity& b) {
  DuplicateMatch m;
  const FoldedFields a_fields = FoldFields(a);
  const FoldedFields b_fields = FoldFields(b);
  const Folded fa = Straight(a_fields);
  const Folded fb = Straight(b_fields);

  // Names: as typed, or with the given names and the family name swapped on either record
  // (both readings, so that the score does not depend on which record is the new one). The
  // swap costs a little: it is one more thing that has to have gone wrong.
  const NameScore straight = ScoreNames(fa, fb);
  const NameScore b_swapped = ScoreNames(fa, Swapped(b_fields));
  const NameScore a_swapped = ScoreNames(Swapped(a_fields), fb);
  NameScore swapped = a_swapped.value > b_swapped.value ? a_swapped : b_swapped;
  swapped.value -= 0.5;
  // A swap explains two differences at once only when both names then agree: "André André"
  // is not "Marie-Louise André" with her names swapped and her family name changed.
  const bool is_swapped = swapped.value > straight.value &&
                          swapped.surname > SurnameLevel::kUnknown &&
                          swapped.given > GivenLevel::kUnknown;
  const NameScore& names = is_swapped ? swapped : straight;
  m.score += names.value;
  AddNameReasons(names, is_swapped, m.reasons);

  // Birth date. A full date shared by two different persons with close names is rare, so it
  // weighs most; the year alone much less (namesakes born the same year are common).
  switch (CompareDates(a, b)) {
    case DateLevel::kSame:
      m.score += 5.0;
      m.reasons.emplace_back("même date de naissance");
      break;
    case DateLevel::kSwapped:
      m.score += 3.0;
      m.reasons.emplace_back("même date de naissance, jour et mois inversés");
      break;
    case DateLevel::kOneDigit:
      // About 25 dates are one digit away from a given date: weak evidence, a namesake born
      // nearby is more likely than a typo.
      m.score += 0.5;
      m.reasons.emplace_back("dates de naissance à un chiffre près");
      break;
    case DateLevel::kSameYear:
      m.score += 1.0;
      m.reasons.emplace_back("même année de naissance (date complète inconnue sur une fiche)");
      break;
    case DateLevel::kNextYear:
      m.score -= 1.5;
      m.reasons.emplace_back("années de naissance voisines");
      break;
    case DateLevel::kDifferent:
      // Strong enough that a father and a son of the same names, living together (same phone,
      // same postal code), stay below "possible".
      m.score -= 6.0;
      m.reasons.emplace_back("dates de naissance différentes");
      break;
    case DateLevel::kUnknown:
      // Nothing to compare, but such a pair was found among all the namesakes (the x: key),
      // not only those born the same year: it starts a little lower.
      m.score -= 0.5;
      break;
  }

  // Contacts. A phone number or an e-mail is shared within a couple or a family, and a number
  // changes: strong for, weak against.
  if (!a.phone.empty() && !b.phone.empty()) {
    if (a.phone == b.phone) {
      m.score += 3.0;
      m.reasons.emplace_back("même numéro de téléphone");
    } else {
      m.score -= 1.0;
      m.reasons.emplace_back("numéros de téléphone différents");
    }
  }
  if (!a.email.empty() && !b.email.empty()) {
    if (a.email == b.email) {
      m.score += 3.0;
      m.reasons.emplace_back("même adresse e-mail");
    } else {
      m.score -= 0.5;
      m.reasons.emplace_back("adresses e-mail différentes");
    }
  }
  // The team covers some twenty postal codes: sharing one is real evidence, and most persons
  // have not moved between two referrals.
  if (!a.postal_code.empty() && !b.postal_code.empty()) {
    if (a.postal_code == b.postal_code) {
      m.score += 1.0;
      m.reasons.emplace_back("même code postal");
    } else {
      m.score -= 0.5;
      m.reasons.emplace_back("codes postaux différents");
    }
  }
  return m;
}

}  // namespace allervers::domain
