-- When a session was last used, for the idle timeout (空闲超时).
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
