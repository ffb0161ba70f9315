-- Read-only replica of the Ambito's stakeholder register, fed by the registry's
-- it.pdz.registry.stakeholder.* events (services/consultation/members/projector.py).
-- origin: the Ambito whose register the row comes from. Today always this
-- database's tenant; merged Ambiti (issue 9) will also receive their
-- predecessors' rows, each with its own origin. Rows are never deleted.
CREATE TABLE organisations (
    origin          text        NOT NULL,
    organisation_id uuid        NOT NULL,
    -- list order (the shared cursor pagination): first arrival in the replica
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    name            text        NOT NULL,
    type            text        NOT NULL,
    runts_section   char(1),
    seat_istat      text,
    areas           text[]      NOT NULL DEFAULT '{}',
    status          text        NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
    -- the register's version of the organisation this row reflects, and its time
    -- (registered_at or updated_at): an older snapshot never overwrites a newer one
    version         int         NOT NULL,
    as_of           timestamptz NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, organisation_id)
);
-- An id is one organisation, whatever the origin: a second origin claiming it is
-- refused (the event goes to the dead-letter topic) instead of shadowing the first.
CREATE UNIQUE INDEX organisations_id ON organisations (organisation_id);
CREATE INDEX organisations_status ON organisations (status, seq);
CREATE INDEX organisations_areas ON organisations USING gin (areas);

-- Every replicated version's status, in whatever order the events came: a
-- withdrawal stays known even when a newer snapshot (a re-admission) came first,
-- so memberships it ended stay ended (members/domain.py membership_state).
CREATE TABLE organisation_statuses (
    origin          text        NOT NULL,
    organisation_id uuid        NOT NULL,
    version         int         NOT NULL,
    status          text        NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
    as_of           timestamptz NOT NULL,
    PRIMARY KEY (origin, organisation_id, version)
);
