-- Registry v1: organisations, units, members, committees, venues, meetings, attendance,
-- users and sessions. One file for both databases; the store replaces two tokens:
--   {id}   an auto-assigned 64-bit primary key (SQLite rowid alias / PostgreSQL identity)
--   {path} text compared bytewise (PostgreSQL needs COLLATE "C" for the range scans)
-- Dates are ISO text (YYYY-MM-DD), flags are 0/1 integers: the same meaning on both.
-- Nothing is ever deleted: rows carry dissolved_on / left_on / revoked_at instead.

CREATE TABLE units (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL,
    owner_org_id BIGINT NOT NULL,
    employees BIGINT NOT NULL DEFAULT 0,
    party_members BIGINT NOT NULL DEFAULT 0,
    full_members BIGINT NOT NULL DEFAULT 0,
    new_field TEXT,
    coverage TEXT NOT NULL,
    covering_org_id BIGINT,
    instructor TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX units_owner ON units (owner_org_id);

CREATE TABLE sub_units (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    org_id BIGINT
);
CREATE INDEX sub_units_unit ON sub_units (unit_id);

CREATE TABLE orgs (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    sector TEXT NOT NULL,
    parent_id BIGINT REFERENCES orgs (id),
    path {path} NOT NULL,
    depth BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    grid_id BIGINT REFERENCES sub_units (id),
    unit_id BIGINT REFERENCES units (id),
    founded_on TEXT,
    elected_on TEXT,
    term_years BIGINT,
    -- direct active members; kept by the store in the same transaction as every member change
    member_count BIGINT NOT NULL DEFAULT 0,
    dissolved_on TEXT,
    created_at TEXT NOT NULL
);
-- member_count rides in the index so that a subtree count is an index-only range scan
CREATE INDEX orgs_path ON orgs (path, member_count);
CREATE INDEX orgs_parent ON orgs (parent_id);

CREATE TABLE members (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    group_id BIGINT REFERENCES orgs (id),
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    citizen_id TEXT NOT NULL UNIQUE,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    phone TEXT,
    joined_on TEXT NOT NULL,
    full_on TEXT,
    status TEXT NOT NULL,
    is_mobile BIGINT NOT NULL DEFAULT 0,
    is_lost_contact BIGINT NOT NULL DEFAULT 0,
    is_abroad BIGINT NOT NULL DEFAULT 0,
    archive_location TEXT,
    -- comma-separated ArchiveMaterial codes
    archive_materials TEXT NOT NULL DEFAULT '',
    left_on TEXT,
    left_reason TEXT,
    left_note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX members_org ON members (org_id);
CREATE INDEX members_group ON members (group_id);

CREATE TABLE committee_posts (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    role TEXT NOT NULL,
    member_id BIGINT REFERENCES members (id),
    person_name TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT
);
CREATE INDEX committee_posts_org ON committee_posts (org_id);

CREATE TABLE venues (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    area_m2 DOUBLE PRECISION
);
CREATE INDEX venues_org ON venues (org_id);

CREATE TABLE meetings (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    summary TEXT,
    form TEXT NOT NULL,
    host TEXT,
    recorder TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_org_date ON meetings (org_id, held_on);

CREATE TABLE attendance (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    present BIGINT NOT NULL,
    absence_reason TEXT,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX attendance_member ON attendance (member_id);

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs (id),
    member_id BIGINT REFERENCES members (id),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
