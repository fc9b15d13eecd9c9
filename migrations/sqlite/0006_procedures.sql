-- Procedures followed to their outcome (with their documents and status history), Aidants
-- Connect mandates, and the procedures an intervention worked on.

CREATE TABLE case_procedure (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  code TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('a_faire', 'en_cours', 'deposee', 'finalisee',
                                         'a_finaliser_autonomie', 'doit_revenir', 'orientee',
                                         'abandonnee')),
  modality TEXT NOT NULL DEFAULT '',
  aidants_connect INTEGER NOT NULL DEFAULT 0,
  due_on TEXT,
  renewal_on TEXT,
  outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'ouvert', 'refuse', 'en_attente')),
  monthly_amount_cents INTEGER,
  outcome_on TEXT,
  note TEXT NOT NULL DEFAULT '',
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX case_procedure_referral ON case_procedure (referral_id);
CREATE INDEX case_procedure_code ON case_procedure (code, outcome);

-- The checklist of documents to gather, from the catalogue when the procedure is opened.
CREATE TABLE case_procedure_document (
  procedure_id INTEGER NOT NULL REFERENCES case_procedure (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  gathered INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (procedure_id, position)
);

-- Every status change, with its date: the dates of a procedure are read from here.
CREATE TABLE case_procedure_event (
  id INTEGER PRIMARY KEY,
  procedure_id INTEGER NOT NULL REFERENCES case_procedure (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  user_id INTEGER REFERENCES app_user (id),
  from_status TEXT NOT NULL DEFAULT '',
  to_status TEXT NOT NULL
);
CREATE INDEX case_procedure_event_procedure ON case_procedure_event (procedure_id);

CREATE TABLE mandate (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  duration_days INTEGER NOT NULL CHECK (duration_days IN (1, 31, 182, 365)),
  starts_on TEXT NOT NULL,
  ends_on TEXT NOT NULL,
  domains TEXT NOT NULL,
  revoked_on TEXT,
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX mandate_referral ON mandate (referral_id);

CREATE TABLE intervention_procedure (
  intervention_id INTEGER NOT NULL REFERENCES intervention (id) ON DELETE CASCADE,
  procedure_id INTEGER NOT NULL REFERENCES case_procedure (id),
  PRIMARY KEY (intervention_id, procedure_id)
);
CREATE INDEX intervention_procedure_procedure ON intervention_procedure (procedure_id);
