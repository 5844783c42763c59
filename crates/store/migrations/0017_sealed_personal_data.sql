-- Personal data at rest (个人信息加密存储): citizen IDs and phones are stored sealed
-- (see crates/vault); uniqueness and lookup by citizen ID go through a keyed blind index.
-- Rows written before this migration are sealed by the store when it first opens.
ALTER TABLE members ADD COLUMN citizen_idx TEXT;
CREATE UNIQUE INDEX members_citizen_idx ON members (citizen_idx);
ALTER TABLE development ADD COLUMN citizen_idx TEXT;
CREATE UNIQUE INDEX development_citizen_idx ON development (citizen_idx);
-- 1 once the content is sealed.
ALTER TABLE attachments ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;
-- The key the database is sealed with (one row).
CREATE TABLE vault_state (
    key_id TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
