#include "domain/user.hpp"

#include <charconv>

#include "common/text.hpp"

namespace allervers::domain {

std::string NormalizeEmail(std::string_view email) { return text::ToLowerAscii(text::Trim(email)); }

bool IsPlausibleEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254) {
    return false;
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') {
    return false;
  }
  for (char ch : email) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u == 0x7F || ch == ',' || ch == ';' || ch == '<' || ch == '>' || ch == '"') {
      return false;
    }
  }
  return text::IsValidUtf8(email);
}

std::optional<double> ParseFte(std::string_view s) {
  std::string t = text::Trim(s);
  for (char& ch : t) {
    if (ch == ',') {
      ch = '.';
    }
  }
  if (t.empty() || t.size() > 8) {
    return std::nullopt;
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || ptr != t.data() + t.size() || !(value > 0.0) || value > 1.0) {
    return std::nullopt;
  }
  return value;
}

FieldErrors ValidateUserFields(UserInput& in) {
  FieldErrors errors;
  in.email = NormalizeEmail(in.email);
  in.display_name = text::Trim(in.display_name);
  in.role = text::Trim(in.role);
  in.structure_code = text::Trim(in.structure_code);
  in.fte = text::Trim(in.fte);

  if (in.email.empty()) {
    errors.push_back({"email", "Indiquez l’adresse e-mail."});
  } else if (!IsPlausibleEmail(in.email)) {
    errors.push_back(
        {"email", "Indiquez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."});
  }
  if (in.display_name.empty()) {
    errors.push_back({"display_name", "Indiquez le prénom et le nom."});
  } else if (!text::IsValidUtf8(in.display_name) || text::HasControlCharacters(in.display_name)) {
    errors.push_back({"display_name", "Le nom contient des caractères non autorisés."});
  } else if (text::CodePointCount(in.display_name) > 120) {
    errors.push_back({"display_name", "Le nom ne doit pas dépasser 120 caractères."});
  } else {
    in.display_name = text::ToNfc(in.display_name);
  }
  const auto role = ParseRole(in.role);
  if (!role) {
    errors.push_back({"role", "Choisissez un rôle dans la liste."});
  }
  if (!in.fte.empty()) {
    if (!ParseFte(in.fte)) {
      errors.push_back(
          {"fte", "Le temps de travail (ETP) est un nombre entre 0 et 1, par exemple 0,5."});
    } else if (role && *role != Role::kIntervenant && *role != Role::kCoordinateur) {
      errors.push_back({"fte", "L’ETP ne concerne que les membres de l’équipe mobile."});
    }
  }
  return errors;
}

}  // namespace allervers::domain
