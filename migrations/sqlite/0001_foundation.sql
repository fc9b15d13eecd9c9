-- Structures, accounts, sessions, sign-in throttling and the audit trail.
-- Instants are UTC epoch seconds (BIGINT); booleans are 0/1.

CREATE TABLE structure (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('operateur', 'ssd', 'partenaire')),
  territory TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);

CREATE TABLE app_user (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('intervenant', 'coordinateur', 'prescripteur', 'pilote', 'admin')),
  structure_id INTEGER REFERENCES structure (id),
  fte REAL CHECK (fte IS NULL OR (fte > 0 AND fte <= 1)),
  active INTEGER NOT NULL DEFAULT 1,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_sign_in_at BIGINT
);
CREATE INDEX app_user_structure ON app_user (structure_id);

CREATE TABLE user_session (
  id_digest TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE login_throttle (
  throttle_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  blocked_until BIGINT NOT NULL
);

CREATE TABLE audit_event (
  id INTEGER PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_user_id INTEGER REFERENCES app_user (id),
  actor_label TEXT NOT NULL,
  action TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_record ON audit_event (record_type, record_id);
CREATE INDEX audit_event_actor ON audit_event (actor_user_id);

-- The audit trail is append-only: the database itself refuses changes and deletions.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
  SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
  SELECT RAISE(ABORT, 'audit_event is append-only');
END;
