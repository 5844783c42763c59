-- 复核编码: a second coder's blind coding of an interview's passages, kept apart from the
-- codings the report uses; compared with them for agreement between coders (Cohen's κ).
CREATE TABLE review_codings (
    id {id},
    interview_id BIGINT NOT NULL REFERENCES interviews (id),
    passage BIGINT NOT NULL,
    category TEXT NOT NULL,
    -- who coded: the user's name, or the generator's coder
    coder TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX review_codings_key ON review_codings (interview_id, passage, category);
