-- Every transition of every plan version (issue 11, item 3b: the campaigns of the regional office).
-- budget_plan_states (004) keeps only a version's latest state: a plan sent on time and accepted
-- later shows the acceptance's instant there, so when it was first sent, or last returned, is read
-- here. One row per transition, keyed by the plan's version after it (every transition raises it):
-- a duplicate or a late event writes the same row again. Written only by
-- services/reporting/campaigns/projector.py from it.pdz.budget.plan.transitioned.v1.
CREATE TABLE plan_transition_facts (
    tenant         text        NOT NULL,
    plan_id        uuid        NOT NULL,
    plan_version   int         NOT NULL,
    number         int         NOT NULL,
    action         text        NOT NULL,
    to_state       text        NOT NULL,
    at             timestamptz NOT NULL,
    PRIMARY KEY (tenant, plan_id, plan_version)
);
CREATE INDEX plan_transition_facts_version ON plan_transition_facts (tenant, plan_id, number);
