-- PostgreSQL dialect of sqlite/0004_outbox_delivery.sql.
-- Delivery of the outbox: a `cancelled` status and a lease (lease_owner, lease_until), so that
-- several server processes can share one database without sending a message twice.

ALTER TABLE outbox_message DROP CONSTRAINT outbox_message_status_check;
ALTER TABLE outbox_message ADD CONSTRAINT outbox_message_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));

-- Who is sending the message (hostname, pid, random) and until when; once lease_until is past,
-- a message still in 'sending' is leased again (its sender died mid-send).
ALTER TABLE outbox_message ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox_message ADD COLUMN lease_until BIGINT;

CREATE INDEX outbox_message_related ON outbox_message (related_type, related_id);
