-- Delivery of the outbox (service/outbox_dispatcher.hpp): a `cancelled` status (reminders of a
-- moved or cancelled appointment) and a lease, so that several server processes can share one
-- database without sending a message twice.
--
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt the way the SQLite manual
-- documents (https://www.sqlite.org/lang_altertable.html#otheralter): create the new table,
-- copy every row, drop the old one, rename the new one, recreate the indexes. It runs inside the
-- migration's transaction, so it is all or nothing. No table references outbox_message and it
-- references none, no view or trigger names it: foreign keys need no special care (and
-- PRAGMA foreign_keys could not be changed inside a transaction anyway).

CREATE TABLE outbox_message_new (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  related_type TEXT NOT NULL DEFAULT '',
  related_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  -- Who is sending the message (hostname, pid, random) and until when; once lease_until is
  -- past, a message still in 'sending' is leased again (its sender died mid-send).
  lease_owner TEXT,
  lease_until BIGINT
);

INSERT INTO outbox_message_new (id, channel, recipient, subject, body, dedupe_key, status,
                                attempts, next_attempt_at, last_error, related_type, related_id,
                                created_at, sent_at)
SELECT id, channel, recipient, subject, body, dedupe_key, status, attempts, next_attempt_at,
       last_error, related_type, related_id, created_at, sent_at
FROM outbox_message;

DROP TABLE outbox_message;
ALTER TABLE outbox_message_new RENAME TO outbox_message;

CREATE INDEX outbox_message_due ON outbox_message (status, next_attempt_at);
CREATE INDEX outbox_message_related ON outbox_message (related_type, related_id);
