-- indicator_facts is a cache written in bulk from the organisations just read: clustered
-- on its key (WITHOUT ROWID: one b-tree instead of a table and a key index) and without
-- foreign keys (each would be a lookup per row written).
CREATE TABLE indicator_facts_new (
    run_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    measure TEXT NOT NULL,
    own DOUBLE PRECISION NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, org_id, measure)
) WITHOUT ROWID;
INSERT INTO indicator_facts_new (run_id, org_id, measure, own, total) SELECT run_id, org_id, measure, own, total FROM indicator_facts;
DROP TABLE indicator_facts;
ALTER TABLE indicator_facts_new RENAME TO indicator_facts;
CREATE INDEX indicator_facts_measure ON indicator_facts (run_id, measure, org_id);
