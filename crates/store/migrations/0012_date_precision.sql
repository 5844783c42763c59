-- How much of a member's 入党时间 and 转正时间 is known: 'day', or 'month' when a roster
-- gave only the month (1975.03; the date is then stored as the month's first day).
ALTER TABLE members ADD COLUMN joined_precision TEXT NOT NULL DEFAULT 'day';
ALTER TABLE members ADD COLUMN full_precision TEXT NOT NULL DEFAULT 'day';
