-- Indicator measures (指标度量), cached per computation run: for each organisation its own
-- count and its subtree's total of each measure, non-zero only. A report at any level
-- reads its organisation's totals (one index lookup) instead of rescanning the records.
CREATE TABLE indicator_runs (
    id {id},
    year BIGINT NOT NULL,
    as_of TEXT NOT NULL,
    -- the organisation the run covered (the jurisdiction's root)
    root_id BIGINT NOT NULL REFERENCES orgs (id),
    rules_version TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    orgs BIGINT NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    -- NULL while the run is being written
    finished_at TEXT,
    seconds DOUBLE PRECISION
);
CREATE INDEX indicator_runs_year ON indicator_runs (year, finished_at);

CREATE TABLE indicator_facts (
    run_id BIGINT NOT NULL REFERENCES indicator_runs (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    measure TEXT NOT NULL,
    own DOUBLE PRECISION NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, org_id, measure)
);
