-- The Ambito profile (this database holds one tenant, so at most one profile row).
-- Comuni keep the ISTAT name and province they had when the profile was saved:
-- the profile shows what was checked against the official list at that time.
CREATE TABLE ambito_comuni (
    istat_code       text    PRIMARY KEY CHECK (istat_code ~ '^[0-9]{6}$'),
    position         int     NOT NULL UNIQUE,    -- the order the Ufficio di Piano gave
    name             text    NOT NULL,
    province         text    NOT NULL,
    population       int     NOT NULL CHECK (population >= 0),
    population_date  date    NOT NULL            -- reference date of the population figure
);

CREATE TABLE ambito_profile (
    singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    name            text        NOT NULL,
    region          text        NOT NULL,
    -- Deferred: a save replaces every comune and the capofila in one transaction.
    capofila_istat  text        NOT NULL REFERENCES ambito_comuni (istat_code)
                                DEFERRABLE INITIALLY DEFERRED,
    ente_gestore    text,
    asl_district    text,
    version         int         NOT NULL DEFAULT 1,   -- the ETag
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
