-- Contact attempts, appointments (with their intervenants), private calendar feeds.

CREATE TABLE contact_attempt (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  at BIGINT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('telephone', 'sms', 'courrier', 'domicile', 'prescripteur')),
  outcome TEXT NOT NULL CHECK (outcome IN ('joint', 'message', 'sans_reponse', 'numero_errone', 'refus')),
  note TEXT NOT NULL DEFAULT '',
  user_id INTEGER REFERENCES app_user (id),
  author_name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX contact_attempt_referral ON contact_attempt (referral_id, at);

CREATE TABLE appointment (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  operator_id INTEGER NOT NULL REFERENCES structure (id),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  place_kind TEXT NOT NULL CHECK (place_kind IN ('domicile', 'partenaire', 'lieu_public', 'telephone', 'visio')),
  place_label TEXT NOT NULL DEFAULT '',
  address_line TEXT NOT NULL DEFAULT '',
  postal_code TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL,
  to_bring TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'honoured', 'absent', 'cancelled_person', 'cancelled_team', 'postponed')),
  outcome_note TEXT NOT NULL DEFAULT '',
  rescheduled_to_id INTEGER REFERENCES appointment (id),
  tripartite INTEGER NOT NULL DEFAULT 0,
  referrer_user_id INTEGER REFERENCES app_user (id),
  referrer_response TEXT NOT NULL DEFAULT 'none'
    CHECK (referrer_response IN ('none', 'pending', 'accepted', 'declined')),
  sequence INTEGER NOT NULL DEFAULT 0,
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX appointment_referral ON appointment (referral_id, starts_at);
CREATE INDEX appointment_operator_start ON appointment (operator_id, starts_at);
CREATE INDEX appointment_referrer ON appointment (referrer_user_id, starts_at);

CREATE TABLE appointment_worker (
  appointment_id INTEGER NOT NULL REFERENCES appointment (id),
  user_id INTEGER NOT NULL REFERENCES app_user (id),
  PRIMARY KEY (appointment_id, user_id)
);
CREATE INDEX appointment_worker_user ON appointment_worker (user_id, appointment_id);

-- A private calendar feed per intervenant (only the token's digest is stored).
CREATE TABLE calendar_feed (
  user_id INTEGER PRIMARY KEY REFERENCES app_user (id),
  token_digest TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

-- When the case was proposed for closure as injoignable (the referrer was told then).
ALTER TABLE referral ADD COLUMN unreachable_proposed_at BIGINT;
