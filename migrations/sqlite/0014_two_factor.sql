-- Two-factor sign-in (TOTP, RFC 6238) and its recovery codes (issue 7).
-- The TOTP secret is stored sealed by the key file (security::SecretBox), never in clear; a
-- recovery code only as a digest. `last_step` is the last accepted 30-second step, so that a
-- code is never accepted twice. A session waiting for its second factor, or for the account's
-- enrolment, has a `stage` other than 'full' and opens no page but that step and sign-out.

CREATE TABLE user_totp (
  user_id INTEGER PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
  secret_sealed TEXT NOT NULL,
  confirmed_at BIGINT,
  last_step BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE user_recovery_code (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  code_digest TEXT NOT NULL,
  used_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX user_recovery_code_user ON user_recovery_code (user_id);

ALTER TABLE user_session ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
  CHECK (stage IN ('full', 'second_factor', 'enrolment'));

-- Mandatory for every role that sees persons' data; `allervers demo` turns it off.
INSERT INTO setting (key, value, updated_at, updated_by)
SELECT 'security.totp_required', '1', CAST(strftime('%s', 'now') AS INTEGER), 'migration'
WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'security.totp_required');
