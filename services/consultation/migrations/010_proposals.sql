-- Proposals (proposte) answering needs, and their life cycle (issue 8 items 5 and 7):
-- submitted -> under_evaluation -> accepted / rejected / merged, each decision with
-- a reasoned answer published with the proposal (contributions/lifecycle.py).
-- Money is NUMERIC(14,2), never float. Nothing is deleted.
CREATE TABLE proposals (
    id                    uuid          PRIMARY KEY,
    seq                   bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id              uuid          NOT NULL REFERENCES consultation_tables (id),
    organisation_id       uuid          NOT NULL REFERENCES organisations (organisation_id),
    title                 text          NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    description           text          NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    expected_outcome      text          NOT NULL CHECK (length(expected_outcome) BETWEEN 1 AND 5000),
    -- organisations of the replica that could deliver it (checked by the service: no FK on arrays)
    deliverers            uuid[]        NOT NULL DEFAULT '{}',
    estimated_cost        numeric(14,2) NOT NULL CHECK (estimated_cost >= 0),
    status                text          NOT NULL DEFAULT 'submitted' CHECK (status IN
                              ('submitted', 'under_evaluation', 'accepted', 'rejected', 'merged')),
    -- the accounts (token subjects) the office assigned to evaluate it
    valuators             text[]        NOT NULL DEFAULT '{}',
    evaluation_started_at timestamptz,
    -- the reasoned answer (risposta motivata), published with the proposal
    answer                text          CHECK (length(answer) <= 20000),
    merged_into           uuid          REFERENCES proposals (id),
    decided_at            timestamptz,
    decided_by            text,
    on_behalf             boolean       NOT NULL DEFAULT false,
    recorded_by           text          NOT NULL,
    recorded_by_role      text          NOT NULL CHECK (recorded_by_role IN ('stakeholder', 'operator', 'coordinator')),
    version               int           NOT NULL DEFAULT 1,
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    updated_by            text          NOT NULL,
    CHECK (merged_into IS DISTINCT FROM id),
    CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    CHECK ((status IN ('accepted', 'rejected', 'merged')) = (decided_at IS NOT NULL AND answer IS NOT NULL)),
    CHECK (status = 'submitted' OR cardinality(valuators) > 0)
);
CREATE INDEX proposals_table ON proposals (table_id, seq);
CREATE INDEX proposals_organisation ON proposals (organisation_id, seq);
CREATE INDEX proposals_status ON proposals (status, seq);
CREATE INDEX proposals_merged_into ON proposals (merged_into) WHERE merged_into IS NOT NULL;

-- The needs a proposal answers (at least one: checked by the service), in the order given.
CREATE TABLE proposal_needs (
    proposal_id uuid NOT NULL REFERENCES proposals (id),
    need_id     uuid NOT NULL REFERENCES needs (id),
    position    int  NOT NULL,
    PRIMARY KEY (proposal_id, need_id)
);
CREATE INDEX proposal_needs_need ON proposal_needs (need_id);

-- One assessment per assigned valuator (recording it again replaces it), while under evaluation.
CREATE TABLE proposal_assessments (
    proposal_id      uuid          NOT NULL REFERENCES proposals (id),
    valuator         text          NOT NULL,
    seq              bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    feasibility      text          NOT NULL CHECK (feasibility IN ('high', 'medium', 'low')),
    feasibility_note text          NOT NULL DEFAULT '' CHECK (length(feasibility_note) <= 5000),
    assessed_cost    numeric(14,2) NOT NULL CHECK (assessed_cost >= 0),
    cost_note        text          NOT NULL DEFAULT '' CHECK (length(cost_note) <= 5000),
    assessed_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, valuator)
);
