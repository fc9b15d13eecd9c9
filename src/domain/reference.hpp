#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/assessment.hpp"
#include "domain/choice.hpp"

namespace allervers::domain {

/// One online procedure of the catalogue (data/procedures.json), after domain.md §2.
struct Procedure {
  std::string code;  // "CAF-RSA"
  std::string label;
  std::string organisation;
  std::string site;
  std::string domain;        // administrative theme code
  std::string channel;       // en_ligne, papier, mixte
  bool opens_right = false;  // a benefit or right: counted as non-recours outcome
  std::vector<std::string> prerequisites;
  std::vector<std::string> documents;  // the checklist of documents to gather
  std::optional<int> renewal_months;
  std::optional<int> renewal_notice_days;
};

struct ProcedureCatalogue {
  std::string version;
  std::string updated;
  Vocabulary domains;
  std::vector<Procedure> procedures;

  const Procedure* Find(std::string_view code) const;
};

struct Vocabularies {
  std::string version;
  std::string updated;
  Vocabulary contact_preferences;
  Vocabulary situations;
  Vocabulary social_statuses;
  Vocabulary genders;
  Vocabulary digital_difficulties;
  Vocabulary administrative_themes;
  Vocabulary digital_themes;
  Vocabulary closure_reasons;
  Vocabulary not_receivable_reasons;
  Vocabulary consent_methods;
  Vocabulary languages;
  // Activity vocabularies of La Coop de la médiation numérique (french_anchors.md §3.1).
  Vocabulary intervention_places;
  Vocabulary intervention_modalities;
  Vocabulary equipment;
  Vocabulary autonomy;
  Vocabulary redirection_kinds;
  // Orientations: what may be shared with a partner, with the person's agreement.
  Vocabulary orientation_shared;
  Vocabulary orientation_consent_methods;  // how the person agreed to what is shared
  Vocabulary review_participants;          // who takes part in a co-accompaniment review
  // The 16 categories of data·inclusion's thematiques (the sub-themes are in `InclusionLists`).
  Vocabulary inclusion_theme_categories;
};

/// The value lists of the data·inclusion schema v1 (data/data-inclusion/), as shipped.
struct InclusionLists {
  Vocabulary thematiques;  // "<category>--<sub-theme>"
  Vocabulary publics;
  Vocabulary frais;
  Vocabulary modes_accueil;
  Vocabulary types;
  Vocabulary modes_mobilisation;
  Vocabulary personnes_mobilisatrices;
};

/// Everything loaded from data/ at start. Immutable once loaded; shared read-only.
struct ReferenceData {
  ProcedureCatalogue procedures;
  Vocabularies vocabularies;
  AssessmentGrids assessment;  // every version of the bilan grid
  InclusionLists inclusion;
};

}  // namespace allervers::domain
