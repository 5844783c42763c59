-- Reports as the researcher chose them (调研报告及其调研设计): the organisation, year and
-- cut-off, and the choices (campaigns, interviews, cases, period start, byline, date) as
-- JSON, so the same report can be written again and its method section states them.
CREATE TABLE saved_reports (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    year BIGINT NOT NULL,
    as_of TEXT NOT NULL,
    choices TEXT NOT NULL,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX saved_reports_org ON saved_reports (org_id, id);
