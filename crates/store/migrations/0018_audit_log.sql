-- 审计日志: an append-only record of sign-ins, account changes, every write and every
-- import and export. Nothing in dangjian updates or deletes it; triggers refuse to.
CREATE TABLE audit_log (
    id {id},
    at TEXT NOT NULL,
    -- the user; NULL for the command line
    user_id BIGINT,
    -- who, as shown: the username, or 命令行（操作系统用户）
    actor TEXT NOT NULL,
    ip TEXT,
    -- what: login, login_failed, logout, insert, update, import, export … (store::audit)
    action TEXT NOT NULL,
    -- the record: its table and id
    target TEXT,
    target_id BIGINT,
    -- JSON: the values written; for an update, each changed field as [old, new]
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
