-- Citizen IDs are unique through their blind index (citizen_idx, migration 17); the
-- UNIQUE of the first schema now sits on the sealed text, where it only repeats that
-- check at the cost of a second random B-tree insert per row. On SQLite the tables are
-- rebuilt without it (store::migrate::SQLITE_REBUILDS).
ALTER TABLE members DROP CONSTRAINT IF EXISTS members_citizen_id_key;
ALTER TABLE development DROP CONSTRAINT IF EXISTS development_citizen_id_key;
