-- The organisations with the largest own counts (前几名) of each count measure in every
-- large subtree of a run (indicators::GROUPED_FROM organisations or more): who a report
-- names behind a figure ("涉及…等"), read as one row instead of a scan of every vector of
-- the subtree (a province: 880 000). `leaders` is "org:own,…", largest first, ties in path
-- order, at most store::LEADERS; NULL when an update after a write left it unknown (the
-- list is then found by the scan). A row with measure '' marks a subtree whose lists are
-- stored: there, a count measure without a row is zero in the whole subtree.
CREATE TABLE indicator_leaders (
    run_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    measure TEXT NOT NULL,
    leaders TEXT,
    PRIMARY KEY (run_id, org_id, measure)
);
