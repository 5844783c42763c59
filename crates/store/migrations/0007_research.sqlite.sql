-- SQLite: FTS5 over the segmented terms (external content, kept in step by triggers).
CREATE VIRTUAL TABLE search_fts USING fts5(terms, content = 'search_passages', content_rowid = 'id', tokenize = 'unicode61');
CREATE TRIGGER search_passages_ai AFTER INSERT ON search_passages BEGIN INSERT INTO search_fts (rowid, terms) VALUES (new.id, new.terms); END;
CREATE TRIGGER search_passages_ad AFTER DELETE ON search_passages BEGIN INSERT INTO search_fts (search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END;
