-- 会议日历: per organisation and year, every meeting of the year in one text (see
-- store::summaries), a write-time summary the compliance batches read instead of each
-- meeting row. Clustered on its key: a batch reads it by (org_id, year).
CREATE TABLE org_year (
    org_id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    meeting_days TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
) WITHOUT ROWID;
-- member_year clustered on its key too: the member rules look one row up per member,
-- and a rowid table costs a second descent for each.
CREATE TABLE member_year_clustered (
    member_id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    present_months BIGINT NOT NULL,
    last_present TEXT,
    paid_months BIGINT NOT NULL,
    training_hours DOUBLE PRECISION NOT NULL,
    hours_classroom DOUBLE PRECISION NOT NULL,
    hours_distance DOUBLE PRECISION NOT NULL,
    hours_online_lesson DOUBLE PRECISION NOT NULL,
    hours_xuexi_qiangguo DOUBLE PRECISION NOT NULL,
    hours_other DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (member_id, year)
) WITHOUT ROWID;
INSERT INTO member_year_clustered SELECT member_id, year, present_months, last_present, paid_months, training_hours, hours_classroom, hours_distance, hours_online_lesson, hours_xuexi_qiangguo, hours_other FROM member_year ORDER BY member_id, year;
DROP TABLE member_year;
ALTER TABLE member_year_clustered RENAME TO member_year;
