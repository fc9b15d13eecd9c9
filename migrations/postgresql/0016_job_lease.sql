-- Jobs that must run once however many servers share the database (issue 9 §4): a server runs
-- one only while it holds the job's lease; a lease its server did not give back (a crash) lapses
-- at `lease_until`. The outbox leases its messages one by one (outbox_message.lease_owner).
CREATE TABLE job_lease (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0
);
INSERT INTO job_lease (name) VALUES ('retention');
