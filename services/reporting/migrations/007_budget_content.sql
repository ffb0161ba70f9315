-- Budget's plan content and monitoring as reporting sees it (issue 11): interventions, their quarterly
-- progress, fund assignments, co-financing, fund-year closures (residui), and the commitment and
-- payment acts one by one (with their act dates, for the figures of a period). Written only by the
-- projector services/reporting/budget_content_projector.py from pdz.budget.v1.
-- Organisations and aggregates only: no person is named in any of these events.
--
-- Every row is an upsert guarded by a number that only grows, so a duplicate or an older event
-- arriving late changes nothing: the intervention's `version` (planned, updated and progress_recorded
-- all carry the intervention as it stands after the change), a quarter's `revision`, the assignment's
-- and the co-financing's `version`. Acts are never edited or deleted: their rows are guarded by the
-- allocation's committed + paid after the act (`spent_after`), equal for a duplicate. A fund-year is
-- closed once (the API never reopens it): its row is written by that one event, the same each time.

CREATE TABLE budget_intervention_facts (
    tenant                 text        NOT NULL,
    intervention_id        uuid        NOT NULL,
    plan_id                uuid        NOT NULL,
    code                   text        NOT NULL,
    title                  text        NOT NULL,
    nomenclature_code      text,
    area                   text        NOT NULL,
    target_group           text        NOT NULL,
    leps                   text[]      NOT NULL DEFAULT '{}',
    kind                   text        NOT NULL,
    investment             boolean     NOT NULL DEFAULT false,
    comuni                 text[]      NOT NULL DEFAULT '{}',   -- empty: the whole Ambito
    managing_body          uuid,                                -- an organisation of the register
    cup                    text,
    continues_origin       text,                                -- a former Ambito's slug (issue 9)
    continues_intervention uuid,
    proposal_ids           uuid[]      NOT NULL DEFAULT '{}',   -- accepted proposals (consultation)
    need_ids               text[]      NOT NULL DEFAULT '{}',
    status                 text        NOT NULL,
    percent                numeric(5,2),                        -- the latest quarter's; null before any
    planned_start          date,
    planned_end            date,
    actual_start           date,
    actual_end             date,
    version                int         NOT NULL,
    as_of                  timestamptz NOT NULL,                -- the event's updated_at
    PRIMARY KEY (tenant, intervention_id)
);
CREATE INDEX budget_intervention_facts_plan ON budget_intervention_facts (tenant, plan_id);

-- One row per intervention and quarter: the record in force (a correction raises `revision`).
-- Output indicators as two arrays of one length (name i has figure i), so that a correction that
-- drops an indicator drops it here too.
CREATE TABLE budget_progress_facts (
    tenant          text          NOT NULL,
    intervention_id uuid          NOT NULL,
    year            int           NOT NULL,
    quarter         int           NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    status          text          NOT NULL,
    percent         numeric(5,2)  NOT NULL,
    output_names    text[]        NOT NULL DEFAULT '{}',
    output_values   numeric(16,2)[] NOT NULL DEFAULT '{}',
    actual_start    date,
    source          text,
    revision        int           NOT NULL,
    recorded_at     timestamptz   NOT NULL,
    PRIMARY KEY (tenant, intervention_id, year, quarter)
);
CREATE INDEX budget_progress_facts_period ON budget_progress_facts (tenant, year, quarter);

-- What each fund assigned to the Ambito for a year, by decree; `amount` after any correction.
CREATE TABLE budget_fund_assignment_facts (
    tenant           text          NOT NULL,
    assignment_id    uuid          NOT NULL,
    fund             text          NOT NULL,
    year             int           NOT NULL,
    amount           numeric(14,2) NOT NULL,
    decree_reference text,
    decree_date      date,
    version          int           NOT NULL,
    PRIMARY KEY (tenant, assignment_id)
);
CREATE INDEX budget_fund_assignment_facts_fund_year ON budget_fund_assignment_facts (tenant, year, fund);

-- The comuni's co-financing of an intervention's year, and its split (parallel arrays, one per comune).
CREATE TABLE budget_cofinancing_facts (
    tenant            text          NOT NULL,
    intervention_id   uuid          NOT NULL,
    year              int           NOT NULL,
    plan_id           uuid          NOT NULL,
    total             numeric(14,2) NOT NULL,
    rule              text,
    population_as_of  timestamptz,
    share_istat_codes text[]        NOT NULL DEFAULT '{}',
    share_populations int[]         NOT NULL DEFAULT '{}',
    share_amounts     numeric(14,2)[] NOT NULL DEFAULT '{}',
    version           int           NOT NULL,
    PRIMARY KEY (tenant, intervention_id, year)
);

-- A closed fund-year: its ledger at the closure and the residui carried to `to_year`, with their
-- origin (allocation null: the part never allocated).
CREATE TABLE budget_residui_facts (
    tenant                    text          NOT NULL,
    fund                      text          NOT NULL,
    year                      int           NOT NULL,
    closed_at                 timestamptz   NOT NULL,
    assigned                  numeric(14,2) NOT NULL,
    residui_in                numeric(14,2) NOT NULL,
    allocated                 numeric(14,2) NOT NULL,
    committed                 numeric(14,2) NOT NULL,
    carried                   numeric(14,2) NOT NULL,
    to_year                   int           NOT NULL,
    origin_allocation_ids     uuid[]        NOT NULL DEFAULT '{}',
    origin_intervention_ids   uuid[]        NOT NULL DEFAULT '{}',
    origin_amounts            numeric(14,2)[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant, fund, year)
);

-- The acts one by one (budget_allocation_facts holds only each allocation's totals now): what was
-- committed or paid inside a period is the sum of the acts whose act_date falls in it.
CREATE TABLE budget_commitment_facts (
    tenant          text          NOT NULL,
    commitment_id   uuid          NOT NULL,
    allocation_id   uuid          NOT NULL,
    intervention_id uuid          NOT NULL,
    plan_id         uuid          NOT NULL,
    fund            text          NOT NULL,
    year            int           NOT NULL,
    amount          numeric(14,2) NOT NULL,
    act_date        date          NOT NULL,
    recorded_at     timestamptz,
    spent_after     numeric(15,2) NOT NULL,
    PRIMARY KEY (tenant, commitment_id)
);
CREATE INDEX budget_commitment_facts_date ON budget_commitment_facts (tenant, act_date);

CREATE TABLE budget_payment_facts (
    tenant          text          NOT NULL,
    payment_id      uuid          NOT NULL,
    commitment_id   uuid          NOT NULL,
    allocation_id   uuid          NOT NULL,
    intervention_id uuid          NOT NULL,
    plan_id         uuid          NOT NULL,
    fund            text          NOT NULL,
    year            int           NOT NULL,
    amount          numeric(14,2) NOT NULL,
    act_date        date          NOT NULL,
    recorded_at     timestamptz,
    spent_after     numeric(15,2) NOT NULL,
    PRIMARY KEY (tenant, payment_id)
);
CREATE INDEX budget_payment_facts_date ON budget_payment_facts (tenant, act_date);
