-- The stakeholder register of one Ambito (this database holds one tenant).
CREATE TABLE stakeholders (
    seq            bigserial   UNIQUE,
    id             uuid        PRIMARY KEY,
    name           text        NOT NULL,
    type           text        NOT NULL,
    tax_code       text        NOT NULL UNIQUE,
    runts_section  char(1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stakeholders_type ON stakeholders (type);
