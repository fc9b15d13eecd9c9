#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "domain/field_error.hpp"
#include "domain/reference.hpp"

namespace allervers::domain {

using PartnerStructureId = std::int64_t;
using PartnerServiceId = std::int64_t;

/// A partner structure, with the fields of the data·inclusion schema v1 (structure.json).
/// (source, external_id) identify it across imports.
struct PartnerStructure {
  PartnerStructureId id = 0;
  std::string source;       // "dora", "soliguide", "allervers" for one typed here…
  std::string external_id;  // data·inclusion's "id"
  std::string nom;
  std::string siret;
  std::string adresse;
  std::string complement_adresse;
  std::string code_postal;
  std::string code_insee;
  std::string commune;
  std::string telephone;
  std::string courriel;
  std::string site_web;
  std::string horaires_accueil;  // OpenStreetMap opening_hours
  std::string description;
  std::string lien_source;
  std::vector<std::string> reseaux_porteurs;
  LocalDate date_maj;
};

/// A service of a partner structure (data·inclusion service.json), what a person is oriented to.
struct PartnerService {
  PartnerServiceId id = 0;
  PartnerStructureId structure_id = 0;
  std::string source;
  std::string external_id;
  std::string structure_external_id;  // data·inclusion's "structure_id", for the import
  std::string nom;
  std::string description;
  std::string type;                        // types-de-services
  std::vector<std::string> thematiques;    // "<category>--<sub-theme>"
  std::vector<std::string> publics;        // publics
  std::vector<std::string> frais;          // frais
  std::vector<std::string> modes_accueil;  // en-presentiel, a-distance
  std::vector<std::string> modes_mobilisation;
  std::vector<std::string> mobilisable_par;  // personnes-mobilisatrices
  std::string lien_mobilisation;
  std::string conditions_acces;
  std::string contact_nom_prenom;
  std::string telephone;
  std::string courriel;
  std::string adresse;
  std::string complement_adresse;
  std::string code_postal;
  std::string code_insee;
  std::string commune;
  std::vector<std::string> zone_eligibilite;  // INSEE codes of communes, départements…
  std::string horaires_accueil;
  LocalDate date_maj;

  // Read from the structure, for lists.
  std::string structure_nom;
  std::string structure_commune;
  std::string structure_telephone;
};

/// A list field of a data·inclusion record as found in its exports: a JSON array text
/// (`["a", "b"]`), a PostgreSQL array (`{a,b}`), or values separated by `,`, `;` or `|`.
/// Values are trimmed; empty ones are dropped.
std::vector<std::string> SplitInclusionList(std::string_view raw);

/// What an import said about one record: `errors` reject it, `warnings` name what was dropped
/// (an unknown theme, a malformed phone…) while the record is kept.
struct RecordCheck {
  FieldErrors errors;
  FieldErrors warnings;
};

/// Trims and checks a structure read from an export: source, id, nom and date_maj (ISO date, a
/// date-time is cut to its date) are required; a malformed SIRET, postal code or e-mail is
/// dropped with a warning.
RecordCheck CheckPartnerStructure(PartnerStructure& s, std::string_view date_maj);

/// Same for a service: source, id, structure_id, nom and date_maj are required (data·inclusion
/// also requires a description; a missing one is accepted with a warning, as partners' data
/// vary); values outside the schema's lists are dropped with a warning.
RecordCheck CheckPartnerService(PartnerService& s, std::string_view date_maj,
                                const InclusionLists& lists);

/// The label of a theme, or of a category when `code` has no "--".
std::string ThemeLabel(const InclusionLists& lists, const Vocabulary& categories,
                       std::string_view code);

}  // namespace allervers::domain
