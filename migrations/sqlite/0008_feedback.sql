-- What the team tells the referrer: structured retours (the lines chosen, kept as sent) and the
-- reviews of co-accompanied cases with their minutes.

CREATE TABLE referral_feedback (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  author_user_id INTEGER REFERENCES app_user (id),
  next_steps TEXT NOT NULL DEFAULT '',
  sent_at BIGINT NOT NULL
);
CREATE INDEX referral_feedback_referral ON referral_feedback (referral_id);

CREATE TABLE referral_feedback_item (
  feedback_id INTEGER NOT NULL REFERENCES referral_feedback (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('status', 'level', 'procedure', 'orientation')),
  label TEXT NOT NULL,
  PRIMARY KEY (feedback_id, position)
);

CREATE TABLE case_review (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referral (id),
  scheduled_at BIGINT NOT NULL,
  place TEXT NOT NULL,
  participants TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('prevu', 'tenu', 'annule')),
  minutes TEXT NOT NULL DEFAULT '',
  decisions TEXT NOT NULL DEFAULT '',
  created_by_user_id INTEGER REFERENCES app_user (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX case_review_referral ON case_review (referral_id);
