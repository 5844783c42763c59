-- Organisational life and Party work beside meetings: democratic-evaluation grades, the
-- development pipeline, transfers, mobile members, dues, training, party-affairs workers,
-- funding and carriers. Same conventions as 0001 (ISO dates as text, 0/1 flags, no DELETE).

-- Themed party days carry a theme category (主题类别).
ALTER TABLE meetings ADD COLUMN theme TEXT;

-- Attendance carries its meeting's date (the store writes both together), so that "when
-- did this member last take part" is one index seek per member, not a join over the
-- largest table.
ALTER TABLE attendance ADD COLUMN held_on TEXT;
UPDATE attendance SET held_on = (SELECT mt.held_on FROM meetings mt WHERE mt.id = attendance.meeting_id);
DROP INDEX attendance_member;
CREATE INDEX attendance_member ON attendance (member_id, held_on, present);

-- Who holds a post (书记、委员): the training rule asks it of every member.
CREATE INDEX committee_posts_member ON committee_posts (member_id);

-- 民主评议党员: one grade per member and year.
CREATE TABLE evaluations (
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    year BIGINT NOT NULL,
    grade TEXT NOT NULL,
    meeting_id BIGINT REFERENCES meetings (id),
    PRIMARY KEY (member_id, year)
);
CREATE INDEX evaluations_org ON evaluations (org_id, year);

-- 发展党员: one row per person, the date of every step taken; steps are logged below.
CREATE TABLE development (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    citizen_id TEXT NOT NULL UNIQUE,
    phone TEXT,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    stage TEXT NOT NULL,
    applied_on TEXT NOT NULL,
    talked_on TEXT,
    activist_on TEXT,
    -- names, separated by '、'
    contacts TEXT NOT NULL DEFAULT '',
    candidate_on TEXT,
    review_on TEXT,
    training_hours DOUBLE PRECISION NOT NULL DEFAULT 0,
    sponsors TEXT NOT NULL DEFAULT '',
    admitted_on TEXT,
    admission_eligible BIGINT,
    admission_present BIGINT,
    admission_favour BIGINT,
    approved_on TEXT,
    extension_months BIGINT,
    full_on TEXT,
    full_eligible BIGINT,
    full_present BIGINT,
    full_favour BIGINT,
    member_id BIGINT REFERENCES members (id),
    created_at TEXT NOT NULL
);
CREATE INDEX development_org ON development (org_id);

CREATE TABLE development_steps (
    id {id},
    development_id BIGINT NOT NULL REFERENCES development (id),
    step TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    detail TEXT NOT NULL,
    recorded_by BIGINT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX development_steps_record ON development_steps (development_id);

-- 组织关系转接: letters out and in.
CREATE TABLE transfers (
    id {id},
    member_id BIGINT NOT NULL REFERENCES members (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    direction TEXT NOT NULL,
    letter_no TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    valid_days BIGINT NOT NULL,
    dues_paid_to TEXT NOT NULL,
    counterpart TEXT NOT NULL,
    received_on TEXT
);
CREATE INDEX transfers_org ON transfers (org_id, issued_on);

-- 流动党员
CREATE TABLE mobile_members (
    id {id},
    member_id BIGINT NOT NULL REFERENCES members (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    direction TEXT NOT NULL,
    place TEXT NOT NULL,
    certificate_no TEXT,
    since TEXT NOT NULL,
    until TEXT
);
CREATE INDEX mobile_members_org ON mobile_members (org_id);

-- 党费: a payment covers months from_month..to_month (YYYY-MM).
CREATE TABLE dues_payments (
    id {id},
    member_id BIGINT NOT NULL REFERENCES members (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    from_month TEXT NOT NULL,
    to_month TEXT NOT NULL,
    base DOUBLE PRECISION,
    amount DOUBLE PRECISION NOT NULL,
    paid_on TEXT NOT NULL,
    catch_up BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX dues_payments_org ON dues_payments (org_id, to_month);
-- covering: the lapse rule reads a member's months from the index alone
CREATE INDEX dues_payments_member ON dues_payments (member_id, to_month, from_month, catch_up);

-- 党员教育培训
CREATE TABLE training_records (
    id {id},
    member_id BIGINT NOT NULL REFERENCES members (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    taken_on TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    channel TEXT NOT NULL,
    topic TEXT NOT NULL
);
CREATE INDEX training_records_org ON training_records (org_id, taken_on);
-- covering: a member's hours in a year from the index alone
CREATE INDEX training_records_member ON training_records (member_id, taken_on, hours);

-- 党务工作者
CREATE TABLE party_workers (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    member_id BIGINT REFERENCES members (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    appointed_on TEXT NOT NULL,
    left_on TEXT
);
CREATE INDEX party_workers_org ON party_workers (org_id);

-- 党建工作经费
CREATE TABLE funding (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    purpose TEXT NOT NULL
);
CREATE INDEX funding_org ON funding (org_id, year);

-- 党建工作载体
CREATE TABLE carriers (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    established_on TEXT NOT NULL
);
CREATE INDEX carriers_org ON carriers (org_id);
