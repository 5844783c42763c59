-- Subtree totals of a run by sector and by county-level division, stored for the large
-- subtrees only (a county and up): a report on them reads these few rows instead of
-- grouping every organisation's own counts.
CREATE TABLE indicator_group_facts (
    run_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    -- 'sector' (orgs.sector) or 'region' (the first six digits of orgs.region_code)
    grouping TEXT NOT NULL,
    group_key TEXT NOT NULL,
    measure TEXT NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, org_id, grouping, group_key, measure)
);
