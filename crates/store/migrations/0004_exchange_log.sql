-- Who moved data in and out of the registry (操作日志): every import that was written and
-- every export. Exports carry full citizen IDs, so each one is an unmasked access to log.
CREATE TABLE data_exchanges (
    id {id},
    direction TEXT NOT NULL,
    kind TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs (id),
    user_id BIGINT REFERENCES users (id),
    file_name TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    inserted BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    at TEXT NOT NULL
);
CREATE INDEX data_exchanges_at ON data_exchanges (at);
