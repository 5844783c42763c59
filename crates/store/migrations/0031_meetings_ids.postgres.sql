-- The secretary's attendance at the organisation's own meetings (an indicator) walks the
-- organisation's meetings of the year in date order beside the secretary's attendance
-- (store::indicators): with the meeting's id in this index, PostgreSQL answers from the
-- index alone instead of visiting each meeting's row. SQLite's index holds the rowid,
-- which is the id, already.
DROP INDEX meetings_org_date_kind;
CREATE INDEX meetings_org_date_kind ON meetings (org_id, held_on, kind, present_count, form, theme) INCLUDE (id);
