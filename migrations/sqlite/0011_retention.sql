-- Retention (docs/retention.md): a person whose last contact is older than the retention
-- setting is anonymised in place — identity, contacts, free text — while the codes, dates
-- and places the indicators count stay. Referrals never accepted are anonymised sooner.
-- Each run of the purge leaves one row of retention_run.

ALTER TABLE person ADD COLUMN anonymized_at BIGINT;
ALTER TABLE referral ADD COLUMN anonymized_at BIGINT;

CREATE TABLE retention_run (
  id INTEGER PRIMARY KEY,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  dry_run INTEGER NOT NULL,
  run_by TEXT NOT NULL CHECK (run_by IN ('daily', 'command', 'admin')),
  person_cutoff BIGINT NOT NULL,
  unaccepted_cutoff BIGINT NOT NULL,
  persons INTEGER NOT NULL,
  referrals INTEGER NOT NULL,
  drafts INTEGER NOT NULL,
  imports INTEGER NOT NULL,
  api_replays INTEGER NOT NULL,
  stale_open INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX retention_run_started ON retention_run (started_at);
CREATE INDEX idempotency_record_created ON idempotency_record (created_at);
