-- 会议日历: per organisation and year, every meeting of the year in one text (see
-- store::summaries), a write-time summary the compliance batches read instead of each
-- meeting row.
CREATE TABLE org_year (
    org_id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    meeting_days TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
