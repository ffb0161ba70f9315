-- Sessions of a consultation table (issue 8 item 3): the invitations sent to
-- member organisations, the registrations with their waiting list, the
-- attendance register (the only place consultation names people) and the
-- numbered versions of the minutes.
CREATE TABLE sessions (
    id            uuid        PRIMARY KEY,
    seq           bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id      uuid        NOT NULL REFERENCES consultation_tables (id),
    title         text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
    place         text        CHECK (place IS NULL OR length(place) BETWEEN 1 AND 500),
    video_link    text        CHECK (video_link IS NULL OR length(video_link) BETWEEN 1 AND 2000),
    -- the agenda items, in order
    agenda        text[]      NOT NULL DEFAULT '{}',
    -- seats in all (null: no limit); registrations beyond it wait in order
    seat_limit    int         CHECK (seat_limit IS NULL OR seat_limit >= 1),
    status        text        NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled')),
    cancel_reason text,
    held_at       timestamptz,
    cancelled_at  timestamptz,
    version       int         NOT NULL DEFAULT 1,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_where CHECK (place IS NOT NULL OR video_link IS NOT NULL)
);
CREATE INDEX sessions_table ON sessions (table_id, seq);

-- One invitation per organisation and session: inviting again changes nothing.
CREATE TABLE session_invitations (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id      uuid        NOT NULL REFERENCES sessions (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (organisation_id),
    invited_by      text        NOT NULL,
    invited_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, organisation_id)
);

-- Registrations: `seq` is the order of registration, which is the order of the
-- waiting list. A cancelled registration stays (with who cancelled and when).
CREATE TABLE session_registrations (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id      uuid        NOT NULL REFERENCES sessions (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (organisation_id),
    seats           int         NOT NULL CHECK (seats BETWEEN 1 AND 20),
    status          text        NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
    on_behalf       boolean     NOT NULL DEFAULT false,
    registered_by   text        NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    promoted_at     timestamptz,
    cancelled_by    text,
    cancelled_at    timestamptz,
    version         int         NOT NULL DEFAULT 1
);
-- One registration in force per organisation and session.
CREATE UNIQUE INDEX session_registrations_standing ON session_registrations (session_id, organisation_id)
    WHERE status IN ('registered', 'waiting');
CREATE INDEX session_registrations_session ON session_registrations (session_id, seq);

-- The attendance register. attendee_name and attendee_role are personal data:
-- they stay in this database (never in events, exports or public documents),
-- are read only by the operator and the table's coordinator (each read in
-- personal_data_access_log) and are cleared by an erasure, which keeps the
-- organisation's presence (erased_at, erasure_id say it happened).
CREATE TABLE attendance (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id      uuid        NOT NULL REFERENCES sessions (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (organisation_id),
    mode            text        NOT NULL CHECK (mode IN ('in_person', 'remote')),
    arrived_at      timestamptz,
    left_at         timestamptz,
    attendee_name   text        CHECK (attendee_name IS NULL OR length(attendee_name) BETWEEN 1 AND 200),
    attendee_role   text        CHECK (attendee_role IS NULL OR length(attendee_role) BETWEEN 1 AND 200),
    erased_at       timestamptz,
    erasure_id      uuid,
    recorded_by     text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         int         NOT NULL DEFAULT 1,
    CHECK (left_at IS NULL OR arrived_at IS NULL OR left_at >= arrived_at)
);
CREATE INDEX attendance_session ON attendance (session_id, seq);
CREATE INDEX attendance_name ON attendance (lower(attendee_name)) WHERE attendee_name IS NOT NULL;

-- Minutes (verbale): numbered versions per session. Version 1 is the first
-- draft; each later version corrects an approved one and says why. An
-- approved version never changes (the trigger below refuses it whatever code
-- tries), and at most one draft exists at a time.
CREATE TABLE minutes (
    id          uuid        PRIMARY KEY,
    seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id  uuid        NOT NULL REFERENCES sessions (id),
    number      int         NOT NULL CHECK (number >= 1),
    body        text        NOT NULL CHECK (length(body) BETWEEN 1 AND 200000),
    status      text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    corrects    int,
    reason      text,
    drafted_by  text        NOT NULL,
    drafted_at  timestamptz NOT NULL DEFAULT now(),
    approved_by text,
    approved_at timestamptz,
    version     int         NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, number),
    CHECK ((number = 1) = (corrects IS NULL)),
    CHECK (corrects IS NULL OR (corrects < number AND reason IS NOT NULL)),
    CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);
CREATE UNIQUE INDEX minutes_one_draft ON minutes (session_id) WHERE status = 'draft';

CREATE FUNCTION minutes_approved_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'approved minutes % of session % are immutable', OLD.number, OLD.session_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER minutes_immutable BEFORE UPDATE OR DELETE ON minutes
    FOR EACH ROW EXECUTE FUNCTION minutes_approved_are_immutable();
