-- Every version of every stakeholder with the instant it took effect, so a figure can be
-- counted as it stood at a past instant (the comparison's year-over-year change, seed 000).
-- Keyed by version: a replayed event writes the same row again (idempotent).
CREATE TABLE stakeholder_history (
    tenant          text        NOT NULL,
    stakeholder_id  uuid        NOT NULL,
    version         int         NOT NULL,
    type            text        NOT NULL,
    runts_section   char(1),
    status          text        NOT NULL,
    valid_from      timestamptz NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (tenant, stakeholder_id, version)
);
CREATE INDEX stakeholder_history_tenant_from ON stakeholder_history (tenant, valid_from);
-- Rows projected before this table existed: a first version with its registration instant is
-- exact; later versions' instants are unknown (a replay of the registry topic brings them).
INSERT INTO stakeholder_history (tenant, stakeholder_id, version, type, runts_section, status,
                                 valid_from, source_event_id)
SELECT tenant, stakeholder_id, version, type, runts_section, status, registered_at, source_event_id
FROM stakeholder_facts WHERE version = 1 AND registered_at IS NOT NULL
ON CONFLICT DO NOTHING;
