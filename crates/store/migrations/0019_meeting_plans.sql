-- 活动预告: a meeting the organisation plans (kind, day, topic, place), shown to its
-- members before it happens. Members sign in on the day by scanning its QR code (a
-- one-time code per meeting); the secretary then records the meeting from the sign-ins
-- and confirms the attendance. `meeting_id` is set once the meeting is recorded.
CREATE TABLE meeting_plans (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    place TEXT,
    checkin_code TEXT NOT NULL,
    meeting_id BIGINT REFERENCES meetings (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX meeting_plans_code ON meeting_plans (checkin_code);
CREATE INDEX meeting_plans_org ON meeting_plans (org_id, planned_on);
-- 扫码签到: one row per member and plan; a second scan changes nothing.
CREATE TABLE plan_checkins (
    plan_id BIGINT NOT NULL REFERENCES meeting_plans (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    checked_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, member_id)
);
