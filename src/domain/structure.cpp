#include "domain/structure.hpp"

#include "common/text.hpp"

namespace allervers::domain {

FieldErrors ValidateStructure(StructureInput& in) {
  FieldErrors errors;
  in.code = text::Trim(in.code);
  for (char& ch : in.code) {
    if (ch >= 'a' && ch <= 'z') {
      ch = static_cast<char>(ch - 'a' + 'A');
    }
  }
  in.name = text::Trim(in.name);
  in.kind = text::Trim(in.kind);
  in.territory = text::Trim(in.territory);

  if (in.code.empty()) {
    errors.push_back({"code", "Indiquez le code de la structure."});
  } else if (in.code.size() < 2 || in.code.size() > 32) {
    errors.push_back({"code", "Le code doit compter de 2 à 32 caractères."});
  } else {
    for (char ch : in.code) {
      const bool ok =
          (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
      if (!ok) {
        errors.push_back({"code",
                          "Le code ne peut contenir que des lettres sans accent, des chiffres, « - "
                          "» et « _ »."});
        break;
      }
    }
  }
  if (in.name.empty()) {
    errors.push_back({"name", "Indiquez le nom de la structure."});
  } else if (!text::IsValidUtf8(in.name) || text::HasControlCharacters(in.name)) {
    errors.push_back({"name", "Le nom contient des caractères non autorisés."});
  } else if (text::CodePointCount(in.name) > 200) {
    errors.push_back({"name", "Le nom ne doit pas dépasser 200 caractères."});
  }
  if (!ParseStructureKind(in.kind)) {
    errors.push_back({"kind", "Choisissez le type de structure : opérateur, SSD ou partenaire."});
  }
  if (!text::IsValidUtf8(in.territory) || text::HasControlCharacters(in.territory)) {
    errors.push_back({"territory", "Le territoire contient des caractères non autorisés."});
  } else if (text::CodePointCount(in.territory) > 100) {
    errors.push_back({"territory", "Le territoire ne doit pas dépasser 100 caractères."});
  }
  if (!errors.empty() || in.name.empty()) {
    return errors;
  }
  in.name = text::ToNfc(in.name);
  in.territory = text::ToNfc(in.territory);
  return errors;
}

}  // namespace allervers::domain
