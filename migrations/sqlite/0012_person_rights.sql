-- The person's rights (docs/retention.md §6): when the information notice was handed over,
-- and each request about her data (access, rectification, erasure, objection, restriction)
-- with its legal deadline of one month (RGPD art. 12.3), shown until answered. No free text:
-- the register survives the anonymisation of the person.

ALTER TABLE person ADD COLUMN privacy_notice_on TEXT;

CREATE TABLE rights_request (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person (id),
  kind TEXT NOT NULL CHECK (kind IN ('acces', 'rectification', 'effacement', 'opposition', 'limitation')),
  received_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'ouverte' CHECK (status IN ('ouverte', 'repondue', 'refusee')),
  answered_on TEXT,
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rights_request_person ON rights_request (person_id);
CREATE INDEX rights_request_open ON rights_request (status, due_on);
