#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"

namespace allervers::domain {

/// What duplicate detection compares: identity and contact data of a person, as stored.
struct PersonIdentity {
  std::string birth_name;   // nom de naissance
  std::string usage_name;   // nom d'usage (may be empty)
  std::string first_names;  // prénoms, first one first
  std::optional<LocalDate> birth_date;
  std::optional<int> birth_year;  // set when only the year is known (or from birth_date)
  std::string phone;              // E.164, may be empty
  std::string email;              // lower case, may be empty
  std::string postal_code;
};

/// A phonetic skeleton of a name for French and common immigrant names: accents, case and
/// punctuation folded, usual spelling variants merged (ph/f, c/k/qu, y/i, ou/u, sh/sch/ch…),
/// silent French endings dropped (Dupont/Dupond, Renaud/Renault, Legros/Legro), then the first
/// letter and the consonants, a doubled letter counted once. "Dupont" → "dpn"; "Mohamed",
/// "Mohammed" and "Muhammad" → "mmd". Lossy on purpose: blocking keys add the birth date or
/// year to it, and scoring compares the names themselves.
std::string PhoneticKey(std::string_view name);

/// Blocking keys under which a person is indexed (the person_key rows; at most 8): phone
/// "p:", e-mail "e:", and from the phonetic keys of the names, for the birth and the usage
/// name: family name + birth date "d:", first given name + birth date "f:", first given name +
/// family name + birth year ("?" when unknown) "y:", and first given name + birth name "x:".
/// The persons sharing at least one key with a new referral are the only ones scored.
std::vector<std::string> IndexKeys(const PersonIdentity& p);

/// The keys to look up for a new referral, most selective first: the same keys, read both as
/// typed and with the given names and family name swapped, plus "y:…:?" (stored persons
/// without birth date) when the referral has a date, or "x:" (all namesakes) when it has none.
/// Finds the same person despite accents, case, punctuation, spelling variants, a typo in one
/// of the names, swapped fields, a usage name, a first given name only, or a missing date.
std::vector<std::string> ProbeKeys(const PersonIdentity& p);

/// Jaro-Winkler similarity of two strings in [0, 1].
double JaroWinkler(std::string_view a, std::string_view b);

struct DuplicateMatch {
  double score = 0;                  // log-likelihood-like; see kProbable / kPossible
  std::vector<std::string> reasons;  // French, shown to the coordinator
};

/// Scores how likely two records are the same person: the sum of the weights of evidence of
/// the names (read as typed or swapped), the birth date, phone, e-mail and postal code, each
/// explained by a reason. The score does not depend on the order of the two records.
DuplicateMatch ScoreDuplicate(const PersonIdentity& a, const PersonIdentity& b);

/// From kProbable up, the two records are very likely the same person; from kPossible up they
/// are worth showing to the coordinator. Calibrated with bench/duplicates (docs/duplicates.md)
/// for up to ~100 000 persons: the more persons, the more namesakes, and the higher the
/// thresholds should be.
inline constexpr double kProbableDuplicate = 6.5;
inline constexpr double kPossibleDuplicate = 4.5;

}  // namespace allervers::domain
