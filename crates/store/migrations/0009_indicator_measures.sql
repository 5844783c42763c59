-- The organisations behind one measure (evidence) and sums of chosen measures read the
-- rows of those measures only.
CREATE INDEX indicator_facts_measure ON indicator_facts (run_id, measure, org_id);
