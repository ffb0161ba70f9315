-- Read-only replicas the budget service keeps from other services' events
-- (issue 10; no HTTP call to another service, ever). `origin`: the Ambito the
-- row comes from (this database's tenant, or a predecessor that shares with it,
-- issue 9). Rows are never deleted; a newer `version` wins (Upsert newer_than).

-- The register (it.pdz.registry.stakeholder.*): managing bodies of interventions,
-- suppliers of commitments, signatories of the accordo di programma.
CREATE TABLE organisations (
    origin          text        NOT NULL,
    organisation_id uuid        NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    name            text        NOT NULL,
    type            text        NOT NULL,
    tax_code        text,
    runts_section   char(1),
    status          text        NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
    version         int         NOT NULL,
    as_of           timestamptz NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, organisation_id)
);
CREATE UNIQUE INDEX organisations_id ON organisations (organisation_id);

-- The Ambito's profile (it.pdz.registry.profile.updated.v1): comuni and their
-- population, for the co-financing split by population and per-inhabitant figures.
CREATE TABLE territory_profiles (
    origin           text        PRIMARY KEY,
    name             text        NOT NULL,
    region           text        NOT NULL,
    capofila_istat   text        NOT NULL,
    ente_gestore     text,
    asl_district     text,
    total_population int         NOT NULL,
    version          int         NOT NULL,
    as_of            timestamptz NOT NULL,
    source_event_id  text        NOT NULL
);
CREATE TABLE territory_comuni (
    origin          text NOT NULL,
    istat_code      text NOT NULL CHECK (istat_code ~ '^[0-9]{6}$'),
    name            text NOT NULL,
    province        text NOT NULL,
    population      int  NOT NULL CHECK (population >= 0),
    population_date date NOT NULL,
    position        int  NOT NULL,
    version         int  NOT NULL,
    PRIMARY KEY (origin, istat_code)
);
CREATE VIEW territory_comuni_now AS
    SELECT c.origin, c.istat_code, c.name, c.province, c.population, c.population_date, c.position
    FROM territory_comuni c JOIN territory_profiles p ON p.origin = c.origin AND p.version = c.version;

-- Accepted proposals (it.pdz.consultation.proposal.accepted.v1, and the
-- proposal snapshot of a backfill): what an intervention answers, and through
-- them the needs (needs: [{need_id, area, target_group, comuni}]).
CREATE TABLE accepted_proposals (
    origin          text          NOT NULL,
    proposal_id     uuid          NOT NULL,
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id        uuid          NOT NULL,
    organisation_id uuid,
    title           text          NOT NULL,
    status          text          NOT NULL,
    areas           text[]        NOT NULL DEFAULT '{}',
    target_groups   text[]        NOT NULL DEFAULT '{}',
    comuni          text[]        NOT NULL DEFAULT '{}',
    need_ids        uuid[]        NOT NULL DEFAULT '{}',
    needs           jsonb         NOT NULL DEFAULT '[]',
    estimated_cost  numeric(14,2),
    decided_at      timestamptz,
    version         int           NOT NULL,
    source_event_id text          NOT NULL,
    PRIMARY KEY (origin, proposal_id)
);
CREATE UNIQUE INDEX accepted_proposals_id ON accepted_proposals (proposal_id);
