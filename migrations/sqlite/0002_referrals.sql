-- Persons, referrals (fiches de liaison) and their triage, API tokens, idempotent API calls,
-- the outbox of messages, CSV import batches and settings.

CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  birth_name TEXT NOT NULL,
  usage_name TEXT NOT NULL DEFAULT '',
  first_names TEXT NOT NULL,
  birth_date TEXT,
  birth_year INTEGER,
  gender TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  address_line TEXT NOT NULL DEFAULT '',
  postal_code TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  interpreter_needed INTEGER NOT NULL DEFAULT 0,
  contact_preferences TEXT NOT NULL DEFAULT '',
  availability TEXT NOT NULL DEFAULT '',
  adaptations TEXT NOT NULL DEFAULT '',
  carer TEXT NOT NULL DEFAULT '',
  search_name TEXT NOT NULL DEFAULT '',
  merged_into_id INTEGER REFERENCES person (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX person_search_name ON person (search_name);
CREATE INDEX person_merged_into ON person (merged_into_id);

-- Blocking keys of duplicate detection (domain/identity.hpp).
CREATE TABLE person_key (
  key TEXT NOT NULL,
  person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  PRIMARY KEY (key, person_id)
);
CREATE INDEX person_key_person ON person_key (person_id);

-- History of changes to a person's record (rectification keeps the old value).
CREATE TABLE person_change (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person (id),
  at BIGINT NOT NULL,
  user_id INTEGER REFERENCES app_user (id),
  actor_label TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL DEFAULT '',
  new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX person_change_person ON person_change (person_id);

CREATE TABLE referral_counter (
  year INTEGER PRIMARY KEY,
  last_value INTEGER NOT NULL
);

CREATE TABLE referral (
  id INTEGER PRIMARY KEY,
  number TEXT UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('draft', 'received', 'accepted', 'contact', 'appointment_set',
                                         'in_progress', 'closed', 'not_receivable', 'redirected', 'withdrawn')),
  source TEXT NOT NULL CHECK (source IN ('form', 'api', 'csv')),
  structure_id INTEGER NOT NULL REFERENCES structure (id),
  operator_id INTEGER NOT NULL REFERENCES structure (id),
  created_by_user_id INTEGER REFERENCES app_user (id),
  referrer_name TEXT NOT NULL DEFAULT '',
  referrer_email TEXT NOT NULL DEFAULT '',
  referrer_phone TEXT NOT NULL DEFAULT '',
  referrer_function TEXT NOT NULL DEFAULT '',
  person_id INTEGER REFERENCES person (id),
  identity_status TEXT NOT NULL DEFAULT 'unchecked' CHECK (identity_status IN ('unchecked', 'confirmed_new', 'linked')),
  difficulties TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  urgency INTEGER NOT NULL DEFAULT 0 CHECK (urgency BETWEEN 0 AND 3),
  urgency_reason TEXT NOT NULL DEFAULT '',
  tripartite_requested INTEGER NOT NULL DEFAULT 0,
  tripartite_availability TEXT NOT NULL DEFAULT '',
  consent_date TEXT,
  consent_how TEXT NOT NULL DEFAULT '',
  draft_data TEXT NOT NULL DEFAULT '',
  assigned_user_id INTEGER REFERENCES app_user (id),
  redirected_to_structure_id INTEGER REFERENCES structure (id),
  decision_reason TEXT NOT NULL DEFAULT '',
  decision_message TEXT NOT NULL DEFAULT '',
  received_at BIGINT,
  accepted_at BIGINT,
  first_contact_at BIGINT,
  first_visit_at BIGINT,
  closed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX referral_status ON referral (operator_id, status, urgency, received_at);
CREATE INDEX referral_structure ON referral (structure_id, status);
CREATE INDEX referral_person ON referral (person_id);
CREATE INDEX referral_assigned ON referral (assigned_user_id, status);

-- Coded lists of a referral: procedures aimed at, rights presumed unclaimed, situations,
-- digital difficulties seen. One row per code, so that indicators can count them.
CREATE TABLE referral_item (
  referral_id INTEGER NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('procedure', 'right', 'situation', 'difficulty', 'contact_preference')),
  code TEXT NOT NULL,
  PRIMARY KEY (referral_id, kind, code)
);
CREATE INDEX referral_item_code ON referral_item (kind, code);

-- Every status change: when, by whom, from what to what.
CREATE TABLE referral_event (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  user_id INTEGER REFERENCES app_user (id),
  actor_label TEXT NOT NULL,
  from_status TEXT NOT NULL DEFAULT '',
  to_status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_event_referral ON referral_event (referral_id);

CREATE TABLE api_token (
  id INTEGER PRIMARY KEY,
  structure_id INTEGER NOT NULL REFERENCES structure (id),
  label TEXT NOT NULL DEFAULT '',
  token_digest TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);

-- First answers to API calls carrying an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency_record (
  token_id INTEGER NOT NULL REFERENCES api_token (id),
  idem_key TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (token_id, idem_key)
);

-- Messages to send (e-mail, SMS), written in the transaction of the change that causes them.
CREATE TABLE outbox_message (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  related_type TEXT NOT NULL DEFAULT '',
  related_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbox_message_due ON outbox_message (status, next_attempt_at);

-- An uploaded CSV waiting for confirmation after its preview; deleted once imported.
CREATE TABLE import_batch (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user (id),
  structure_id INTEGER NOT NULL REFERENCES structure (id),
  filename TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
