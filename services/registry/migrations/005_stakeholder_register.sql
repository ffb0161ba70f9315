-- The register grows: areas of interest, status, RUNTS number, seat, version
-- (ETag) and a history of every change.
ALTER TABLE stakeholders
    ADD COLUMN areas         text[] NOT NULL DEFAULT '{}',
    ADD COLUMN status        text   NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'suspended', 'withdrawn')),
    ADD COLUMN runts_number  text,
    ADD COLUMN seat_istat    char(6),
    ADD COLUMN version       int    NOT NULL DEFAULT 1;
CREATE INDEX stakeholders_status ON stakeholders (status);
CREATE INDEX stakeholders_areas ON stakeholders USING gin (areas);

CREATE TABLE stakeholder_history (
    id              bigserial   PRIMARY KEY,
    stakeholder_id  uuid        NOT NULL REFERENCES stakeholders (id),
    version         int         NOT NULL,
    change          text        NOT NULL,
    changes         jsonb       NOT NULL,
    changed_by      text        NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stakeholder_history_by_stakeholder ON stakeholder_history (stakeholder_id, id);
