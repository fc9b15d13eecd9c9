#include "security/password_policy.hpp"

#include <zxcvbn.h>

#include <array>

#include "common/text.hpp"

namespace allervers::security {
namespace {

// French words and local names that English dictionaries miss and that people build
// passwords on. Our own list, not a copy of any published one.
constexpr std::array<const char*, 48> kFrenchWords = {
    "motdepasse",  "azerty",   "azertyuiop", "bonjour",    "soleil",    "bienvenue",  "allervers",
    "cergy",       "pontoise", "valdoise",   "france",     "paris",     "marseille",  "lyon",
    "toulouse",    "nicolas",  "julien",     "camille",    "nathalie",  "isabelle",   "sylvie",
    "chouchou",    "doudou",   "loulou",     "chocolat",   "princesse", "amour",      "jetaime",
    "coucou",      "salut",    "famille",    "maison",     "vacances",  "football",   "olympique",
    "departement", "social",   "numerique",  "solidarite", "mediateur", "conseiller", "secret",
    "liberte",     "egalite",  "fraternite", "printemps",  "automne",   "hiver",
};

}  // namespace

std::optional<std::string> ZxcvbnPasswordPolicy::Check(
    std::string_view password, const std::vector<std::string>& context) const {
  if (password.size() > kMaxBytes) {
    return "Le mot de passe est trop long (1 024 caractères au plus).";
  }
  if (!text::IsValidUtf8(password)) {
    return "Le mot de passe contient des caractères non reconnus.";
  }
  if (text::CodePointCount(password) < kMinLength) {
    return "Le mot de passe doit compter au moins 12 caractères. Une phrase de plusieurs mots est "
           "facile à retenir.";
  }
  // zxcvbn wants a NULL-terminated list of words; context words are split on separators
  // so that "prenom.nom@exemple.fr" contributes "prenom", "nom" and "exemple".
  std::vector<std::string> words;
  for (const auto& item : context) {
    const std::string folded = text::FoldForSearch(item);
    std::string current;
    for (char ch : folded + " ") {
      if (ch == ' ') {
        if (current.size() >= 3) {
          words.push_back(current);
        }
        current.clear();
      } else {
        current.push_back(ch);
      }
    }
  }
  std::vector<const char*> dict;
  for (const char* w : kFrenchWords) {
    dict.push_back(w);
  }
  for (const auto& w : words) {
    dict.push_back(w.c_str());
  }
  dict.push_back(nullptr);
  const std::string pw(password);
  const double bits = ZxcvbnMatch(pw.c_str(), dict.data(), nullptr);
  if (bits < kMinEntropyBits) {
    return "Ce mot de passe est trop courant ou trop facile à deviner. Choisissez par exemple une "
           "phrase de quatre mots sans lien entre eux.";
  }
  return std::nullopt;
}

}  // namespace allervers::security
