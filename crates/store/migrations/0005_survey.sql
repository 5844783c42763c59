-- Questionnaire research (问卷调查): questionnaires as parsed XLSForm (JSON), campaigns
-- sent to units of a subtree, one public link per unit, anonymous responses.
CREATE TABLE questionnaires (
    id {id},
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    -- survey::Questionnaire as JSON
    definition TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE campaigns (
    id {id},
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id),
    -- the organisation whose staff run it (scope) and whose subtree the units are in
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    -- survey::validity::Rules as JSON
    rules TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX campaigns_org ON campaigns (org_id);

CREATE TABLE campaign_units (
    id {id},
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    -- the public link's secret (anyone holding it may answer for this unit)
    token TEXT NOT NULL UNIQUE,
    -- 发放: questionnaires handed out to this unit
    issued BIGINT NOT NULL DEFAULT 0,
    UNIQUE (campaign_id, org_id)
);

-- Anonymous: no member, no user for online answers; `device` is a random cookie.
CREATE TABLE survey_responses (
    id {id},
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    unit_id BIGINT NOT NULL REFERENCES campaign_units (id),
    submission_id TEXT NOT NULL,
    device TEXT NOT NULL,
    -- online | paper (entered by staff from a paper questionnaire)
    channel TEXT NOT NULL,
    entered_by BIGINT REFERENCES users (id),
    started_at TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    duration_s DOUBLE PRECISION NOT NULL,
    answers TEXT NOT NULL,
    -- required questions left blank (paper only)
    missing BIGINT NOT NULL DEFAULT 0,
    override_valid BIGINT,
    override_reason TEXT,
    override_by BIGINT REFERENCES users (id),
    override_at TEXT,
    UNIQUE (campaign_id, submission_id)
);
CREATE INDEX survey_responses_unit ON survey_responses (unit_id);
