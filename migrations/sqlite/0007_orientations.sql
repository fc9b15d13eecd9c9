-- The directory of partner structures and services (fields of the data·inclusion schema v1,
-- imported from its JSON or CSV export) and the orientations of a case towards them.

CREATE TABLE partner_structure (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  external_id TEXT NOT NULL,
  nom TEXT NOT NULL,
  siret TEXT NOT NULL DEFAULT '',
  adresse TEXT NOT NULL DEFAULT '',
  complement_adresse TEXT NOT NULL DEFAULT '',
  code_postal TEXT NOT NULL DEFAULT '',
  code_insee TEXT NOT NULL DEFAULT '',
  commune TEXT NOT NULL DEFAULT '',
  telephone TEXT NOT NULL DEFAULT '',
  courriel TEXT NOT NULL DEFAULT '',
  site_web TEXT NOT NULL DEFAULT '',
  horaires_accueil TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  lien_source TEXT NOT NULL DEFAULT '',
  reseaux_porteurs TEXT NOT NULL DEFAULT '',
  date_maj TEXT NOT NULL,
  search_place TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  imported_at BIGINT NOT NULL,
  UNIQUE (source, external_id)
);

CREATE TABLE partner_service (
  id INTEGER PRIMARY KEY,
  structure_id INTEGER NOT NULL REFERENCES partner_structure (id),
  source TEXT NOT NULL,
  external_id TEXT NOT NULL,
  nom TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '',
  thematiques TEXT NOT NULL DEFAULT '',
  publics TEXT NOT NULL DEFAULT '',
  frais TEXT NOT NULL DEFAULT '',
  modes_accueil TEXT NOT NULL DEFAULT '',
  modes_mobilisation TEXT NOT NULL DEFAULT '',
  mobilisable_par TEXT NOT NULL DEFAULT '',
  lien_mobilisation TEXT NOT NULL DEFAULT '',
  conditions_acces TEXT NOT NULL DEFAULT '',
  contact_nom_prenom TEXT NOT NULL DEFAULT '',
  telephone TEXT NOT NULL DEFAULT '',
  courriel TEXT NOT NULL DEFAULT '',
  adresse TEXT NOT NULL DEFAULT '',
  complement_adresse TEXT NOT NULL DEFAULT '',
  code_postal TEXT NOT NULL DEFAULT '',
  code_insee TEXT NOT NULL DEFAULT '',
  commune TEXT NOT NULL DEFAULT '',
  zone_eligibilite TEXT NOT NULL DEFAULT '',
  horaires_accueil TEXT NOT NULL DEFAULT '',
  date_maj TEXT NOT NULL,
  -- Folded (lower case, no accents) for the search, here and on the structure: commune,
  -- postal and INSEE codes; names and description.
  search_place TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  imported_at BIGINT NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX partner_service_structure ON partner_service (structure_id);
CREATE INDEX partner_service_place ON partner_service (code_postal, code_insee);

-- One row per theme of a service, for the search by theme (category or sub-theme).
CREATE TABLE partner_service_theme (
  service_id INTEGER NOT NULL REFERENCES partner_service (id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  PRIMARY KEY (service_id, code)
);
CREATE INDEX partner_service_theme_code ON partner_service_theme (code);

CREATE TABLE orientation (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  service_id INTEGER REFERENCES partner_service (id),
  partner_name TEXT NOT NULL,
  partner_kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('proposee', 'acceptee', 'realisee', 'sans_suite')),
  follow_up_on TEXT,
  shared TEXT NOT NULL DEFAULT '',
  consent_method TEXT NOT NULL DEFAULT '',
  consent_on TEXT,
  note TEXT NOT NULL DEFAULT '',
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX orientation_referral ON orientation (referral_id);

CREATE TABLE orientation_event (
  id INTEGER PRIMARY KEY,
  orientation_id INTEGER NOT NULL REFERENCES orientation (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  user_id INTEGER REFERENCES app_user (id),
  from_status TEXT NOT NULL DEFAULT '',
  to_status TEXT NOT NULL
);
CREATE INDEX orientation_event_orientation ON orientation_event (orientation_id);
