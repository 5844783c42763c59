-- The compliance batches read every meeting of a path range's organisations in a year
-- with its kind and 到会人数: an index that carries them answers without visiting the
-- table (replaces meetings_org_date, whose columns it begins with).
CREATE INDEX meetings_org_date_kind ON meetings (org_id, held_on, kind, present_count);
DROP INDEX meetings_org_date;
