-- Cases delegated wholly to the team (the SSD does not follow the person meanwhile) and the
-- written quarterly report per person sent to the SSD's territory manager (role pilote).

CREATE TABLE case_follow_mode (
  referral_id INTEGER PRIMARY KEY REFERENCES referral (id),
  mode TEXT NOT NULL CHECK (mode IN ('co_accompagnement', 'delegation')),
  set_by_user_id INTEGER REFERENCES app_user (id),
  set_at BIGINT NOT NULL
);

CREATE TABLE quarterly_report (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  year INTEGER NOT NULL,
  quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
  summary TEXT NOT NULL,
  observations TEXT NOT NULL DEFAULT '',
  perspectives TEXT NOT NULL DEFAULT '',
  author_user_id INTEGER REFERENCES app_user (id),
  sent_at BIGINT NOT NULL,
  UNIQUE (referral_id, year, quarter)
);
CREATE INDEX quarterly_report_period ON quarterly_report (year, quarter);
