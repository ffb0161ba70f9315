-- The figure cache (issue 11, item 4: regional endpoints within 100 ms; services/reporting/indicators/cache.py).
--
-- figure_versions: per Ambito (tenant), a number the statistics publisher raises in the transaction
-- that drains the Ambito's figure_marks (008). With the marks still pending (events applied, not yet
-- drained), a tenant's data is "moving" and nothing of it is cached; drained, its version names its
-- data exactly until its next applied event. No row: version 0 (nothing drained yet).
CREATE TABLE figure_versions (
    tenant      text        PRIMARY KEY,
    version     bigint      NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

-- One indicator's figures for one territory (its level, code and Ambiti: `scope`) and one period, with
-- the stamp they were computed under (the database, the scope's Ambiti's versions, the indicators' code,
-- the day):
-- read only when the stamp is the current one, so a cached figure is never stale. `figures` is JSON
-- text, an array of [value, [[dimension, value], ...]] in the provider's order.
CREATE TABLE figure_cache (
    indicator    text        NOT NULL,
    scope        text        NOT NULL,
    period       text        NOT NULL,
    stamp        text        NOT NULL,
    figures      text        NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, scope, indicator)
);

-- "Has this Ambito events applied and not drained yet?": one index probe per Ambito of an answer.
CREATE INDEX figure_marks_tenant ON figure_marks (tenant);
