-- Spreadsheet exchange and annual statistics: the per-member lookups the annual tally
-- makes for every member of a jurisdiction (grade of the year, probation extension,
-- transfers in) need an index each.
CREATE INDEX evaluations_member ON evaluations (member_id, year);
CREATE INDEX development_member ON development (member_id);
CREATE INDEX transfers_member ON transfers (member_id, direction, received_on);
