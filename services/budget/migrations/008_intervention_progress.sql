-- Interventions' monitoring and federation link (issue 10 items 3, 6, 7; the interventions engineer's file).

-- An investment (an opera, a purchase of goods lasting years: PNRR 1.2 flats, a day centre's works) is a
-- `project` with a CUP (L. 3/2003 art. 11: every public investment project has one). Services and
-- transfers are current spending: their CUP, when the Ufficio di Piano has one, is optional.
ALTER TABLE interventions
    ADD COLUMN investment boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT interventions_investment_cup
        CHECK (NOT investment OR (kind = 'project' AND cup IS NOT NULL));
CREATE INDEX interventions_plan_area ON interventions (plan_id, area, seq);

-- Progress per intervention and period (ISO year + quarter): the status, the percentage of progress and
-- the output indicators (name -> figure as text, e.g. {"utenti serviti": "42"}) as recorded for that
-- period. One row per period; recording the period again replaces it (a correction) and bumps `revision`.
CREATE TABLE intervention_progress (
    intervention_id uuid          NOT NULL REFERENCES interventions (id),
    year            int           NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter         int           NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    status          text          NOT NULL CHECK (status IN
                        ('planned', 'active', 'suspended', 'completed', 'cancelled')),
    percentage      numeric(5,2)  NOT NULL CHECK (percentage BETWEEN 0 AND 100),
    outputs         jsonb         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(outputs) = 'object'),
    actual_start    date,
    note            text          NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    source          text          NOT NULL CHECK (source IN ('api', 'upload')),
    revision        int           NOT NULL DEFAULT 1,
    recorded_at     timestamptz   NOT NULL DEFAULT now(),
    recorded_by     text          NOT NULL,
    PRIMARY KEY (intervention_id, year, quarter)
);

-- The interventions of the former Ambiti that share `budget.interventions` with this one (issue 9),
-- fed by the budget consumer from their it.pdz.budget.intervention.* events (interventions/projector.py),
-- applied only where received. Read-only; a newer `version` wins; never deleted.
CREATE TABLE replica_interventions (
    origin          text        NOT NULL,
    id              uuid        NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    plan_id         uuid        NOT NULL,
    code            text        NOT NULL,
    title           text        NOT NULL,
    nomenclature_code text      NOT NULL,
    area            text        NOT NULL,
    target_group    text        NOT NULL,
    leps            text[]      NOT NULL DEFAULT '{}',
    kind            text        NOT NULL,
    comuni          text[]      NOT NULL DEFAULT '{}',
    managing_body   uuid,
    cup             text,
    status          text        NOT NULL,
    planned_start   date,
    planned_end     date,
    actual_start    date,
    actual_end      date,
    percentage      numeric(5,2),
    version         int         NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, id)
);
