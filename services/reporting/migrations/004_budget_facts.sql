-- Budget's money as reporting sees it (issue 10): one row per allocation (fund x intervention x year)
-- of every Ambito, and one row per plan version with its state. Written only by the projector
-- services/reporting/budget_projector.py from pdz.budget.v1.
--
-- An allocation row is written by two kinds of events, each setting its own columns under its own
-- guard, so neither undoes the other and a duplicate or an older event changes nothing:
--   allocation.made/changed/released.v1 set `allocated` (the plan's figure) if their `version` is
--     higher than `allocation_version`;
--   commitment.recorded.v1 / payment.recorded.v1 carry the allocation's totals after the act and set
--     `committed` and `paid` if committed + paid (`spent`) is higher than the row's: acts are never
--     edited or deleted, so each act raises that sum, and a lower or equal sum is an older event.
-- A row first made by a commitment has allocated 0 and allocation_version 0 until its allocation
-- event arrives (any version beats 0).
CREATE TABLE budget_allocation_facts (
    tenant             text          NOT NULL,
    allocation_id      uuid          NOT NULL,
    fund               text          NOT NULL,
    year               int           NOT NULL,
    intervention_id    uuid          NOT NULL,
    plan_id            uuid          NOT NULL,
    allocated          numeric(14,2) NOT NULL DEFAULT 0,
    released           boolean       NOT NULL DEFAULT false,
    allocation_version int           NOT NULL DEFAULT 0,
    committed          numeric(14,2) NOT NULL DEFAULT 0,
    paid               numeric(14,2) NOT NULL DEFAULT 0,
    spent              numeric(15,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, allocation_id)
);
CREATE INDEX budget_allocation_facts_fund_year ON budget_allocation_facts (tenant, year, fund);

-- Each plan version's state (draft, adopted, approved, sent, returned, accepted, signed, superseded),
-- from plan.created.v1 and plan.transitioned.v1; `plan_version` is the plan's version (its ETag)
-- after the transition, which every transition raises: the newest wins.
CREATE TABLE budget_plan_states (
    tenant         text        NOT NULL,
    plan_id        uuid        NOT NULL,
    number         int         NOT NULL,
    first_year     int         NOT NULL,
    last_year      int         NOT NULL,
    kind           text        NOT NULL,
    reference_year int,
    state          text        NOT NULL,
    changed_at     timestamptz NOT NULL,
    plan_version   int         NOT NULL,
    PRIMARY KEY (tenant, plan_id, number)
);
