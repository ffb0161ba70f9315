-- Needs (bisogni) raised at the consultation tables (issue 8 item 5):
-- services/consultation/contributions/. A need belongs to the member
-- organisation that raised it, at the table it came from; the office may record
-- it on the organisation's behalf (e.g. from a paper form), marked so.
-- Nothing is deleted: a withdrawn organisation's needs stay.
CREATE TABLE needs (
    id               uuid        PRIMARY KEY,
    -- list order (the shared cursor pagination)
    seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id         uuid        NOT NULL REFERENCES consultation_tables (id),
    -- the session the need came from, if any (a session of the same table:
    -- checked by the service)
    session_id       uuid        REFERENCES sessions (id),
    organisation_id  uuid        NOT NULL REFERENCES organisations (organisation_id),
    title            text        NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    description      text        NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    -- one of the region's thematic area codes (shared/regions.py), checked by the API
    area             text        NOT NULL,
    -- L. 328/2000 target groups (contributions/domain.py TARGET_GROUPS)
    target_group     text        NOT NULL CHECK (target_group IN (
                         'minori', 'giovani_famiglia', 'anziani', 'dipendenze', 'salute_mentale',
                         'disabilita', 'immigrazione', 'poverta_emarginazione', 'popolazione_generale')),
    -- ISTAT codes of the Ambito's comuni concerned (empty: the whole Ambito)
    comuni           text[]      NOT NULL DEFAULT '{}'
                         CHECK (array_to_string(comuni, ',') ~ '^([0-9]{6}(,[0-9]{6})*)?$'),
    -- evidence or source (dati ISTAT, servizi sociali, esperienza dell'organizzazione, ...)
    evidence         text        NOT NULL DEFAULT '' CHECK (length(evidence) <= 5000),
    -- open: its author may still edit it; closed: frozen by the office
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    -- recorded by the office for the organisation (not by one of its representatives)
    on_behalf        boolean     NOT NULL DEFAULT false,
    -- the account (token subject) that recorded it, and the role it acted in
    recorded_by      text        NOT NULL,
    recorded_by_role text        NOT NULL CHECK (recorded_by_role IN ('stakeholder', 'operator', 'coordinator')),
    version          int         NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text        NOT NULL,
    closed_at        timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX needs_table ON needs (table_id, seq);
CREATE INDEX needs_organisation ON needs (organisation_id, seq);
CREATE INDEX needs_area ON needs (area, target_group);
CREATE INDEX needs_session ON needs (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX needs_comuni ON needs USING gin (comuni);
