-- The accompaniment at the person's home: bilans diagnostiques (with their answers and the
-- version of the grid they were taken with), interventions and notes.

CREATE TABLE assessment (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'final')),
  grid_version TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
  conducted_on TEXT NOT NULL,
  score_access DOUBLE PRECISION,
  score_accounts DOUBLE PRECISION,
  score_skills DOUBLE PRECISION,
  level TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'N0', 'N1', 'N2', 'N3')),
  abc_diag_score INTEGER,
  abc_diag_on TEXT,
  pix_score INTEGER,
  pix_on TEXT,
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT
);
CREATE UNIQUE INDEX assessment_referral_kind ON assessment (referral_id, kind);

CREATE TABLE assessment_answer (
  assessment_id INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
  item TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (assessment_id, item)
);

CREATE TABLE intervention (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  occurred_on TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 720),
  place TEXT NOT NULL,
  modality TEXT NOT NULL,
  autonomy TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  appointment_id INTEGER REFERENCES appointment (id),
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX intervention_referral ON intervention (referral_id, occurred_on);
CREATE INDEX intervention_occurred ON intervention (occurred_on);

-- Coded lists of an intervention (themes of La Coop, equipment used), one row per code.
CREATE TABLE intervention_item (
  intervention_id INTEGER NOT NULL REFERENCES intervention (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('digital_theme', 'administrative_theme', 'equipment')),
  code TEXT NOT NULL,
  PRIMARY KEY (intervention_id, kind, code)
);
CREATE INDEX intervention_item_code ON intervention_item (kind, code);

CREATE TABLE intervention_worker (
  intervention_id INTEGER NOT NULL REFERENCES intervention (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES app_user (id),
  PRIMARY KEY (intervention_id, user_id)
);
CREATE INDEX intervention_worker_user ON intervention_worker (user_id);

-- Notes of a case: shared with the team, or private to their author.
CREATE TABLE case_note (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  author_user_id INTEGER NOT NULL REFERENCES app_user (id),
  private INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX case_note_referral ON case_note (referral_id, created_at);
