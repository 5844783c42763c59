-- 到会人数: each meeting's attendees marked present, a write-time summary of its
-- attendance (store::summaries), so that the committee quorum rule reads one row per
-- meeting instead of every attendance row. NULL: no attendance recorded. Filled by the
-- migration for existing meetings.
ALTER TABLE meetings ADD COLUMN present_count BIGINT;
