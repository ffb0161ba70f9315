-- Regional read model: one row per stakeholder of every Ambito (organisations only).
CREATE TABLE stakeholder_facts (
    tenant          text        NOT NULL,
    stakeholder_id  uuid        NOT NULL,
    name            text        NOT NULL,
    type            text        NOT NULL,
    runts_section   char(1),
    registered_at   timestamptz NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (tenant, stakeholder_id)
);
CREATE INDEX stakeholder_facts_tenant_type ON stakeholder_facts (tenant, type);
