-- An indicator run reads, for every secretary, their attendance of the year with its
-- meeting (领导重视: present at their own organisation's meetings), and for every
-- organisation the year's meetings with their form and theme (活动形式、会议内容). With
-- what those reads need in the indexes, neither visits its table for each row. Same
-- names, wider keys; the bulk loader (store::bulk) rebuilds attendance_member the same way.
DROP INDEX attendance_member;
CREATE INDEX attendance_member ON attendance (member_id, held_on, present, meeting_id);
DROP INDEX meetings_org_date_kind;
CREATE INDEX meetings_org_date_kind ON meetings (org_id, held_on, kind, present_count, form, theme);
