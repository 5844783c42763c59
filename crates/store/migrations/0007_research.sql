-- Qualitative research (实地访谈、案例分析、文献研究): interviews with interviewees,
-- attachments and coded passages, the lexicon's edits, cases, documents with their
-- requirements, and the search index of every passage.
CREATE TABLE interviews (
    id {id},
    -- the unit visited (scope)
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    interviewers TEXT NOT NULL,
    -- Markdown; passages are blocks between blank lines
    notes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX interviews_org ON interviews (org_id);

CREATE TABLE interviewees (
    id {id},
    interview_id BIGINT NOT NULL REFERENCES interviews (id),
    -- leader | worker | member | public
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    position TEXT NOT NULL
);
CREATE INDEX interviewees_interview ON interviewees (interview_id);

CREATE TABLE attachments (
    id {id},
    -- interview | case | document
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content {blob} NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id);

-- A code on a passage. The excerpt is kept as coded, so editing the notes loses no code
-- (the passage index is re-anchored, or -1 when the passage is gone).
CREATE TABLE codings (
    id {id},
    interview_id BIGINT NOT NULL REFERENCES interviews (id),
    passage BIGINT NOT NULL,
    excerpt TEXT NOT NULL,
    category TEXT NOT NULL,
    quote BIGINT NOT NULL DEFAULT 0,
    -- accepted | rejected (a suggestion turned down) | removed
    status TEXT NOT NULL,
    -- manual | suggested
    origin TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX codings_interview ON codings (interview_id);
CREATE INDEX codings_category ON codings (category, status);

-- Edits of the keyword→category lexicon on top of the code book's defaults, in order.
CREATE TABLE lexicon_changes (
    id {id},
    keyword TEXT NOT NULL,
    category TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    -- add | remove
    action TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE cases (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    -- good | problem
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    background TEXT NOT NULL,
    actions TEXT NOT NULL,
    result TEXT NOT NULL,
    lessons TEXT NOT NULL,
    sources TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_org ON cases (org_id);

CREATE TABLE case_categories (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    category TEXT NOT NULL,
    PRIMARY KEY (case_id, category)
);

-- Literature holds no personal data: every staff user sees all of it.
CREATE TABLE documents (
    id {id},
    title TEXT NOT NULL,
    -- policy | study | other
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    issued_on TEXT,
    url TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE document_requirements (
    id {id},
    document_id BIGINT NOT NULL REFERENCES documents (id),
    text TEXT NOT NULL,
    -- the rules-file entry it justifies (section.key), if any
    rule_key TEXT
);
CREATE INDEX document_requirements_document ON document_requirements (document_id);

-- Derived search index: one row per passage, rebuilt when its item is saved. `terms` is
-- the passage segmented (segment::index_terms), space-separated.
CREATE TABLE search_passages (
    id {id},
    -- interview | case | document
    kind TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    part BIGINT NOT NULL,
    -- scope; NULL for literature
    org_id BIGINT REFERENCES orgs (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE INDEX search_passages_item ON search_passages (kind, item_id);
