-- Replicas of the consultation data other Ambiti share with this one (issue 9): tables and their
-- members, needs, proposals and the map of services of a predecessor Ambito, as its events bring
-- them (services/consultation/shared_replicas). Read-only: no API writes them; each row carries
-- `origin`, the tenant it came from, and is keyed by (origin, id). No foreign keys: events of one
-- origin may arrive in any order, and a replica row never points into this Ambito's own rows.
-- Nothing is ever deleted here.
--
-- seq: the replica rows of needs, proposals, offer and tables draw their list order from the SAME
-- sequence as the own rows (the identity sequence of needs.seq, ...), so that a list of own rows
-- UNION ALL replica rows ordered by seq has one order and one cursor (docs/consultation.md).
-- `version` is the owner's version of the record: an older or repeated event changes nothing.

CREATE TABLE replica_tables (
    origin          text        NOT NULL,
    id              uuid        NOT NULL,
    seq             bigint      NOT NULL DEFAULT nextval(pg_get_serial_sequence('consultation_tables', 'seq')) UNIQUE,
    kind            text        NOT NULL,
    title           text        NOT NULL,
    areas           text[]      NOT NULL DEFAULT '{}',
    membership      text        NOT NULL,
    status          text        NOT NULL,
    version         int         NOT NULL,
    source_event_id text        NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin, id)
);
CREATE UNIQUE INDEX replica_tables_id ON replica_tables (id);

CREATE TABLE replica_table_members (
    origin          text        NOT NULL,
    id              uuid        NOT NULL,
    table_id        uuid        NOT NULL,
    organisation_id uuid        NOT NULL,
    state           text        NOT NULL,
    -- why it ended (removed, refused, withdrawn...), when it did
    reason          text,
    version         int         NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, id)
);
CREATE INDEX replica_table_members_table ON replica_table_members (origin, table_id);

CREATE TABLE replica_needs (
    origin           text        NOT NULL,
    id               uuid        NOT NULL,
    seq              bigint      NOT NULL DEFAULT nextval(pg_get_serial_sequence('needs', 'seq')) UNIQUE,
    table_id         uuid        NOT NULL,
    session_id       uuid,
    organisation_id  uuid        NOT NULL,
    title            text        NOT NULL,
    description      text        NOT NULL,
    area             text        NOT NULL,
    target_group     text        NOT NULL,
    comuni           text[]      NOT NULL DEFAULT '{}',
    evidence         text        NOT NULL DEFAULT '',
    status           text        NOT NULL,
    on_behalf        boolean     NOT NULL DEFAULT false,
    recorded_by_role text        NOT NULL,
    version          int         NOT NULL,
    recorded_at      timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    source_event_id  text        NOT NULL,
    PRIMARY KEY (origin, id)
);
CREATE UNIQUE INDEX replica_needs_id ON replica_needs (id);

-- A proposal's events are of two kinds: snapshots of its content (submitted, updated, accepted) and
-- steps that carry its status only (evaluation_started, assessed, rejected, merged). Each kind is
-- guarded by its own version column, so a late snapshot still brings the content under a newer status.
CREATE TABLE replica_proposals (
    origin           text          NOT NULL,
    id               uuid          NOT NULL,
    seq              bigint        NOT NULL DEFAULT nextval(pg_get_serial_sequence('proposals', 'seq')) UNIQUE,
    -- nullable only because PostgreSQL checks NOT NULL on the content row's INSERT before ON CONFLICT:
    -- the status row (which carries them) always comes first, so they are never null in a stored row
    table_id         uuid,
    organisation_id  uuid,
    title            text,
    status           text,
    version          int           NOT NULL DEFAULT 0,
    answer           text,
    decided_at       timestamptz,
    merged_into      uuid,
    content_version  int           NOT NULL DEFAULT 0,
    description      text          NOT NULL DEFAULT '',
    expected_outcome text          NOT NULL DEFAULT '',
    need_ids         uuid[]        NOT NULL DEFAULT '{}',
    areas            text[]        NOT NULL DEFAULT '{}',
    target_groups    text[]        NOT NULL DEFAULT '{}',
    comuni           text[]        NOT NULL DEFAULT '{}',
    deliverers       uuid[]        NOT NULL DEFAULT '{}',
    estimated_cost   numeric(14,2),
    on_behalf        boolean       NOT NULL DEFAULT false,
    recorded_by_role text,
    submitted_at     timestamptz,
    source_event_id  text          NOT NULL,
    PRIMARY KEY (origin, id)
);
CREATE UNIQUE INDEX replica_proposals_id ON replica_proposals (id);

CREATE TABLE replica_offer (
    origin             text        NOT NULL,
    id                 uuid        NOT NULL,
    seq                bigint      NOT NULL DEFAULT nextval(pg_get_serial_sequence('service_offers', 'seq')) UNIQUE,
    organisation_id    uuid        NOT NULL,
    name               text        NOT NULL,
    area               text        NOT NULL,
    target_group       text        NOT NULL,
    comuni             text[]      NOT NULL DEFAULT '{}',
    capacity_amount    int,
    capacity_unit      text,
    accredited         boolean     NOT NULL DEFAULT false,
    status             text        NOT NULL,
    recorded_by_office boolean     NOT NULL DEFAULT false,
    version            int         NOT NULL,
    at                 timestamptz NOT NULL,
    source_event_id    text        NOT NULL,
    PRIMARY KEY (origin, id)
);
CREATE UNIQUE INDEX replica_offer_id ON replica_offer (id);
