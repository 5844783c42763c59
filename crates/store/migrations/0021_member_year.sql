-- 写入时汇总: per member and year, what the member rules judge (store::summaries keeps it
-- in every transaction that writes attendance, dues or training, and fills it here).
CREATE TABLE member_year (
    member_id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    -- a bit per month (January = 1) in which the member attended something
    present_months BIGINT NOT NULL,
    last_present TEXT,
    -- a bit per month covered by dues paid in time (补交 does not count)
    paid_months BIGINT NOT NULL,
    training_hours DOUBLE PRECISION NOT NULL,
    hours_classroom DOUBLE PRECISION NOT NULL,
    hours_distance DOUBLE PRECISION NOT NULL,
    hours_online_lesson DOUBLE PRECISION NOT NULL,
    hours_xuexi_qiangguo DOUBLE PRECISION NOT NULL,
    hours_other DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (member_id, year)
);
-- The months from 1950 to 2099, for the months a dues payment covers.
CREATE TABLE calendar_months (ym TEXT PRIMARY KEY, year INTEGER NOT NULL, month INTEGER NOT NULL);
INSERT INTO calendar_months (ym, year, month) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1799) SELECT CAST(1950 + i / 12 AS TEXT) || '-' || CASE WHEN i % 12 < 9 THEN '0' ELSE '' END || CAST(i % 12 + 1 AS TEXT), 1950 + i / 12, i % 12 + 1 FROM n;
