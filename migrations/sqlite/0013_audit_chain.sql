-- The audit trail proves its integrity (docs/security.md §3): each row carries the hash of the
-- row before it (prev_hash) and its own (row_hash, SHA-256 over prev_hash and every column but
-- the id), so that an altered, inserted or deleted row breaks the chain; `allervers audit verify`
-- walks it. audit_chain holds the head: the last row chained and its hash, which the next row
-- must carry, and the hash the first row kept must carry once old rows have been purged after
-- audit.retention_months (the only deletion the trigger lets through, flagged by `purging`).
-- Rows written before this migration have no hash; `audit verify` counts them apart.

ALTER TABLE audit_event ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_event ADD COLUMN row_hash TEXT;
CREATE INDEX audit_event_at ON audit_event (at);

CREATE TABLE audit_chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id BIGINT NOT NULL,
  last_hash TEXT NOT NULL,
  base_hash TEXT NOT NULL,
  purged_before_id BIGINT NOT NULL,
  purging INTEGER NOT NULL
);
INSERT INTO audit_chain (id, last_id, last_hash, base_hash, purged_before_id, purging)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        '0000000000000000000000000000000000000000000000000000000000000000', 0, 0);

DROP TRIGGER audit_event_no_delete;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
WHEN (SELECT purging FROM audit_chain WHERE id = 1) = 0
BEGIN
  SELECT RAISE(ABORT, 'audit_event is append-only');
END;

ALTER TABLE retention_run ADD COLUMN audit_rows INTEGER NOT NULL DEFAULT 0;
