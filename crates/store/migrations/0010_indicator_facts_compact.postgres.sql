-- indicator_facts is a cache written in bulk from the organisations just read: no foreign
-- keys (each would be a lookup per row written).
ALTER TABLE indicator_facts DROP CONSTRAINT indicator_facts_run_id_fkey;
ALTER TABLE indicator_facts DROP CONSTRAINT indicator_facts_org_id_fkey;
