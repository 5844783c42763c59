-- Compact indicator runs (指标结果按组织存储): one row per organisation and family of
-- measures (part 0: the compliance engine's walk, part 1: survey, registry statistics and
-- interviews) instead of one row per organisation and measure — a province's run is
-- about 0.9 M rows instead of 10.5 M. `measures` lists ",i:own:total," for each measure
-- that is not zero, i indexing the run's dictionary (indicator_runs.measures, one name
-- per line), so "which organisations have measure i" is a LIKE over one row each.
CREATE TABLE indicator_vectors (
    run_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    part BIGINT NOT NULL,
    measures TEXT NOT NULL,
    PRIMARY KEY (run_id, org_id, part)
);
ALTER TABLE indicator_runs ADD COLUMN measures TEXT NOT NULL DEFAULT '';
-- Runs are caches: those stored row by row are dropped and computed again when needed.
DELETE FROM indicator_group_facts;
DROP TABLE indicator_facts;
DELETE FROM indicator_runs;
