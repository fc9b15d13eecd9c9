-- The milestones of a referral that the indicators need (docs/indicators.md §1), kept on the
-- referral so that a quarter's figures read one row per referral instead of running seven
-- sub-queries per referral (issue 6 §6, docs/performance.md). The repositories that write
-- contacts, appointments, interventions and bilans recompute them in the same transaction
-- (storage/case_milestones.cpp, whose statement is the one below for one referral).
--   reached_at             first contact attempt that reached the person (joint, refus)
--   honoured_at            start of the first honoured appointment
--   first_intervention_on  date of the first intervention
--   first_bilan_on         date of the first completed bilan
--   initial_level/_on      the completed initial bilan ('' / NULL when none)
--   final_level            the completed final bilan ('' when none)
ALTER TABLE referral ADD COLUMN reached_at BIGINT;
ALTER TABLE referral ADD COLUMN honoured_at BIGINT;
ALTER TABLE referral ADD COLUMN first_intervention_on TEXT;
ALTER TABLE referral ADD COLUMN first_bilan_on TEXT;
ALTER TABLE referral ADD COLUMN initial_level TEXT NOT NULL DEFAULT '';
ALTER TABLE referral ADD COLUMN initial_on TEXT;
ALTER TABLE referral ADD COLUMN final_level TEXT NOT NULL DEFAULT '';
UPDATE referral SET
  reached_at = (SELECT MIN(c.at) FROM contact_attempt c WHERE c.referral_id = referral.id AND
                c.outcome IN ('joint', 'refus')),
  honoured_at = (SELECT MIN(a.starts_at) FROM appointment a WHERE a.referral_id = referral.id AND
                 a.status = 'honoured'),
  first_intervention_on = (SELECT MIN(i.occurred_on) FROM intervention i WHERE
                           i.referral_id = referral.id),
  first_bilan_on = (SELECT MIN(s.conducted_on) FROM assessment s WHERE
                    s.referral_id = referral.id AND s.status = 'completed'),
  initial_level = COALESCE((SELECT s.level FROM assessment s WHERE s.referral_id = referral.id
                            AND s.kind = 'initial' AND s.status = 'completed'), ''),
  initial_on = (SELECT s.conducted_on FROM assessment s WHERE s.referral_id = referral.id AND
                s.kind = 'initial' AND s.status = 'completed'),
  final_level = COALESCE((SELECT s.level FROM assessment s WHERE s.referral_id = referral.id AND
                          s.kind = 'final' AND s.status = 'completed'), '')
WHERE status <> 'draft';

-- The team of an intervention, a copy of its referral's (which never changes), so that a
-- team's interventions of a period are one range of an index whatever the size of the
-- country's table. No foreign key: referral.operator_id has it.
ALTER TABLE intervention ADD COLUMN operator_id BIGINT;
UPDATE intervention SET operator_id = (SELECT r.operator_id FROM referral r WHERE
                                       r.id = intervention.referral_id);
CREATE INDEX intervention_operator ON intervention (operator_id, occurred_on);

-- The period's rows that the indicators count, found by their date rather than by reading
-- every row ever written (docs/performance.md): the procedures' status changes, the rights
-- opened, the appointments, the orientations, and the closures and reopenings of referrals
-- (a partial index: a few of all the events).
CREATE INDEX case_procedure_event_at ON case_procedure_event (at);
CREATE INDEX case_procedure_outcome ON case_procedure (outcome, outcome_on);
CREATE INDEX appointment_start ON appointment (starts_at);
CREATE INDEX orientation_created ON orientation (created_at);
CREATE INDEX referral_event_closure ON referral_event (referral_id, at)
  WHERE to_status = 'closed' OR from_status = 'closed';
