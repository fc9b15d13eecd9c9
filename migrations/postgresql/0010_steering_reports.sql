-- The written parts of the team's quarterly steering report to the Département (faits
-- marquants, difficultés, perspectives), typed in the app before the report is generated.

CREATE TABLE steering_report (
  operator_id BIGINT NOT NULL REFERENCES structure (id),
  year INTEGER NOT NULL,
  quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
  highlights TEXT NOT NULL DEFAULT '',
  difficulties TEXT NOT NULL DEFAULT '',
  perspectives TEXT NOT NULL DEFAULT '',
  updated_by_user_id BIGINT REFERENCES app_user (id),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (operator_id, year, quarter)
);
