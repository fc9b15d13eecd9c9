#include "domain/partner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/text.hpp"

namespace allervers::domain {
namespace {

constexpr std::size_t kMaxShortText = 300;
constexpr std::size_t kMaxLongText = 5000;

// Trims a text field; an unreadable or over-long value is an error for a required field and
// dropped with a warning otherwise.
void Clean(std::string& value, const char* field, std::size_t max, bool required,
           RecordCheck& check) {
  value = text::Trim(value);
  if (!text::IsValidUtf8(value) || text::HasControlCharacters(value)) {
    value.clear();
    (required ? check.errors : check.warnings)
        .push_back(FieldError{field, "valeur illisible (caractères invalides)"});
  } else if (text::CodePointCount(value) > max) {
    if (required) {
      check.errors.push_back(FieldError{field, fmt::format("plus de {} caractères", max)});
    } else {
      value = text::Truncate(value, max);
      check.warnings.push_back(FieldError{field, fmt::format("coupé à {} caractères", max)});
    }
  }
  if (required && value.empty() &&
      std::none_of(check.errors.begin(), check.errors.end(),
                   [&](const FieldError& e) { return e.field == field; })) {
    check.errors.push_back(FieldError{field, "manquant"});
  }
}

bool AllDigits(std::string_view s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Drops a value that does not have the expected shape, with a warning.
void Shape(std::string& value, bool ok, const char* field, RecordCheck& check) {
  if (!value.empty() && !ok) {
    check.warnings.push_back(FieldError{
        field, fmt::format("« {} » ignoré (format inattendu)", text::Truncate(value, 40))});
    value.clear();
  }
}

bool LooksLikeEmail(std::string_view s) {
  const auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && s.find('.', at) != std::string_view::npos &&
         s.find_first_of(" \t<>\"") == std::string_view::npos;
}

bool LooksLikeWebLink(std::string_view s) {
  return (s.starts_with("https://") || s.starts_with("http://")) &&
         s.find_first_of(" \t<>\"") == std::string_view::npos;
}

// An ISO date or date-time ("2026-04-27T10:00:00+02:00" → 2026-04-27).
void Date(std::string_view raw, LocalDate& out, RecordCheck& check) {
  const std::string s = text::Trim(raw);
  const auto d = ParseIsoDate(std::string_view(s).substr(0, 10));
  if (!d) {
    check.errors.push_back(FieldError{"date_maj", s.empty() ? "manquant" : "date illisible"});
    return;
  }
  out = *d;
}

// Keeps the values of `list` that `vocabulary` knows, warning about the others.
void KnownValues(std::vector<std::string>& list, const Vocabulary& vocabulary, const char* field,
                 RecordCheck& check) {
  std::vector<std::string> kept;
  for (auto& value : list) {
    if (vocabulary.Contains(value)) {
      if (std::find(kept.begin(), kept.end(), value) == kept.end()) {
        kept.push_back(value);
      }
    } else {
      check.warnings.push_back(FieldError{
          field, fmt::format("« {} » ignoré (hors du référentiel)", text::Truncate(value, 60))});
    }
  }
  list = std::move(kept);
}

void CleanPlace(std::string& adresse, std::string& complement, std::string& code_postal,
                std::string& code_insee, std::string& commune, RecordCheck& check) {
  Clean(adresse, "adresse", kMaxShortText, false, check);
  Clean(complement, "complement_adresse", kMaxShortText, false, check);
  Clean(code_postal, "code_postal", 5, false, check);
  Shape(code_postal, AllDigits(code_postal, 5), "code_postal", check);
  Clean(code_insee, "code_insee", 5, false, check);
  Shape(code_insee,
        code_insee.size() == 5 && std::all_of(code_insee.begin(), code_insee.end(),
                                              [](unsigned char c) { return std::isalnum(c); }),
        "code_insee", check);
  Clean(commune, "commune", 100, false, check);
}

}  // namespace

std::vector<std::string> SplitInclusionList(std::string_view raw) {
  std::string s = text::Trim(raw);
  if (s.size() >= 2 &&
      ((s.front() == '[' && s.back() == ']') || (s.front() == '{' && s.back() == '}'))) {
    s = s.substr(1, s.size() - 2);
  }
  std::vector<std::string> out;
  std::string current;
  const auto flush = [&] {
    std::string v = text::Trim(current);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = text::Trim(std::string_view(v).substr(1, v.size() - 2));
    }
    if (!v.empty()) {
      out.push_back(std::move(v));
    }
    current.clear();
  };
  for (const char c : s) {
    if (c == ',' || c == ';' || c == '|') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

RecordCheck CheckPartnerStructure(PartnerStructure& s, std::string_view date_maj) {
  RecordCheck check;
  Date(date_maj, s.date_maj, check);
  Clean(s.source, "source", 100, true, check);
  Clean(s.external_id, "id", 200, true, check);
  Clean(s.nom, "nom", kMaxShortText, true, check);
  Clean(s.siret, "siret", 14, false, check);
  Shape(s.siret, AllDigits(s.siret, 14), "siret", check);
  CleanPlace(s.adresse, s.complement_adresse, s.code_postal, s.code_insee, s.commune, check);
  Clean(s.telephone, "telephone", 30, false, check);
  Clean(s.courriel, "courriel", 200, false, check);
  Shape(s.courriel, LooksLikeEmail(s.courriel), "courriel", check);
  Clean(s.site_web, "site_web", 500, false, check);
  Shape(s.site_web, LooksLikeWebLink(s.site_web), "site_web", check);
  Clean(s.lien_source, "lien_source", 500, false, check);
  Shape(s.lien_source, LooksLikeWebLink(s.lien_source), "lien_source", check);
  Clean(s.horaires_accueil, "horaires_accueil", kMaxShortText, false, check);
  Clean(s.description, "description", kMaxLongText, false, check);
  return check;
}

RecordCheck CheckPartnerService(PartnerService& s, std::string_view date_maj,
                                const InclusionLists& lists) {
  RecordCheck check;
  Date(date_maj, s.date_maj, check);
  Clean(s.source, "source", 100, true, check);
  Clean(s.external_id, "id", 200, true, check);
  Clean(s.structure_external_id, "structure_id", 200, true, check);
  Clean(s.nom, "nom", kMaxShortText, true, check);
  Clean(s.description, "description", kMaxLongText, false, check);
  if (s.description.empty()) {
    check.warnings.push_back(FieldError{"description", "manquante"});
  }
  if (!s.type.empty() && !lists.types.Contains(s.type)) {
    Shape(s.type, false, "type", check);
  }
  KnownValues(s.thematiques, lists.thematiques, "thematiques", check);
  KnownValues(s.publics, lists.publics, "publics", check);
  KnownValues(s.frais, lists.frais, "frais", check);
  KnownValues(s.modes_accueil, lists.modes_accueil, "modes_accueil", check);
  KnownValues(s.modes_mobilisation, lists.modes_mobilisation, "modes_mobilisation", check);
  KnownValues(s.mobilisable_par, lists.personnes_mobilisatrices, "mobilisable_par", check);
  Clean(s.lien_mobilisation, "lien_mobilisation", 500, false, check);
  Shape(s.lien_mobilisation, LooksLikeWebLink(s.lien_mobilisation), "lien_mobilisation", check);
  Clean(s.conditions_acces, "conditions_acces", kMaxLongText, false, check);
  Clean(s.contact_nom_prenom, "contact_nom_prenom", 200, false, check);
  Clean(s.telephone, "telephone", 30, false, check);
  Clean(s.courriel, "courriel", 200, false, check);
  Shape(s.courriel, LooksLikeEmail(s.courriel), "courriel", check);
  CleanPlace(s.adresse, s.complement_adresse, s.code_postal, s.code_insee, s.commune, check);
  Clean(s.horaires_accueil, "horaires_accueil", kMaxShortText, false, check);
  return check;
}

std::string ThemeLabel(const InclusionLists& lists, const Vocabulary& categories,
                       std::string_view code) {
  if (code.find("--") == std::string_view::npos) {
    return categories.Label(code);
  }
  return lists.thematiques.Label(code);
}

}  // namespace allervers::domain
