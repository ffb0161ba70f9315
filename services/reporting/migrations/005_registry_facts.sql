-- The registry as reporting sees it (issue 11): each Ambito's profile (territory and population),
-- its public calls and the applications they received. Written only by the projector
-- services/reporting/registry_projector.py from pdz.registry.v1. Organisations, places and counts
-- only: never a person (no applicant's or representative's name, not even an organisation's name).

-- The Ambito's profile now (it.pdz.registry.profile.updated.v1, a full snapshot): the newest
-- version wins (guarded by `version`).
CREATE TABLE ambito_profiles (
    tenant           text        PRIMARY KEY,
    name             text        NOT NULL,
    region           text        NOT NULL,
    capofila_istat   text        NOT NULL,
    total_population int         NOT NULL CHECK (total_population >= 0),
    version          int         NOT NULL,
    as_of            timestamptz NOT NULL,   -- updated_at of that version
    source_event_id  text        NOT NULL
);

-- One row per comune any profile version listed, with the newest version that listed it (as
-- consultation's territory replica, consultation/002): the comuni of the profile now are those whose
-- version is the profile's (view ambito_comuni_now). A comune dropped from a newer profile keeps an
-- older version and drops out, in whatever order the snapshots arrive, with no delete that a late,
-- older snapshot could undo.
CREATE TABLE ambito_comuni (
    tenant          text NOT NULL,
    istat_code      text NOT NULL CHECK (istat_code ~ '^[0-9]{6}$'),
    name            text NOT NULL,
    population      int  NOT NULL CHECK (population >= 0),
    population_date date NOT NULL,
    version         int  NOT NULL,
    PRIMARY KEY (tenant, istat_code)
);
CREATE VIEW ambito_comuni_now AS
    SELECT c.tenant, c.istat_code, c.name, c.population, c.population_date, p.version, p.as_of
    FROM ambito_comuni c JOIN ambito_profiles p ON p.tenant = c.tenant AND p.version = c.version;

-- Every profile version's comuni, kept so that a population can be taken as it stood at a past
-- instant (per-inhabitant figures of a past period: indicators/population.py). A version never
-- changes, so a replayed event writes the same rows again.
CREATE TABLE ambito_comuni_history (
    tenant          text        NOT NULL,
    version         int         NOT NULL,
    istat_code      text        NOT NULL CHECK (istat_code ~ '^[0-9]{6}$'),
    population      int         NOT NULL CHECK (population >= 0),
    population_date date        NOT NULL,
    as_of           timestamptz NOT NULL,   -- updated_at of the version
    PRIMARY KEY (tenant, version, istat_code)
);

-- A public call (avviso pubblico) of an Ambito, from call.drafted/updated/published/closed.v1
-- (snapshots guarded by the call's `version`). `published_at` and `closed_at` are the times
-- (ce_time) of the published and closed events, written by their own upserts so that a later
-- snapshot arriving first does not lose them; the life cycle publishes and closes a call once.
-- A row first made by those upserts has version 0 and no snapshot columns until a snapshot arrives.
CREATE TABLE call_facts (
    tenant          text        NOT NULL,
    call_id         uuid        NOT NULL,
    title           text,
    areas           text[],
    opens_at        timestamptz,
    closes_at       timestamptz,
    status          text,                   -- draft, published, closed
    version         int         NOT NULL DEFAULT 0,
    published_at    timestamptz,
    closed_at       timestamptz,
    PRIMARY KEY (tenant, call_id)
);

-- An application (candidatura) to a call, from application.submitted/admitted/rejected.v1.
-- The submission's facts (organisation type, RUNTS section, seat, areas, time) come from the
-- submitted event only (guarded by `submission_seen`: they never change); the review (status,
-- reviewed_at, the stakeholder an admission made) from admitted/rejected, guarded by `status_rank`
-- (0 submitted, 1 reviewed: a review is final). A review seen before its submission makes the row
-- with the submission's columns empty until that event arrives.
CREATE TABLE application_facts (
    tenant            text        NOT NULL,
    application_id    uuid        NOT NULL,
    call_id           uuid        NOT NULL,
    protocol_number   text,
    organisation_type text,
    runts_section     char(1),
    seat_istat        text,
    areas             text[],
    submitted_at      timestamptz,
    submission_seen   int         NOT NULL DEFAULT 0,
    status            text        NOT NULL DEFAULT 'submitted',  -- submitted, admitted, rejected
    status_rank       int         NOT NULL DEFAULT 0,
    reviewed_at       timestamptz,
    stakeholder_id    uuid,
    PRIMARY KEY (tenant, application_id)
);
CREATE INDEX application_facts_submitted ON application_facts (tenant, submitted_at);
CREATE INDEX application_facts_reviewed ON application_facts (tenant, reviewed_at);
