#pragma once

#include <optional>
#include <string>
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
/// punctuation folded, usual spelling variants merged (ph/f, c/k/qu, y/i, doubled letters,
/// silent endings), then the first letter and the consonants. "Dupont" and "Dupond" → "dpn";
/// "Mohamed", "Mohammed" and "Muhammad" → "mhm".
std::string PhoneticKey(std::string_view name);

/// Blocking keys under which a person is indexed: the persons sharing at least one key with
/// a new referral are the only ones scored. Covers typos (phonetic), swapped first and last
/// names, birth vs usage names, and missing birth dates.
std::vector<std::string> IndexKeys(const PersonIdentity& p);

/// The keys to look up for a probe: its index keys plus those of the swapped names.
std::vector<std::string> ProbeKeys(const PersonIdentity& p);

/// Jaro-Winkler similarity of two strings in [0, 1].
double JaroWinkler(std::string_view a, std::string_view b);

struct DuplicateMatch {
  double score = 0;  // log-likelihood-like; see kProbable / kPossible
  std::vector<std::string> reasons;  // French, shown to the coordinator
};

/// Scores how likely two records are the same person.
DuplicateMatch ScoreDuplicate(const PersonIdentity& a, const PersonIdentity& b);

/// From kProbable up, the two records are very likely the same person; from kPossible up they
/// are worth showing to the coordinator. Calibrated with bench/duplicates (docs/duplicates.md).
inline constexpr double kProbableDuplicate = 6.0;
inline constexpr double kPossibleDuplicate = 4.5;

}  // namespace allervers::domain
